// The local area on the host (compiler/target/host/LocalMemory.cpp,
// HostABI.h): a local slot whose address escapes (here: as a generic
// pointer passed to a device function) leaves the stack for a frame taken
// at ctx->localTop (offset 160), checked against localHigh (120), given back
// on return; a slot that does not escape stays an alloca. A local address
// made from an integer is kept within localLow (112) .. localHigh.
// RUN: wooly-cc %s --target=host --emit=llvm -O0 -o - | FileCheck %s

// CHECK-LABEL: define void @__wooly_block_escaping(
// Only the 16-byte slot that stays local is an alloca.
// CHECK: %[[KEPT:[0-9]+]] = alloca i8, i64 16, align 8
// CHECK-NOT: alloca i8, i64 48
// CHECK: %[[CTX:[0-9]+]] = alloca [{{[0-9]+}} x i8], align 16
// CHECK: %[[TOPAT:[0-9]+]] = getelementptr inbounds i8, ptr %[[CTX]], i32 160
// CHECK: %[[TOP:local\.top[.a-z0-9]*]] = load ptr, ptr %[[TOPAT]]
// CHECK: getelementptr inbounds i8, ptr %[[CTX]], i32 120
// CHECK: %[[FRAME:local\.frame[.a-z0-9]*]] = getelementptr i8, ptr %[[TOP]]
// CHECK: %[[END:[0-9]+]] = getelementptr i8, ptr %[[FRAME]], i64 48
// CHECK: icmp ugt i64
// A full area fails the launch and the function returns without a frame
// (in block loops and regions __wooly_trap returns: no `unreachable` here).
// CHECK: call void @__wooly_trap(ptr %[[CTX]])
// CHECK-NOT: unreachable
// CHECK-NEXT: getelementptr inbounds i8, ptr %[[CTX]], i32 160
// CHECK-NEXT: store ptr %[[TOP]], ptr
// CHECK-NEXT: br label
// CHECK: store ptr %[[END]], ptr
// CHECK: call void @llvm.memset.{{.*}}(ptr align 8 %[[KEPT]], i8 0, i64 16, i1 false)
// CHECK: call void @llvm.memset.{{.*}}(ptr align 8 %[[FRAME]], i8 0, i64 48, i1 false)
// CHECK: call void @use(ptr %[[CTX]], ptr %[[FRAME]])
// CHECK: store ptr %[[TOP]], ptr
wooly.func @use(%p: !wooly.ptr<generic>) {
  %v = arith.constant 5 : i32
  wooly.store %v, %p {alignment = 4 : i64} : i32, !wooly.ptr<generic>
  wooly.return
}
wooly.kernel @escaping(%out: !wooly.ptr<global>) {
  %buf = wooly.local_alloca 48 align 8 : !wooly.ptr<local>
  %kept = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  wooly.call @use(%g) : (!wooly.ptr<generic>) -> ()
  %x = wooly.load %buf {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  %c1 = arith.constant 1 : i32
  wooly.store %c1, %kept {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %y = wooly.load %kept {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  %s = arith.addi %x, %y : i32
  wooly.store %s, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: define void @__wooly_block_from_int(
// CHECK: %[[OFFSET:[0-9]+]] = zext i32 %{{.*}} to i64
// CHECK: getelementptr inbounds i8, ptr %{{.*}}, i32 112
// CHECK: getelementptr inbounds i8, ptr %{{.*}}, i32 120
// CHECK: %[[KEEP:[0-9]+]] = call i64 @llvm.umin.i64(i64 %[[OFFSET]], i64 %{{.*}})
// CHECK: %[[P:[0-9]+]] = getelementptr i8, ptr %{{.*}}, i64 %[[KEEP]]
// CHECK: load i32, ptr %[[P]]
wooly.kernel @from_int(%out: !wooly.ptr<global>, %offset: i32) {
  %p = wooly.inttoptr %offset : i32 to !wooly.ptr<local>
  %x = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  wooly.store %x, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// A region kernel (inlined into its block entry at -O0): the escaping slot
// (its generic address is tested with is_space) is the thread's part of the
// local area, localLow + linear thread index * 32; the block entry first
// moves localTop above all the parts.
// CHECK-LABEL: define void @__wooly_block_regions(
// CHECK: %[[PARTS:[0-9]+]] = mul i64 %{{.*}}, 32
// CHECK: %[[ABOVE:[0-9]+]] = getelementptr i8, ptr %{{.*}}, i64 %[[PARTS]]
// CHECK: store ptr %[[ABOVE]], ptr
// CHECK: %[[LOCAL:local[.a-z0-9]*]] = load ptr, ptr
// CHECK: %[[MINE:[0-9]+]] = mul i64 %linear{{[.a-z0-9]*}}, 32
// CHECK: getelementptr inbounds i8, ptr %[[LOCAL]], i64 %[[MINE]]
wooly.kernel @regions(%out: !wooly.ptr<global>) {
  %buf = wooly.local_alloca 32 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  %is = wooly.is_space %g, local : !wooly.ptr<generic>
  %v = arith.extui %is : i1 to i32
  wooly.store %v, %buf {alignment = 4 : i64} : i32, !wooly.ptr<local>
  wooly.barrier
  %x = wooly.load %buf {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  wooly.store %x, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
