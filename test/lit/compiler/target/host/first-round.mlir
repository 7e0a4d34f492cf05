// Block-loop kernels with a grid-stride loop (compiler/target/host/
// FirstRound.cpp): the kernel is split at its loop's back edge into a first
// round, run for every thread in one pass over the block (no loop left in
// it, so no poll: straight-line code the loop vectorizer takes), and the
// next round, one iteration from the thread's index recomputed from the
// round number (start + round * stride: affine in the thread index, so the
// passes vectorize like the first), run in further passes over the threads
// whose `again` byte is set until none is (row polls in every pass).
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// CHECK-LABEL: define void @__wooly_block_scale(
// CHECK: %slot = alloca i32, i64 %[[TOTAL:[0-9]+]], align 16
// CHECK-NEXT: %again = alloca i8, i64 %[[TOTAL]], align 16
// After the first round, only if some thread goes round again: rounds
// over those threads.
// CHECK: z.first.end:
// CHECK-NEXT: %[[ANY:[0-9]+]] = load i8, ptr %any, align 1
// CHECK-NEXT: %[[SOME:[0-9]+]] = icmp ne i8 %[[ANY]], 0
// CHECK-NEXT: br i1 %[[SOME]], label %next, label %done
// The first round: one trip of the body, then the next index goes to the
// thread's slot when the loop would go round again.
// CHECK: x.first:
// CHECK: %[[MINE:[0-9]+]] = getelementptr i8, ptr %again
// CHECK-NOT: __wooly_poll
// CHECK: fadd float
// CHECK-NEXT: store float
// CHECK-NEXT: %[[NEXT:[0-9]+]] = add i32
// CHECK-NEXT: %[[MORE:[0-9]+]] = icmp slt i32 %[[NEXT]],
// CHECK-NEXT: br i1 %[[MORE]], label %first.again.i, label
// CHECK: first.again.i:
// CHECK-NEXT: store i32 %[[NEXT]], ptr %{{[0-9]+}}, align 4
// CHECK: scale.first_round.exit:
// CHECK-NEXT: %[[RESULT:[0-9]+]] = phi i1 [ false, %{{[0-9]+}} ], [ true, %first.again.i ]
// CHECK-NEXT: %[[FLAG:[0-9]+]] = zext i1 %[[RESULT]] to i8
// CHECK-NEXT: store i8 %[[FLAG]], ptr %[[MINE]], align 1
// CHECK: x.first.end:
// CHECK: row.poll:
// A round: the `any` byte cleared, then one iteration of each flagged
// thread, which stores its next index and flag again; another round while
// some thread set its flag.
// CHECK: next:
// CHECK-NEXT: store i8 0, ptr %any, align 1
// CHECK-NEXT: %[[COUNT:[0-9]+]] = load i64, ptr %rounds, align 8
// CHECK-NEXT: %[[ROUND:[0-9]+]] = add i64 %[[COUNT]], 1
// CHECK-NEXT: store i64 %[[ROUND]], ptr %rounds, align 8
// CHECK: z.next.end:
// CHECK-NEXT: %[[ANY2:[0-9]+]] = load i8, ptr %any, align 1
// CHECK-NEXT: %[[SOME2:[0-9]+]] = icmp ne i8 %[[ANY2]], 0
// CHECK-NEXT: br i1 %[[SOME2]], label %next, label %done
// CHECK: x.next:
// CHECK: %[[FLAGPTR:[0-9]+]] = getelementptr i8, ptr %again
// CHECK: br i1 %{{[0-9]+}}, label %next.run, label %next.skip
// CHECK: next.run:
// CHECK: %[[SLOT:[0-9]+]] = getelementptr i32, ptr %slot
// CHECK-NOT: load i32, ptr %[[SLOT]]
// CHECK: %[[R:[0-9]+]] = trunc i64 %[[ROUND]] to i32
// CHECK-NEXT: %[[RS:[0-9]+]] = mul i32 %[[R]], %[[STRIDE:[0-9]+]]
// CHECK-NEXT: %resume.i = add i32 %{{[0-9]+}}, %[[RS]]
// CHECK-NOT: __wooly_poll
// CHECK: fadd float
// CHECK: %[[STEP:[0-9]+]] = add i32 %resume.i, %[[STRIDE]]
// CHECK: next.again.i:
// CHECK-NEXT: store i32 %[[STEP]], ptr %[[SLOT]], align 4
// CHECK: scale.next_round.exit:
// CHECK-NEXT: %[[RESULT2:[0-9]+]] = phi i1 [ false, %{{[0-9]+}} ], [ true, %next.again.i ]
// CHECK-NEXT: %[[FLAG2:[0-9]+]] = zext i1 %[[RESULT2]] to i8
// CHECK-NEXT: store i8 %[[FLAG2]], ptr %[[FLAGPTR]], align 1
// CHECK: row.poll1:

// Reading memory before the loop (the bound here): the next round could
// not read it again, so the plain form stays.
// CHECK-LABEL: define void @__wooly_block_bounded(
// CHECK-NOT: x.first:
// CHECK: x:
// CHECK: call i32 @__wooly_poll(
// CHECK-NOT: x.next:
// CHECK: ret void

// A loop that tests in its header: every thread would reach the back edge
// and need another round, so the plain form stays.
// CHECK-LABEL: define void @__wooly_block_toptest(
// CHECK-NOT: x.first:
// CHECK: x:
// CHECK: call i32 @__wooly_poll(
// CHECK-NOT: x.next:
// CHECK: ret void

wooly.kernel @scale(%data: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c4 = arith.constant 4 : i64
  %any = arith.cmpi slt, %first, %n : i32
  cf.cond_br %any, ^body(%first : i32), ^done
^body(%i: i32):
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %w = arith.addf %v, %v : f32
  wooly.store %w, %p {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %next = arith.addi %i, %stride : i32
  %more = arith.cmpi slt, %next, %n : i32
  cf.cond_br %more, ^body(%next : i32), ^done
^done:
  wooly.return
}

wooly.kernel @bounded(%data: !wooly.ptr<global>, %np: !wooly.ptr<global>) {
  %n = wooly.load %np {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c4 = arith.constant 4 : i64
  %any = arith.cmpi slt, %first, %n : i32
  cf.cond_br %any, ^body(%first : i32), ^done
^body(%i: i32):
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %w = arith.addf %v, %v : f32
  wooly.store %w, %p {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %next = arith.addi %i, %stride : i32
  %more = arith.cmpi slt, %next, %n : i32
  cf.cond_br %more, ^body(%next : i32), ^done
^done:
  wooly.return
}

wooly.kernel @toptest(%data: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c4 = arith.constant 4 : i64
  cf.br ^head(%first : i32)
^head(%i: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %w = arith.addf %v, %v : f32
  wooly.store %w, %p {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next : i32)
^done:
  wooly.return
}
