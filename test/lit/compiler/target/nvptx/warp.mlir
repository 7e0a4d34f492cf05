// Warp collectives map 1:1 onto the *.sync instructions; redux.sync exists
// from sm_80 on and is emulated with shfl.sync.idx before.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s --check-prefixes=CHECK,SM90
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_75 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_75 | FileCheck %s --check-prefixes=CHECK,SM75

// CHECK-LABEL: .entry shuffles
wooly.kernel @shuffles(%out: !wooly.ptr<global>, %v: i32, %lane: i32, %mask: i32) {
  %c = arith.constant 31 : i32
  %up = arith.constant 0 : i32
  %seg = arith.constant 7199 : i32
  // CHECK-DAG: shfl.sync.idx.b32
  %a, %pa = wooly.shuffle idx %v, %lane, %seg, %mask : i32
  // CHECK-DAG: shfl.sync.up.b32
  %b, %pb = wooly.shuffle up %a, %lane, %up, %mask : i32
  // CHECK-DAG: shfl.sync.down.b32
  %d, %pd = wooly.shuffle down %b, %lane, %c, %mask : i32
  // CHECK-DAG: shfl.sync.bfly.b32
  %x, %px = wooly.shuffle xor %d, %lane, %c, %mask : i32
  %ok = arith.andi %pa, %px : i1
  %okw = arith.extui %ok : i1 to i32
  %r = arith.addi %x, %okw : i32
  wooly.store %r, %out : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry votes
wooly.kernel @votes(%out: !wooly.ptr<global>, %v: i32, %mask: i32) {
  %z = arith.constant 0 : i32
  %p = arith.cmpi sgt, %v, %z : i32
  // CHECK-DAG: vote.sync.ballot.b32
  %b = wooly.vote ballot %p, %mask : i32
  // CHECK-DAG: vote.sync.any.pred
  %any = wooly.vote any %p, %mask : i1
  // CHECK-DAG: vote.sync.all.pred
  %all = wooly.vote all %p, %mask : i1
  // CHECK-DAG: vote.sync.uni.pred
  %uni = wooly.vote uni %p, %mask : i1
  // CHECK-DAG: activemask.b32
  %am = wooly.active_mask : i32
  %t0 = arith.andi %any, %all : i1
  %t1 = arith.andi %t0, %uni : i1
  %t2 = arith.extui %t1 : i1 to i32
  %t3 = arith.addi %b, %t2 : i32
  %t4 = arith.addi %t3, %am : i32
  wooly.store %t4, %out : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry matches
wooly.kernel @matches(%out: !wooly.ptr<global>, %v: i32, %w: i64, %mask: i32) {
  // CHECK-DAG: match.any.sync.b32
  %m, %e = wooly.match any %v, %mask : i32
  // CHECK-DAG: match.all.sync.b64
  %n, %f = wooly.match all %w, %mask : i64
  %s = arith.addi %m, %n : i32
  %fe = arith.extui %f : i1 to i32
  %t = arith.addi %s, %fe : i32
  wooly.store %t, %out : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry reductions
wooly.kernel @reductions(%out: !wooly.ptr<global>, %v: i32, %mask: i32) {
  // SM90-DAG: redux.sync.add.s32
  // SM90-DAG: redux.sync.max.u32
  // SM75-NOT: redux.sync
  // SM75: shfl.sync.idx.b32
  %a = wooly.redux add %v, %mask : i32
  %b = wooly.redux umax %a, %mask : i32
  wooly.store %b, %out : i32, !wooly.ptr<global>
  // CHECK: ret;
  wooly.return
}
