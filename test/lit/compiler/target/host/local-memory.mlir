// Local memory on the host (compiler/target/host/LocalMemory.cpp): every
// slot is zeroed where it is allocated; an access whose offset is not a
// constant in bounds is clamped into its slot; constant in-bounds accesses
// are left alone.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// The kernel is inlined into its block entry (-O0 still runs the always-inliner).
// CHECK-LABEL: define void @__wooly_block_locals(
// CHECK: %[[SLOT:[0-9]+]] = alloca i8, i64 16, align 8
// CHECK: call void @llvm.memset.{{.*}}(ptr align 8 %[[SLOT]], i8 0, i64 16, i1 false)
// The last offset where the 4-byte store fits, aligned as the store (4),
// not as the slot (8).
// CHECK: %[[CLAMPED:[0-9]+]] = call i64 @llvm.umin.i64(i64 %{{.*}}, i64 12)
// CHECK: %[[CONFINED:[a-z.0-9]+]] = getelementptr i8, ptr %[[SLOT]], i64 %[[CLAMPED]]
// CHECK: store i32 99, ptr %[[CONFINED]]
// CHECK-NOT: umin
// CHECK: load i32, ptr
// CHECK: ret void
wooly.kernel @locals(%out: !wooly.ptr<global>, %offset: i64) {
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %v = arith.constant 99 : i32
  %q = wooly.ptradd %buf, %offset : !wooly.ptr<local>, i64
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %c8 = arith.constant 8 : i64
  %last = wooly.ptradd %buf, %c8 : !wooly.ptr<local>, i64
  %x = wooly.load %last {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  wooly.store %x, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
