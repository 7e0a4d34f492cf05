// Loop cuts (compiler/target/host/RegionSplit.cpp): in a region kernel, a
// loop that walks memory with a thread-dependent stride (an induction
// variable started from the thread's index, advanced by a step that is not
// a constant, bounded by something that is not a constant) gets a cut on
// its back edge that never waits (RegionLane op 8, released by the settle
// step at once), so the block runs it one iteration at a time for all its
// threads. The loop's resume point gets its own thread loops even in a
// kernel with 8 cuts or more; they count the threads that go on,
// number the rounds and take the loop's induction variable from the round
// number. Loops bounded by a constant, loops started
// from a constant and kernels without barriers or warp collectives keep
// their per-thread loops.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

wooly.global @buf : 256 x i32 in shared align 4

// A grid-stride sum, then a barrier: cut 1 is the loop's back edge, cut 2
// its exit (a loop-exit cut, op 8 too, so the loop's rounds hold the loop
// body alone), cut 3 the barrier. Barrier-only kernels with a loop cut use
// RegionLanes.
// CHECK-LABEL: define void @__wooly_block_gridsum(
// CHECK: %lanes = alloca [40 x i8], i64
// CHECK: switch i32 %{{[0-9]+}}, label %mixed [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: i32 2, label %region2
// CHECK-NEXT: i32 3, label %region3
// CHECK-NEXT: ]
// CHECK: call i32 @__wooly_region_settle(
// Every settle step starts the loop rounds' count again.
// CHECK: store i64 0, ptr %loop.round
// CHECK: region0:
// CHECK: store i8 8, ptr
// CHECK: loop.exit.cut
// CHECK-NEXT: getelementptr inbounds i8, ptr %lane{{.*}}, i32 32
// CHECK-NEXT: store i8 8, ptr
// The loop's rounds are numbered; the first fills a byte per thread from
// the RegionLanes the settle step released (waiting, offset 34, is 0) and
// counts the threads that entered.
// CHECK: region1:
// CHECK-NEXT: %[[TOTAL:[0-9]+]] = trunc i64 %{{[0-9]+}} to i32
// CHECK-NEXT: %[[PREV:[0-9]+]] = load i64, ptr %loop.round
// CHECK-NEXT: %round.number = add nuw i64 %[[PREV]], 1
// CHECK-NEXT: store i64 %round.number, ptr %loop.round
// CHECK-NEXT: %[[FIRST:[0-9]+]] = icmp eq i64 %[[PREV]], 0
// CHECK-NEXT: br i1 %[[FIRST]], label %region1.first, label %region1.rounds
// CHECK: region1.first:
// CHECK-NEXT: store i32 0, ptr %looping
// A round whose threads are all in the loop (every thread of the block
// entered it and none has left) reads no byte:
// CHECK: region1.rounds:
// CHECK-NEXT: store i32 0, ptr %looping
// CHECK-NEXT: %[[FULL:[0-9]+]] = load i1, ptr %allinloop
// CHECK-NEXT: br i1 %[[FULL]], label %region1.full, label %region1.some
// CHECK: enter:
// CHECK: getelementptr inbounds i8, ptr %{{[0-9]+}}, i32 34
// CHECK: getelementptr i8, ptr %inloop
// CHECK: store i32 %{{[0-9]+}}, ptr %looping
// CHECK: enter.end:
// CHECK-NEXT: %[[ENTERED:[0-9]+]] = load i32, ptr %looping
// CHECK-NEXT: %[[ALL:[0-9]+]] = icmp eq i32 %[[ENTERED]], %[[TOTAL]]
// CHECK-NEXT: store i1 %[[ALL]], ptr %allinloop
// While some thread is still in the loop, the next round starts without
// the settle step; it is a full round again if every thread stayed.
// CHECK: region1.more:
// CHECK-NEXT: %[[STAYED:[0-9]+]] = load i32, ptr %looping
// CHECK-NEXT: %[[STILL:[0-9]+]] = icmp eq i32 %[[STAYED]], %[[TOTAL]]
// CHECK-NEXT: store i1 %[[STILL]], ptr %allinloop
// CHECK-NEXT: %[[ANY:[0-9]+]] = icmp ne i32 %[[STAYED]], 0
// CHECK-NEXT: br i1 %[[ANY]], label %round, label %region1.leave
// The full round's thread loop: the induction variable is first + round *
// stride, not a frame slot; a thread writes no RegionLane field (no op 8
// at the back edge or the exit, no pc, nothing of the barrier after the
// loop: op 7), only its frame slots and the count of threads going on; a
// thread that leaves, its byte (2) and its cut in `reached`.
// CHECK-NOT: store i8 {{[78]}}
// CHECK: %[[K:[0-9]+]] = trunc i64 %round.number to i32
// CHECK-NOT: store i8 {{[78]}}
// CHECK: %[[STEP:[0-9]+]] = mul i32 %[[K]], %{{[0-9]+}}
// CHECK-NEXT: %iv.round{{[.a-z0-9]*}} = add i32 %{{[0-9]+}}, %[[STEP]]
// CHECK-NOT: store i8 {{[78]}}
// CHECK: %[[AGAIN:[0-9]+]] = icmp eq i32 %{{[0-9]+}}, 1
// CHECK-NEXT: br i1 %[[AGAIN]], label %stays, label %leaves
// CHECK: leaves:
// CHECK-NEXT: getelementptr i32, ptr %reached
// CHECK-NEXT: store i32
// CHECK-NEXT: store i8 2, ptr
// CHECK-NEXT: br label %stays
// CHECK: stays:
// CHECK-NEXT: load i32, ptr %looping
// CHECK-NEXT: zext i1 %[[AGAIN]] to i32
// CHECK-NEXT: add i32
// CHECK-NEXT: store i32 %{{[0-9]+}}, ptr %looping
// The other rounds run a thread only while its byte says it is in the loop.
// CHECK: region1.some
// CHECK: getelementptr i8, ptr %inloop
// CHECK-NEXT: load i8
// CHECK-NEXT: icmp eq i8 %{{[0-9]+}}, 1
// CHECK-NOT: store i8 {{[78]}}
// CHECK: %iv.round
// CHECK-NOT: store i8 {{[78]}}
// CHECK: stays{{[0-9]+}}:
// Once no thread goes on, a thread that left the loop (in any round) gets
// its cut in its RegionLane's pc (offset 28), then the settle step runs.
// CHECK: region1.leave:
// CHECK: gone:
// CHECK-NEXT: store i8 0, ptr
// CHECK-NEXT: %[[AT:[0-9]+]] = getelementptr i32, ptr %reached
// CHECK-NEXT: %[[CUT:[0-9]+]] = load i32, ptr %[[AT]]
// CHECK: %[[PC:[0-9]+]] = getelementptr inbounds i8, ptr %{{[0-9]+}}, i32 28
// CHECK-NEXT: store i32 %[[CUT]], ptr %[[PC]]
// CHECK: store i8 8, ptr
// CHECK: store i8 7, ptr
// CHECK-NOT: __wooly_region_loop_cut
wooly.kernel @gridsum(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i64
  cf.br ^head(%first, %c0 : i32, i32)
^head(%i: i32, %acc: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next, %acc2 : i32, i32)
^done:
  %s = wooly.addressof @buf : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %sp = wooly.ptradd %s, %toff : !wooly.ptr<shared>, i64
  wooly.store %acc, %sp {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %w = wooly.load %s {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %w, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// The same loop bounded by a constant (a block-stride loop over a 256-entry
// shared table): no loop cut, the barrier-only form.
// CHECK-LABEL: define void @__wooly_block_tableinit(
// CHECK-NOT: __wooly_region_settle
// CHECK: switch i32 %{{[0-9]+}}, label %stop [
// CHECK-NEXT: i32 0, label %region0
// CHECK-NEXT: i32 1, label %region1
// CHECK-NEXT: ]
wooly.kernel @tableinit(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bdim = wooly.block_dim x : i32
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @buf : !wooly.ptr<shared>
  cf.br ^head(%tid : i32)
^head(%b: i32):
  %more = arith.cmpi slt, %b, %c256 : i32
  cf.cond_br %more, ^body, ^done
^body:
  %b64 = arith.extsi %b : i32 to i64
  %off = arith.muli %b64, %c4 : i64
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  wooly.store %c0, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  %next = arith.addi %b, %bdim : i32
  cf.br ^head(%next : i32)
^done:
  wooly.barrier
  %w = wooly.load %s {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  wooly.store %w, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// No barrier, no collective: block loops, loop left alone.
// CHECK-LABEL: define void @__wooly_block_plain(
// CHECK-NOT: __wooly_region_settle
// CHECK-NOT: store i8 8
// CHECK: ret void
wooly.kernel @plain(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bdim = wooly.block_dim x : i32
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i64
  cf.br ^head(%tid, %c0 : i32, i32)
^head(%i: i32, %acc: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %bdim : i32
  cf.br ^head(%next, %acc2 : i32, i32)
^done:
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %acc, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
