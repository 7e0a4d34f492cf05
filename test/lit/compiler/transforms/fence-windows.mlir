// confine-windows (the host executor): shared- and local-space accesses are
// checked against the thread's windows; one outside goes to address 16,
// which is never mapped, and faults. Local accesses rooted at a slot are left
// to the host backend, which clamps them into the slot. Without the option
// these accesses are untouched (GPUs have hardware windows).
// RUN: wooly-opt %s -wooly-fence-addresses=confine-windows=true -split-input-file | FileCheck %s
// RUN: wooly-opt %s -wooly-fence-addresses -split-input-file | FileCheck %s --check-prefix=OFF
// With an offset guard, shared accesses at the window start plus bounded
// offsets stay unchecked (the executor guards the window by G bytes).
// RUN: wooly-opt %s "-wooly-fence-addresses=confine-windows=true offset-guard=17179869184" -split-input-file | FileCheck %s --check-prefix=GUARD

// CHECK-LABEL: wooly.kernel @shared_from_generic
// CHECK: %[[S:.*]] = wooly.cast_space %{{.*}} : !wooly.ptr<generic> to !wooly.ptr<shared>
// CHECK: %[[G:.*]] = wooly.cast_space %[[S]] : !wooly.ptr<shared> to !wooly.ptr<generic>
// CHECK: %[[IN:.*]] = wooly.is_space %[[G]], shared
// CHECK: %[[C16:.*]] = arith.constant 16 : i64
// CHECK: %[[BAD:.*]] = wooly.inttoptr %[[C16]] : i64 to !wooly.ptr<generic>
// CHECK: %[[SEL:.*]] = arith.select %[[IN]], %[[G]], %[[BAD]]
// CHECK: %[[BACK:.*]] = wooly.cast_space %[[SEL]] : !wooly.ptr<generic> to !wooly.ptr<shared>
// CHECK: wooly.store %{{.*}}, %[[BACK]]
// OFF-LABEL: wooly.kernel @shared_from_generic
// OFF-NOT: is_space
// OFF: wooly.store
wooly.kernel @shared_from_generic(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %s = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<shared>
  %v = arith.constant 1 : i32
  wooly.store %v, %s : i32, !wooly.ptr<shared>
  wooly.return
}

// -----

// A shared window pointer plus any offset is checked too.
// CHECK-LABEL: wooly.kernel @shared_offset
// CHECK: wooly.ptradd
// CHECK: wooly.is_space %{{.*}}, shared
// CHECK: wooly.load
wooly.kernel @shared_offset(%off: i64, %out: !wooly.ptr<global>) {
  %base = wooly.dynamic_shared : !wooly.ptr<shared>
  %s = wooly.ptradd %base, %off : !wooly.ptr<shared>, i64
  %x = wooly.load %s : !wooly.ptr<shared> -> i32
  wooly.store %x, %out : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// A local slot, also walked by a pointer in a loop: not checked here.
// CHECK-LABEL: wooly.kernel @local_slot
// CHECK-NOT: is_space
// CHECK: wooly.return
wooly.kernel @local_slot(%off: i64) {
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %q = wooly.ptradd %buf, %off : !wooly.ptr<local>, i64
  %v = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %c0 = arith.constant 0 : i64
  %c12 = arith.constant 12 : i64
  cf.br ^walk(%q, %c0 : !wooly.ptr<local>, i64)
^walk(%p: !wooly.ptr<local>, %i: i64):
  wooly.store %v, %p : i32, !wooly.ptr<local>
  %pn = wooly.ptradd %p, %c4 : !wooly.ptr<local>, i64
  %in = arith.addi %i, %c4 : i64
  %more = arith.cmpi ult, %i, %c12 : i64
  cf.cond_br %more, ^walk(%pn, %in : !wooly.ptr<local>, i64), ^done
^done:
  wooly.return
}

// -----

// A local pointer made from a generic address is checked.
// CHECK-LABEL: wooly.kernel @local_from_generic
// CHECK: wooly.is_space %{{.*}}, local
// CHECK: arith.select
// CHECK: wooly.store
wooly.kernel @local_from_generic(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %l = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<local>
  %v = arith.constant 1 : i32
  wooly.store %v, %l : i32, !wooly.ptr<local>
  wooly.return
}

// -----

// nvcc's shared accesses: a 32-bit shared address (variable + index * 4).
// CHECK-LABEL: wooly.kernel @shared_u32
// CHECK: wooly.is_space %{{.*}}, shared
// GUARD-LABEL: wooly.kernel @shared_u32
// GUARD-NOT: is_space
// GUARD: wooly.load
// GUARD-LABEL: wooly.kernel @shared_far
// GUARD: wooly.is_space %{{.*}}, shared
wooly.global @tile : 256 x f32 in shared align 4
wooly.kernel @shared_u32(%i: i32, %out: !wooly.ptr<global>) {
  %t = wooly.addressof @tile : !wooly.ptr<shared>
  %ti = wooly.ptrtoint %t : !wooly.ptr<shared> to i32
  %c4 = arith.constant 4 : i32
  %o = arith.muli %i, %c4 : i32
  %a = arith.addi %ti, %o : i32
  %p = wooly.inttoptr %a : i32 to !wooly.ptr<shared>
  %x = wooly.load %p : !wooly.ptr<shared> -> f32
  wooly.store %x, %out : f32, !wooly.ptr<global>
  wooly.return
}
// An i64 offset the pass cannot bound is checked even with the guard.
wooly.kernel @shared_far(%off: i64, %out: !wooly.ptr<global>) {
  %t = wooly.addressof @tile : !wooly.ptr<shared>
  %p = wooly.ptradd %t, %off : !wooly.ptr<shared>, i64
  %x = wooly.load %p : !wooly.ptr<shared> -> f32
  wooly.store %x, %out : f32, !wooly.ptr<global>
  wooly.return
}

// -----

// printf's argument buffer is read by the runtime, which must never fault:
// one outside its window is redirected to the window's start instead.
// CHECK-LABEL: wooly.kernel @printf_args
// CHECK: %[[G:.*]] = wooly.cast_space %{{.*}} : !wooly.ptr<local> to !wooly.ptr<generic>
// CHECK: %[[IN:.*]] = wooly.is_space %[[G]], local
// CHECK: %[[Z:.*]] = wooly.inttoptr %{{.*}} : i64 to !wooly.ptr<local>
// CHECK: %[[START:.*]] = wooly.cast_space %[[Z]] : !wooly.ptr<local> to !wooly.ptr<generic>
// CHECK: arith.select %[[IN]], %[[G]], %[[START]]
// CHECK: wooly.printf
wooly.global @fmt : 4 x i8 in global = "%d\0A\00"
wooly.kernel @printf_args(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %l = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<local>
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %fg = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %fg, %l : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
