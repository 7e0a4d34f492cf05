// A fenced kernel's printf: the format is known at compile time (traced
// through the fence to the data segment, or annotated before fencing as the
// executor does: the attributes on @show); the %s string is read byte by
// byte inside the session's arena unless it is in shared or local memory,
// and the record itself goes to the printf buffer, outside the arena.
// RUN: wooly-opt %s --wooly-fence-addresses --wooly-lower-to-nvvm=chip=sm_90 | FileCheck %s --check-prefix=LLVM
// RUN: wooly-opt %s --wooly-fence-addresses --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mcpu=sm_90 | FileCheck %s

wooly.global @fmt : 6 x i8 in global = "<%s>\0A\00"

// LLVM-LABEL: llvm.func ptx_kernelcc @show
// LLVM-SAME: %[[BASE:[a-z0-9]+]]: i64 {wooly.hidden = "arena_base"}, %[[MASK:[a-z0-9]+]]: i64 {wooly.hidden = "arena_mask"}
// LLVM: %[[STR:.*]] = llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<5> -> i64
// LLVM: %[[P:.*]] = llvm.inttoptr %[[STR]] : i64 to !llvm.ptr
// LLVM: %[[S:.*]] = llvm.call_intrinsic "llvm.nvvm.isspacep.shared"(%[[P]])
// LLVM: %[[L:.*]] = llvm.call_intrinsic "llvm.nvvm.isspacep.local"(%[[P]])
// LLVM: %[[KEEP:.*]] = llvm.or %[[S]], %[[L]] : i1
// LLVM: %[[B:.*]] = llvm.select %[[KEEP]], %{{.*}}, %[[BASE]] : i1, i64
// LLVM: %[[M:.*]] = llvm.select %[[KEEP]], %{{.*}}, %[[MASK]] : i1, i64
// LLVM: llvm.call @__wooly_printf_string(%{{[0-9]+}}, %[[STR]], %{{[0-9]+}}, %[[B]], %[[M]])
// LLVM: llvm.atomicrmw add
// LLVM: llvm.call @__wooly_printf_string(%{{[0-9]+}}, %[[STR]], %{{[0-9]+}}, %[[B]], %[[M]])

// CHECK-LABEL: .func (.param .b32 func_retval0) __wooly_printf_string
// CHECK: and.b64
// CHECK: or.b64
// CHECK: ld.b8
// CHECK-LABEL: .entry show
// CHECK: isspacep.shared
// CHECK: atom.global.add.u64
wooly.kernel @show(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<generic>
  %n = wooly.printf %f, %args {wooly.printf_id = 0 : i32, wooly.printf_format = "<%s>\0A"} : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

// LLVM-LABEL: llvm.func ptx_kernelcc @traced
// LLVM: llvm.atomicrmw add
// LLVM-NOT: vprintf
// CHECK-LABEL: .entry traced
// CHECK-NOT: vprintf
// CHECK: atom.global.add.u64
wooly.kernel @traced(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %c1 = arith.constant 1 : i64
  %g = wooly.ptradd %f, %c1 : !wooly.ptr<global>, i64
  %h = wooly.cast_space %g : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %h, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

// In a device function the string is fenced with the function's own arena
// parameters (fencing gives every function them).
// LLVM-LABEL: llvm.func @helper(
// LLVM-SAME: %[[FBASE:[a-z0-9]+]]: i64 {wooly.hidden = "arena_base"}, %[[FMASK:[a-z0-9]+]]: i64 {wooly.hidden = "arena_mask"}
// LLVM: llvm.select %{{.*}}, %{{.*}}, %[[FBASE]] : i1, i64
// LLVM: llvm.select %{{.*}}, %{{.*}}, %[[FMASK]] : i1, i64
// LLVM: llvm.call @__wooly_printf_string
wooly.func @helper(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<generic>
  %n = wooly.printf %f, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

// LLVM-LABEL: llvm.func ptx_kernelcc @calls
wooly.kernel @calls(%args: !wooly.ptr<local>) {
  wooly.call @helper(%args) : (!wooly.ptr<local>) -> ()
  wooly.return
}
