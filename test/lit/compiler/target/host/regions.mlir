// The region form (compiler/target/host/RegionSplit.cpp, BlockEntry.cpp):
// kernels with block barriers and warp collectives run as loops over the
// block's threads, one set of loops per resume point, each calling the
// kernel with that resume point as a constant. A kernel with warp cuts
// records each thread's collective in its RegionLane (op code: 1 shuffle,
// 7 block barrier) and lets __wooly_region_settle answer whole warps;
// threads resuming at different cuts go through the `mixed` loops. A
// kernel with only barriers keeps the bookkeeping inline. bar.red stays on
// fibers.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

wooly.global @buf : 64 x i32 in shared align 4

// CHECK-LABEL: define void @__wooly_block_mixed(
// CHECK: %lanes = alloca [40 x i8], i64
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: i32 2, label %region2
// CHECK-NEXT: ]
// CHECK: settle:
// CHECK-NEXT: call i32 @__wooly_region_settle(ptr %{{[0-9]+}}, ptr %lanes, i64 %{{[0-9]+}})
// CHECK: region0:
// CHECK: store i8 7, ptr
// CHECK: region1:
// CHECK: store i8 2, ptr
// CHECK: store i8 1, ptr
// CHECK: region2:
// CHECK-NOT: @__wooly_shuffle
// CHECK: mixed.exit:
wooly.kernel @mixed(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @buf : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  wooly.store %tid, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %got, %ok = wooly.shuffle down %v, %c1, %c31, %full : i32
  %sum = arith.addi %v, %got : i32
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %sum, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: define void @__wooly_block_barriers(
// CHECK-NOT: __wooly_region_settle
// CHECK: switch i32 %{{[0-9]+}}, label %stop [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: ]
// CHECK: call void @__wooly_divergent_barrier(
wooly.kernel @barriers(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @buf : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  wooly.store %tid, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %v, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: define void @__wooly_thread_popc(
wooly.kernel @popc(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %odd = arith.andi %tid, %c1 : i32
  %isodd = arith.cmpi ne, %odd, %c0 : i32
  %n = wooly.barrier_reduce popc %isodd : i32
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %n, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
