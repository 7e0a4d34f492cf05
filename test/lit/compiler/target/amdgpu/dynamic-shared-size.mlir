// %dynamic_smem_size on AMD: hidden_dynamic_lds_size (u32 at 120 of the code
// object v5 implicit arguments). LLVM declares that argument in the kernel
// metadata, and so the HIP runtime fills it, only for kernels that use
// dynamic LDS: the lowering references the dynamic LDS array to make sure.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 | FileCheck %s
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx1100 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx1100 | FileCheck %s

// IR-LABEL: llvm.func amdgpu_kernelcc @dynsize
// IR: llvm.mlir.addressof @__wooly_dynamic_shared
// IR: llvm.call_intrinsic "llvm.amdgcn.implicitarg.ptr"
// IR: llvm.getelementptr {{.*}}[120]
// IR: llvm.load {{.*}} : !llvm.ptr<4> -> i32

// The explicit argument is 8 bytes, so the field is at 8 + 120 = 0x80.
// CHECK-LABEL: dynsize:
// CHECK: s_load_{{dword|b32}} {{s[0-9]+}}, s[{{[0-9]+:[0-9]+}}], 0x80
// CHECK: amdhsa.kernels:
// CHECK: .offset: 128
// CHECK-NEXT: .size: 4
// CHECK-NEXT: .value_kind: hidden_dynamic_lds_size
wooly.kernel @dynsize(%out: !wooly.ptr<global>) {
  %ds = wooly.dynamic_shared_size : i32
  wooly.store %ds, %out : i32, !wooly.ptr<global>
  wooly.return
}
