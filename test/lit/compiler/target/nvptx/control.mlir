// trap, exit, printf (a printf buffer record, printf.mlir), assert
// (__assertfail), breakpoint (brkpt),
// launch bounds and by-value aggregates.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK-DAG: .visible .global .align 8 .b8 __wooly_printf[16];
// CHECK-DAG: .extern .func __assertfail

wooly.global @fmt : 4 x i8 in global = "%d\0A\00"

// CHECK-LABEL: .entry output
// CHECK: .maxntid 128
// CHECK: atom.global.add.u64
// CHECK: call.uni __assertfail
// CHECK: brkpt;
// CHECK: trap;
wooly.kernel @output(%args: !wooly.ptr<local>, %line: i32, %n: i32) attributes {max_threads = 128 : i32} {
  %f = wooly.addressof @fmt : !wooly.ptr<generic>
  %c = wooly.printf %f, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.assert_fail %f, %f, %line, %f : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  wooly.breakpoint
  %z = arith.constant 0 : i32
  %bad = arith.cmpi eq, %n, %z : i32
  cf.cond_br %bad, ^trap, ^done
^trap:
  wooly.trap
^done:
  wooly.return
}

// CHECK-LABEL: .func {{.*}}stop
// CHECK: exit;
wooly.func private @stop() {
  wooly.exit
}

// CHECK-LABEL: .entry bounded
// CHECK: .param .align 8 .b8 bounded_param_0[24]
// CHECK: .reqntid 64, 2, 1
// CHECK: .minnctapersm 4
wooly.kernel @bounded(%s: !wooly.ptr<param> {wooly.byval_size = 24 : i64, wooly.byval_align = 8 : i64}, %out: !wooly.ptr<global>)
    attributes {req_block_size = array<i32: 64, 2, 1>, min_blocks_per_sm = 4 : i32} {
  %v = wooly.load %s {alignment = 8 : i64} : !wooly.ptr<param> -> i64
  wooly.store %v, %out : i64, !wooly.ptr<global>
  %z = arith.constant 0 : i64
  %stop = arith.cmpi eq, %v, %z : i64
  cf.cond_br %stop, ^s, ^d
^s:
  wooly.call @stop() : () -> ()
  cf.br ^d
^d:
  wooly.return
}
