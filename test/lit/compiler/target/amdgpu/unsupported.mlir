// What AMD GPUs cannot do is rejected with a diagnostic, never miscompiled.
// RUN: not wooly-opt %s -split-input-file --wooly-lower-to-rocdl=chip=gfx942 2>&1 | FileCheck %s
// RUN: not wooly-opt %s -split-input-file --wooly-lower-to-rocdl=chip=gfx000 2>&1 | FileCheck %s --check-prefix=ARCH

// ARCH: unsupported AMD architecture 'gfx000': use one of gfx90a, gfx940

// A printf whose format is not a constant string has no record layout.
// CHECK: error: device printf on AMD GPUs needs a constant format string
wooly.kernel @output(%fmt: !wooly.ptr<generic>, %args: !wooly.ptr<local>) {
  %n = wooly.printf %fmt, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

// -----

// Barrier reductions on a named barrier or a thread count are not emulated
// (named and partial barriers are: named-barrier.mlir).
// CHECK: failed to legalize operation 'wooly.barrier_reduce'
wooly.kernel @named(%p: i1, %n: i32, %out: !wooly.ptr<global>) {
  %c = wooly.barrier_reduce popc %p id 1 count %n : i32
  wooly.store %c, %out : i32, !wooly.ptr<global>
  wooly.return
}
