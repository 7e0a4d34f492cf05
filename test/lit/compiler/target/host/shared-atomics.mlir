// Shared-memory atomics on the host (compiler/target/host/SharedAtomics.cpp):
// a block's shared window belongs to one worker thread, so read-modify-writes
// on it become plain loads and stores; global ones stay atomic.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

wooly.global @bins : 256 x i32 in shared align 4

// CHECK-LABEL: define void @__wooly_block_count(
// CHECK-NOT: atomicrmw
// CHECK: %[[NEW:new[a-z.0-9]*]] = add i32 %[[OLD:[0-9]+]], 1
// CHECK-NEXT: store i32 %[[NEW]], ptr %{{[0-9]+}}, align 4
// CHECK-NOT: atomicrmw add ptr %{{[0-9]+}}, i32 1
// CHECK: atomicrmw add ptr %{{[0-9]+}}, i32 %[[OLD]] monotonic
wooly.kernel @count(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c255 = arith.constant 255 : i32
  %bin = arith.andi %tid, %c255 : i32
  %b64 = arith.extui %bin : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %b64, %c4 : i64
  %s = wooly.addressof @bins : !wooly.ptr<shared>
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  %c1 = arith.constant 1 : i32
  %old = wooly.atomic_rmw add %p, %c1 : !wooly.ptr<shared>, i32
  %g = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  %o2 = wooly.atomic_rmw add %g, %old : !wooly.ptr<global>, i32
  wooly.return
}
