// Wide shuffles (compiler/target/host/WideShuffles.cpp): two 32-bit
// shuffles with the same mode, source, clamp and mask in one block -- how
// nvcc shuffles a 64-bit value, one half at a time -- become one warp cut
// in a region-split kernel: both halves packed in the RegionLane's 64-bit
// value, mode bit 2 set (down = 2, so 6), and the answer unpacked after the
// cut. Pairs whose "source was valid" bit is read, or whose operands
// differ, stay two cuts.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// One cut, not two: resume points 0 and 1 only.
// CHECK-LABEL: define void @__wooly_block_wide(
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: ]
// CHECK: region0:
// CHECK: getelementptr inbounds i8, ptr %lane{{.*}}, i32 33
// CHECK-NEXT: store i8 6, ptr
// CHECK-NEXT: store i64 %{{[0-9]+}}, ptr %lane
// CHECK: store i8 1, ptr
// CHECK: region1:
// CHECK: %[[ANSWER:[0-9]+]] = load i64, ptr
// CHECK: lshr i64 %[[ANSWER]], 32
// CHECK-NOT: __wooly_shuffle
wooly.kernel @wide(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c8 = arith.constant 8 : i64
  %c32 = arith.constant 32 : i64
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %t64 = arith.extui %tid : i32 to i64
  %big = arith.shli %t64, %c32 : i64
  %v = arith.ori %big, %t64 : i64
  %lo = arith.trunci %v : i64 to i32
  %vhi = arith.shrui %v, %c32 : i64
  %hi = arith.trunci %vhi : i64 to i32
  %glo, %oklo = wooly.shuffle down %lo, %c1, %c31, %full : i32
  %ghi, %okhi = wooly.shuffle down %hi, %c1, %c31, %full : i32
  %wlo = arith.extui %glo : i32 to i64
  %whi = arith.extui %ghi : i32 to i64
  %whi2 = arith.shli %whi, %c32 : i64
  %got = arith.ori %wlo, %whi2 : i64
  %off = arith.muli %t64, %c8 : i64
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %got, %o {alignment = 8 : i64} : i64, !wooly.ptr<global>
  wooly.return
}

// The first shuffle's valid bit is read: two cuts, both plain down (2).
// CHECK-LABEL: define void @__wooly_block_validused(
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: i32 2, label %region2
// CHECK-NEXT: ]
// CHECK-NOT: store i8 6, ptr
wooly.kernel @validused(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c4 = arith.constant 4 : i64
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %c7 = arith.constant 7 : i32
  %b = arith.xori %tid, %c7 : i32
  %ga, %oka = wooly.shuffle down %tid, %c1, %c31, %full : i32
  %gb, %okb = wooly.shuffle down %b, %c1, %c31, %full : i32
  %sum = arith.addi %ga, %gb : i32
  %r = arith.select %oka, %sum, %c7 : i32
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %r, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// Different deltas, and a second value computed from the first answer: no
// pair either way.
// CHECK-LABEL: define void @__wooly_block_unpaired(
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: i32 2, label %region2
// CHECK-NEXT: i32 3, label %region3
// CHECK-NEXT: ]
// CHECK-NOT: store i8 6, ptr
wooly.kernel @unpaired(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c4 = arith.constant 4 : i64
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c31 = arith.constant 31 : i32
  %ga, %oka = wooly.shuffle down %tid, %c1, %c31, %full : i32
  %gb, %okb = wooly.shuffle down %tid, %c2, %c31, %full : i32
  %ab = arith.addi %ga, %gb : i32
  %gc, %okc = wooly.shuffle down %ab, %c2, %c31, %full : i32
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %gc, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// A load between the two halves (here from the buffer other threads write):
// fused, it would run before the other threads reached the first shuffle,
// so the pair stays two cuts.
// CHECK-LABEL: define void @__wooly_block_loadbetween(
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: i32 2, label %region2
// CHECK-NEXT: ]
// CHECK-NOT: store i8 6, ptr
wooly.kernel @loadbetween(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c4 = arith.constant 4 : i64
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  %ga, %oka = wooly.shuffle down %tid, %c1, %c31, %full : i32
  %seen = wooly.load %out {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %gb, %okb = wooly.shuffle down %seen, %c1, %c31, %full : i32
  %sum = arith.addi %ga, %gb : i32
  wooly.store %sum, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
