// Induction variables of a loop that holds a barrier (RegionSplit.cpp,
// inductionsFromCount): instead of a frame slot each, they are recomputed
// at every use as start + count * step from one i64 counter of the loop's
// back edges, the only one of them the frames keep. A use that its
// definition dominates in the cut function takes the value itself, not a
// reload of its slot. With address fencing, the recomputed address is
// fenced as (p & mask) | base like any other.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s
// RUN: wooly-opt %s --wooly-fence-addresses="offset-guard=17179869184 confine-windows" -o %t.mlir
// RUN: wooly-cc %t.mlir --target=host --emit=llvm -O0 -o - | FileCheck %s --check-prefix=FENCED

wooly.global @tile : 4 x i32 in shared align 4

// CHECK-LABEL: define void @__wooly_block_tiles(
// The counter is the only loop-carried value (t, a and w are not phis). The
// block entry keeps it (the loop round, barrier-loop-block-count.mlir): no
// frame slot.
// CHECK: %iv.count{{[.a-z0-9]*}} = phi i64 [ 0, %{{[0-9a-z.]+}} ], [ %iv.count.next{{[.a-z0-9]*}}, %{{[0-9a-z.]+}} ]
// CHECK-NOT: store i64 %iv.count
// CHECK-NOT: = phi
// CHECK: %[[A:iv.count.value[.a-z0-9]*]] = add i64
// CHECK-NEXT: %[[Q:[0-9]+]] = inttoptr i64 %[[A]] to ptr
// The load right after takes the pointer itself, not a reload of its slot.
// CHECK: load i32, ptr %[[Q]], align 4
// CHECK: %iv.count.next{{[.a-z0-9]*}} = add i64 %barrier.round{{[0-9]*}}, 1

// FENCED-LABEL: define void @__wooly_block_tiles(
// FENCED: %iv.count{{[.a-z0-9]*}} = phi i64 [ 0,
// FENCED: %[[M:[0-9]+]] = and i64 %iv.count.value{{[.a-z0-9]*}}, %
// FENCED-NEXT: %[[F:[0-9]+]] = or i64 %[[M]], %
// FENCED-NEXT: %[[P:[0-9]+]] = inttoptr i64 %[[F]] to ptr
// FENCED-NEXT: load i32, ptr %[[P]], align 4
wooly.kernel @tiles(%p: i64, %shift: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %big = arith.constant 2147483646 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %b = arith.addi %p, %shift : i64
  %a0 = arith.addi %b, %o : i64
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  %mine = wooly.ptradd %s, %o : !wooly.ptr<shared>, i64
  %next = arith.addi %tid, %c1 : i32
  %wrap = arith.andi %next, %c3 : i32
  %w64 = arith.extui %wrap : i32 to i64
  %wo = arith.muli %w64, %c4 : i64
  %theirs = wooly.ptradd %s, %wo : !wooly.ptr<shared>, i64
  cf.br ^loop(%c0, %a0, %big : i32, i64, i32)
^loop(%t: i32, %a: i64, %w: i32):
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  wooly.store %v, %mine {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %u = wooly.load %theirs {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %tw = arith.addi %t, %w : i32
  %r = arith.addi %u, %tw : i32
  wooly.store %r, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %w1 = arith.addi %w, %c1 : i32
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %a1, %w1 : i32, i64, i32), ^done
^done:
  wooly.return
}
