// Device printf with a constant format: a record in the context's printf
// buffer (compiler/target/gpu/GpuPrintfABI.h), reserved with one atomic add
// on the buffer header; the %s string is measured and copied on the device.
// A format that is not a constant string falls back to the driver's vprintf.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | FileCheck %s --check-prefix=LLVM
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

wooly.global @fmt : 14 x i8 in global = "v=%d s=%s %%\0A\00"
wooly.global @plain : 7 x i8 in global = "hello\0A\00"

// LLVM-DAG: llvm.mlir.global external @__wooly_printf(dense<0> : tensor<2xi64>) {addr_space = 1 : i32, alignment = 8 : i64} : !llvm.array<2 x i64>
// LLVM-DAG: llvm.func internal @__wooly_printf_string(%arg0: !llvm.ptr<1>, %arg1: i64, %arg2: i32, %arg3: i64, %arg4: i64) -> i32
// LLVM-LABEL: llvm.func ptx_kernelcc @greet
// The buffer (and the module's tag) from @__wooly_printf.
// LLVM: %[[SLOT:.*]] = llvm.mlir.addressof @__wooly_printf : !llvm.ptr<1>
// LLVM: %[[BUF:.*]] = llvm.load %[[SLOT]] {alignment = 8 : i64} : !llvm.ptr<1> -> i64
// The %s pointer is read from the argument buffer and measured before the
// reservation (no destination: a null pointer).
// LLVM: %[[STR:.*]] = llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<5> -> i64
// LLVM: %[[LEN:.*]] = llvm.call @__wooly_printf_string(%{{[0-9]+}}, %[[STR]], {{.*}}) : (!llvm.ptr<1>, i64, i32, i64, i64) -> i32
// No buffer: no record.
// LLVM: llvm.icmp "ne" %[[BUF]]
// One atomic add reserves the record; past the capacity the drop count grows.
// LLVM: llvm.atomicrmw add %{{.*}}, %{{.*}} syncscope("device") monotonic {alignment = 8 : i64} : !llvm.ptr<1>, i64
// LLVM: llvm.icmp "ule"
// LLVM: llvm.atomicrmw add %{{.*}}, %{{.*}} syncscope("device") monotonic {alignment = 4 : i64} : !llvm.ptr<1>, i32
// The record: size, tag, format, argument bytes; the arguments; the string's
// length and its bytes.
// LLVM-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// LLVM: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<5> -> i32
// LLVM: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// LLVM: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<5> -> i64
// LLVM: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : i64, !llvm.ptr<1>
// LLVM: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// LLVM: llvm.call @__wooly_printf_string(%{{[0-9]+}}, %[[STR]], %[[LEN]], {{.*}})
// The second printf takes no arguments: no copy, no string.
// LLVM: llvm.mlir.addressof @plain
// LLVM: llvm.atomicrmw add
// LLVM-NOT: !llvm.ptr<5>
// LLVM-NOT: @__wooly_printf_string
// LLVM-LABEL: llvm.func ptx_kernelcc @dynamic
// LLVM: llvm.call @vprintf

// CHECK: .visible .global .align 8 .b8 __wooly_printf[16];
// CHECK-LABEL: .entry greet
// CHECK: ld.global.b64 {{.*}}[__wooly_printf];
// CHECK: call.uni (retval0), __wooly_printf_string
// CHECK: atom.global.add.u64
// CHECK: st.global.b32 [%rd{{[0-9]+}}+16],
// CHECK: st.global.b32 [%rd{{[0-9]+}}+28], 16;
// CHECK: ld.local.b32
// CHECK: ld.local.b64
// CHECK: atom.global.add.u32
// CHECK-NOT: vprintf
// CHECK-LABEL: .entry dynamic
// CHECK: call.uni (retval0), vprintf
wooly.kernel @greet(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %g = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %g, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  %p = wooly.addressof @plain : !wooly.ptr<generic>
  %m = wooly.printf %p, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

wooly.kernel @dynamic(%fmt: !wooly.ptr<generic>, %args: !wooly.ptr<local>) {
  %n = wooly.printf %fmt, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
