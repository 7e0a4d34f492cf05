// The back-edge counter of a barrier loop (barrier-loop-inductions.mlir)
// kept by the block entry for all the block's threads (RegionSplit.cpp,
// countFromBlock): in a barrier-only kernel whose loop's barriers all
// dominate its latch, the block entry holds one i64, moves it on from the
// resume point it ran and the one it stops at (+1 from the loop's last
// barrier to its first, 0 when the threads enter the loop) and passes it
// as the loop round; the threads' exit test and induction variables come
// from it, not from a counter in their frames. Where that cannot be shown
// (a warp collective in the kernel, a barrier in an inner loop) the counter
// stays in the frames.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// CHECK-LABEL: define void @__wooly_block_counted(
// CHECK: %barrier.count = alloca i64
// CHECK: store i64 0, ptr %barrier.count
// At the settle step: from the second barrier's resume point to the first
// barrier, one more.
// CHECK: %[[OLD:[0-9]+]] = load i64, ptr %barrier.count
// CHECK: add i64 %[[OLD]], 1
// CHECK: store i64 %{{[0-9]+}}, ptr %barrier.count
// CHECK: %barrier.round = load i64, ptr %barrier.count
// CHECK-NOT: store i64 %iv.count
// CHECK: %iv.count.next{{[.a-z0-9]*}} = add i64 %barrier.round{{[0-9]*}}, 1
wooly.kernel @counted(%p: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %a0 = arith.addi %p, %o : i64
  cf.br ^loop(%c0, %a0 : i32, i64)
^loop(%t: i32, %a: i64):
  wooly.barrier
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  wooly.store %t, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %a1 : i32, i64), ^done
^done:
  wooly.return
}

// A warp collective: the block entry settles per thread, the counter stays
// in the frames.
// CHECK-LABEL: define void @__wooly_block_warp(
// CHECK-NOT: barrier.count
// CHECK: store i64 %iv.count
wooly.kernel @warp(%p: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %all = arith.constant -1 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %a0 = arith.addi %p, %o : i64
  cf.br ^loop(%c0, %a0 : i32, i64)
^loop(%t: i32, %a: i64):
  wooly.barrier
  %s, %ok = wooly.shuffle down %t, %c1, %c31, %all : i32
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  wooly.store %s, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %a1 : i32, i64), ^done
^done:
  wooly.return
}

// The outer loop's barrier sits in an inner loop: how often a thread goes
// round the outer loop between two barriers is not known statically, so
// its counter stays in the frames.
// CHECK-LABEL: define void @__wooly_block_inner(
// CHECK-NOT: barrier.count
// CHECK: store i64 %iv.count
wooly.kernel @inner(%p: i64, %n: i32, %m: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %a0 = arith.addi %p, %o : i64
  cf.br ^loop(%c0, %a0 : i32, i64)
^loop(%t: i32, %a: i64):
  cf.br ^in(%c0 : i32)
^in(%i: i32):
  wooly.barrier
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %ti = arith.addi %t, %i : i32
  wooly.store %ti, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %i1 = arith.addi %i, %c1 : i32
  %again = arith.cmpi slt, %i1, %m : i32
  cf.cond_br %again, ^in(%i1 : i32), ^latch
^latch:
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %a1 : i32, i64), ^done
^done:
  wooly.return
}
