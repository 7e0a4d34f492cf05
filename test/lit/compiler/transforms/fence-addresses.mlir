// RUN: wooly-opt %s -wooly-fence-addresses -split-input-file | FileCheck %s
// RUN: wooly-opt %s -wooly-fence-addresses=offset-guard=17179869184 -split-input-file | FileCheck %s --check-prefix=GUARD

// Global accesses are confined to the arena: (p & mask) | base.

// CHECK-LABEL: wooly.kernel @global_access
// CHECK-SAME: (%[[P:.*]]: !wooly.ptr<global>, %[[BASE:.*]]: i64 {wooly.hidden = "arena_base"}, %[[MASK:.*]]: i64 {wooly.hidden = "arena_mask"}, %{{.*}}: i64 {wooly.hidden = "data_base"})
// CHECK-SAME: wooly.fenced
// CHECK: %[[I:.*]] = wooly.ptrtoint %[[P]] : !wooly.ptr<global> to i64
// CHECK: %[[M:.*]] = arith.andi %[[I]], %[[MASK]] : i64
// CHECK: %[[F:.*]] = arith.ori %[[M]], %[[BASE]] : i64
// CHECK: %[[Q:.*]] = wooly.inttoptr %[[F]] : i64 to !wooly.ptr<global>
// CHECK: wooly.load %[[Q]]
// CHECK: wooly.atomic_rmw add
// CHECK: wooly.store
wooly.kernel @global_access(%p: !wooly.ptr<global>) {
  %v = wooly.load %p : !wooly.ptr<global> -> i32
  %o = wooly.atomic_rmw add %p, %v : !wooly.ptr<global>, i32
  wooly.store %o, %p : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// Generic addresses into the thread's shared or local window pass; the rest
// are fenced.

// CHECK-LABEL: wooly.kernel @generic_access
// CHECK: %[[SH:.*]] = wooly.is_space %[[P:.*]], shared
// CHECK: %[[LO:.*]] = wooly.is_space %[[P]], local
// CHECK: %[[KEEP:.*]] = arith.ori %[[SH]], %[[LO]] : i1
// CHECK: %[[I:.*]] = wooly.ptrtoint %[[P]]
// CHECK: %[[F:.*]] = arith.ori
// CHECK: %[[SEL:.*]] = arith.select %[[KEEP]], %[[I]], %[[F]] : i64
// CHECK: %[[Q:.*]] = wooly.inttoptr %[[SEL]] : i64 to !wooly.ptr<generic>
// CHECK: wooly.store %{{.*}}, %[[Q]]
wooly.kernel @generic_access(%p: !wooly.ptr<generic>, %v: f32) {
  wooly.store %v, %p : f32, !wooly.ptr<generic>
  wooly.return
}

// -----

// Shared and local accesses are left alone.

// CHECK-LABEL: wooly.kernel @shared_local
// CHECK-NOT: arith.andi
// CHECK: wooly.store
wooly.global @tile : 64 x f32 in shared align 4
wooly.kernel @shared_local(%v: f32) {
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  wooly.store %v, %s : f32, !wooly.ptr<shared>
  %l = wooly.local_alloca 16 : !wooly.ptr<local>
  wooly.store %v, %l : f32, !wooly.ptr<local>
  wooly.return
}

// -----

// Module variables move into the data segment; their addresses become
// data_base + offset and const pointers become global ones.

// CHECK: module attributes {wooly.data_segment = {alignment = 16 : i64, init = "\01\00\00\00\02\00\00\00{{.*}}", size = 20 : i64, sizes = {counter = 4 : i64, table = 8 : i64}, symbols = {counter = 16 : i64, table = 0 : i64}}}
// CHECK-NOT: wooly.global @table
// CHECK-NOT: wooly.global @counter
// CHECK: wooly.global @tile
wooly.global @table : 2 x i32 in const align 16 = dense<[1, 2]> : tensor<2xi32>
wooly.global @counter : 1 x i32 in global align 16
wooly.global @tile : 8 x i32 in shared

// CHECK-LABEL: wooly.kernel @vars
// CHECK-SAME: %[[DATA:[a-z0-9]+]]: i64 {wooly.hidden = "data_base"}
// CHECK: %[[C0:.*]] = arith.constant 0 : i64
// CHECK: %[[A:.*]] = arith.addi %[[DATA]], %[[C0]] : i64
// CHECK: wooly.inttoptr %[[A]] : i64 to !wooly.ptr<global>
// CHECK: wooly.load %{{.*}} : !wooly.ptr<global> -> i32
// CHECK: %[[C16:.*]] = arith.constant 16 : i64
// CHECK: arith.addi %[[DATA]], %[[C16]] : i64
// CHECK: wooly.addressof @tile : !wooly.ptr<shared>
wooly.kernel @vars() {
  %t = wooly.addressof @table : !wooly.ptr<const>
  %v = wooly.load %t : !wooly.ptr<const> -> i32
  %c = wooly.addressof @counter : !wooly.ptr<global>
  wooly.store %v, %c : i32, !wooly.ptr<global>
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  wooly.store %v, %s : i32, !wooly.ptr<shared>
  wooly.return
}

// -----

// Device functions take the hidden parameters too, and calls pass them on.

// CHECK-LABEL: wooly.func @get
// CHECK-SAME: (%{{.*}}: !wooly.ptr<global>, %{{.*}}: i64 {wooly.hidden = "arena_base"}, %{{.*}}: i64 {wooly.hidden = "arena_mask"}, %{{.*}}: i64 {wooly.hidden = "data_base"}) -> f32
wooly.func @get(%p: !wooly.ptr<global>) -> f32 {
  %v = wooly.load %p : !wooly.ptr<global> -> f32
  wooly.return %v : f32
}
// CHECK-LABEL: wooly.kernel @caller
// CHECK-SAME: (%[[P:.*]]: !wooly.ptr<global>, %[[B:.*]]: i64 {wooly.hidden = "arena_base"}, %[[M:.*]]: i64 {wooly.hidden = "arena_mask"}, %[[D:.*]]: i64 {wooly.hidden = "data_base"})
// CHECK: wooly.call @get(%[[P]], %[[B]], %[[M]], %[[D]]) : (!wooly.ptr<global>, i64, i64, i64) -> f32
wooly.kernel @caller(%p: !wooly.ptr<global>) {
  %v = wooly.call @get(%p) : (!wooly.ptr<global>) -> f32
  wooly.return
}

// -----

// With an offset guard (the host executor's form), `a + bounded offsets`
// keeps `a` when it is within the guard of the arena, fences it otherwise,
// and adds the offsets back with ptradd: the check depends only on `a`.
// Without the option the address is fenced whole.

// CHECK-LABEL: wooly.kernel @bounded
// CHECK: %[[I:.*]] = wooly.ptrtoint
// CHECK: arith.andi %[[I]]
// CHECK-NOT: wooly.ptradd
// CHECK: wooly.load
// GUARD-LABEL: wooly.kernel @bounded
// GUARD-SAME: (%[[A:[^:]*]]: i64, %[[N:[^:]*]]: i32, %[[BASE:[^:]*]]: i64 {wooly.hidden = "arena_base"}, %[[MASK:[^:]*]]: i64 {wooly.hidden = "arena_mask"}
// GUARD: %[[E:.*]] = arith.extsi %[[N]] : i32 to i64
// GUARD: %[[O:.*]] = arith.muli %[[E]], %{{.*}} : i64
// GUARD: %[[G:.*]] = arith.constant 17179869184 : i64
// GUARD: %[[LOW:.*]] = arith.subi %[[BASE]], %[[G]] : i64
// GUARD: %[[REL:.*]] = arith.subi %[[A]], %[[LOW]] : i64
// GUARD: %[[W:.*]] = arith.constant 34359738369 : i64
// GUARD: %[[SPAN:.*]] = arith.addi %[[MASK]], %[[W]] : i64
// GUARD: %[[NEAR:.*]] = arith.cmpi ult, %[[REL]], %[[SPAN]] : i64
// GUARD: %[[M:.*]] = arith.andi %[[A]], %[[MASK]] : i64
// GUARD: %[[F:.*]] = arith.ori %[[M]], %[[BASE]] : i64
// GUARD: %[[KEPT:.*]] = arith.select %[[NEAR]], %[[A]], %[[F]] : i64
// GUARD: %[[START:.*]] = wooly.inttoptr %[[KEPT]] : i64 to !wooly.ptr<global>
// GUARD: %[[Q:.*]] = wooly.ptradd %[[START]], %[[O]] : !wooly.ptr<global>, i64
// GUARD: wooly.load %[[Q]]
wooly.kernel @bounded(%a: i64, %n: i32) {
  %c4 = arith.constant 4 : i64
  %e = arith.extsi %n : i32 to i64
  %o = arith.muli %e, %c4 : i64
  %s = arith.addi %a, %o : i64
  %p = wooly.inttoptr %s : i64 to !wooly.ptr<global>
  %v = wooly.load %p : !wooly.ptr<global> -> f32
  wooly.return
}

// -----

// Offsets the pass cannot bound (a full i64), or whose bounds add up to
// more than the guard (sext(i32) * 16 = 2^35 > 2^34), are fenced whole.

// GUARD-LABEL: wooly.kernel @unbounded
// GUARD: %[[I1:.*]] = wooly.ptrtoint
// GUARD: arith.andi %[[I1]]
// GUARD: wooly.load
// GUARD: %[[I2:.*]] = wooly.ptrtoint
// GUARD: arith.andi %[[I2]]
// GUARD: wooly.store
// GUARD-NOT: wooly.ptradd
// GUARD: wooly.return
wooly.kernel @unbounded(%a: i64, %x: i64, %n: i32) {
  %s = arith.addi %a, %x : i64
  %p = wooly.inttoptr %s : i64 to !wooly.ptr<global>
  %v = wooly.load %p : !wooly.ptr<global> -> f32
  %c16 = arith.constant 16 : i64
  %e = arith.extsi %n : i32 to i64
  %o = arith.muli %e, %c16 : i64
  %t = arith.addi %a, %o : i64
  %q = wooly.inttoptr %t : i64 to !wooly.ptr<global>
  wooly.store %v, %q : f32, !wooly.ptr<global>
  wooly.return
}
