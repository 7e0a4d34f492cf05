// Cancellation polls on the host (compiler/target/host/CancellationPolls.cpp):
// a loop that may run long polls the launch's cancel word at its header,
// and a block entry polls between rows of threads. The fast path is one
// relaxed atomic load and an unlikely branch; a nonzero word calls
// __wooly_poll (which may pause the worker for a latency-sensitive launch)
// and only a nonzero answer (a cancel) leaves the code; otherwise it
// continues where it was.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// CHECK: declare i32 @__wooly_poll(ptr)
// CHECK-LABEL: define void @__wooly_block_count(
// The loop header's poll.
// CHECK: = phi i32 {{.*}}[ 0, %x ]
// CHECK-NEXT: %[[FIELD:[0-9]+]] = getelementptr inbounds i8, ptr %{{[0-9]+}}, i32 80
// CHECK-NEXT: %[[WORD:[0-9]+]] = load ptr, ptr %[[FIELD]], align 8
// CHECK-NEXT: %[[FLAG:[0-9]+]] = load atomic i32, ptr %[[WORD]] monotonic, align 4
// CHECK-NEXT: %[[SET:[0-9]+]] = icmp ne i32 %[[FLAG]], 0
// CHECK-NEXT: br i1 %[[SET]], label %[[SLOW:[0-9]+]], label %[[GO:[0-9]+]], !prof
// CHECK: [[SLOW]]:
// CHECK-NEXT: %[[ANSWER:[0-9]+]] = call i32 @__wooly_poll(ptr %[[WORD]])
// CHECK-NEXT: %[[STOP:[0-9]+]] = icmp ne i32 %[[ANSWER]], 0
// CHECK-NEXT: br i1 %[[STOP]], label %[[LEAVE:[0-9]+]], label %[[ON:[0-9]+]], !prof
// CHECK: [[LEAVE]]:
// The runtime's pointer (context offset 128), not the context: the block
// entry's private copy of the context must not escape into a call, or SROA
// cannot turn its tid fields into the thread loops' counters.
// CHECK-NEXT: %[[RTFIELD:[0-9]+]] = getelementptr inbounds i8, ptr %{{[0-9]+}}, i32 128
// CHECK-NEXT: %[[RT:[0-9]+]] = load ptr, ptr %[[RTFIELD]], align 8
// CHECK-NEXT: call void @__wooly_cancelled(ptr %[[RT]])
// CHECK: [[ON]]:
// CHECK-NEXT: br label %[[GO]]
// CHECK: [[GO]]:
// The row poll of the block entry.
// CHECK: x.end:
// CHECK-NEXT: %[[ROW:[0-9]+]] = load atomic i32, ptr %cancel monotonic, align 4
// CHECK-NEXT: %[[ROWSET:[0-9]+]] = icmp ne i32 %[[ROW]], 0
// CHECK-NEXT: br i1 %[[ROWSET]], label %row.poll, label %row.done, !prof
// CHECK: row.poll:
// CHECK-NEXT: %[[ROWANSWER:[0-9]+]] = call i32 @__wooly_poll(ptr %cancel)
// CHECK-NEXT: %[[ROWSTOP:[0-9]+]] = icmp ne i32 %[[ROWANSWER]], 0
// CHECK-NEXT: br i1 %[[ROWSTOP]], label %stop, label %row.done, !prof
wooly.kernel @count(%p: !wooly.ptr<global>, %n: i32) {
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  wooly.store %i, %p {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  %one = arith.constant 1 : i32
  %next = arith.addi %i, %one : i32
  cf.br ^loop(%next : i32)
^done:
  wooly.return
}
