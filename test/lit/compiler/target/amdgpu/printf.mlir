// Device printf on AMD GPUs: a record in the context's printf buffer
// (compiler/target/gpu/GpuPrintfABI.h), as on NVIDIA. The code object
// exports @__wooly_printf for the executor (hipModuleGetGlobal) and reserves
// each record with one atomic add on the buffer header.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=LLVM
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 -filetype=obj -o %t.o
// RUN: ld.lld -shared %t.o -o %t.hsaco
// RUN: llvm-readelf --dyn-syms %t.hsaco | FileCheck %s --check-prefix=ELF
// RUN: llvm-objdump -d %t.hsaco | FileCheck %s --check-prefix=DIS
// Fenced: strings are read inside the arena unless they are in LDS or
// scratch.
// RUN: wooly-opt %s --wooly-fence-addresses --wooly-lower-to-rocdl=chip=gfx1100 | FileCheck %s --check-prefix=FENCED

wooly.global @fmt : 14 x i8 in global = "v=%d s=%s %%\0A\00"

// LLVM-DAG: llvm.mlir.global external protected @__wooly_printf(
// LLVM-LABEL: llvm.func amdgpu_kernelcc @greet
// LLVM: llvm.atomicrmw add {{.*}} syncscope("agent") monotonic {alignment = 8 : i64} : !llvm.ptr<1>, i64
// LLVM: llvm.atomicrmw add {{.*}} syncscope("agent") monotonic {alignment = 4 : i64} : !llvm.ptr<1>, i32
// LLVM: llvm.call @__wooly_printf_string

// ELF: OBJECT GLOBAL PROTECTED {{.*}} __wooly_printf

// DIS: <greet>:
// DIS: global_atomic_add_x2
// DIS: global_store_dword

// The format is found through the fence (data_base + offset, masked).
// FENCED-LABEL: llvm.func amdgpu_kernelcc @greet
// FENCED: llvm.call @__wooly_printf_string
// FENCED-NOT: vprintf
// FENCED-LABEL: llvm.func amdgpu_kernelcc @annotated
// FENCED: llvm.amdgcn.is.shared
// FENCED: llvm.amdgcn.is.private
// FENCED: llvm.call @__wooly_printf_string
wooly.kernel @greet(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %g = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %g, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}

wooly.kernel @annotated(%args: !wooly.ptr<local>) {
  %f = wooly.addressof @fmt : !wooly.ptr<generic>
  %n = wooly.printf %f, %args {wooly.printf_id = 0 : i32, wooly.printf_format = "v=%d s=%s %%\0A"} : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
