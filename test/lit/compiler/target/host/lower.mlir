// RUN: wooly-opt --wooly-lower-to-host --split-input-file %s | FileCheck %s

// Geometry comes from the hidden thread context (tid at 0, ctaid at 24,
// ntid at 12); global accesses are plain byte GEPs and loads.
// CHECK-LABEL: llvm.func @saxpy(%{{.*}}: !llvm.ptr, %{{.*}}: i32, %{{.*}}: f32, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME: wooly.kernel
// CHECK: llvm.getelementptr inbounds %arg0[0]
// CHECK: llvm.getelementptr inbounds %arg0[24]
// CHECK: llvm.getelementptr inbounds %arg0[12]
// CHECK: llvm.load {{.*}} -> f32
// CHECK: llvm.store {{.*}} : f32, !llvm.ptr
wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %i = arith.addi %base, %tid : i32
  %inside = arith.cmpi slt, %i, %n : i32
  cf.cond_br %inside, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %offset = arith.muli %i64, %c4 : i64
  %px = wooly.ptradd %x, %offset : !wooly.ptr<global>, i64
  %py = wooly.ptradd %y, %offset : !wooly.ptr<global>, i64
  %vx = wooly.load %px {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %vy = wooly.load %py {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %ax = arith.mulf %a, %vx : f32
  %r = arith.addf %ax, %vy : f32
  wooly.store %r, %py {alignment = 4 : i64} : f32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.return
}

// -----

// Shared variables live in the block's shared window (context offset 48);
// barriers and shuffles are runtime calls that switch between fibers.
// CHECK-LABEL: llvm.func @reduce
// CHECK: %[[SH:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.getelementptr %[[SH]][16]
// CHECK: llvm.call @__wooly_barrier(%arg0, %{{.*}}, %{{.*}}) : (!llvm.ptr, i32, i32) -> ()
// CHECK: %[[S:.*]] = llvm.call @__wooly_shuffle(%arg0, {{.*}}) : (!llvm.ptr, i32, i32, i32, i32, i32) -> i64
// CHECK: llvm.trunc %[[S]] : i64 to i32
wooly.global @pad : 4 x f32 in shared align 16
wooly.global @tile : 32 x i32 in shared align 4
wooly.kernel @reduce(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %p = wooly.addressof @tile : !wooly.ptr<shared>
  wooly.store %tid, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %all = arith.constant -1 : i32
  %v, %ok = wooly.shuffle down %tid, %c1, %c31, %all : i32
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// Atomics: PTX inc is LLVM's uinc_wrap; a CAS returns the old value.
// CHECK-LABEL: llvm.func @atomics
// CHECK: llvm.atomicrmw uinc_wrap %{{.*}}, %{{.*}} monotonic
// CHECK: llvm.atomicrmw fadd %{{.*}}, %{{.*}} acq_rel
// CHECK: %[[C:.*]] = llvm.cmpxchg %{{.*}}, %{{.*}}, %{{.*}} monotonic monotonic
// CHECK: llvm.extractvalue %[[C]][0]
// CHECK: llvm.fence seq_cst
wooly.kernel @atomics(%p: !wooly.ptr<global>, %f: !wooly.ptr<global>) {
  %c = arith.constant 7 : i32
  %a = wooly.atomic_rmw inc %p, %c : !wooly.ptr<global>, i32
  %one = arith.constant 1.0 : f32
  %b = wooly.atomic_rmw fadd %f, %one {order = #wooly<order acq_rel>} : !wooly.ptr<global>, f32
  %d = wooly.atomic_cas %p, %a, %c : !wooly.ptr<global>, i32
  wooly.fence gpu seq_cst
  wooly.return
}
