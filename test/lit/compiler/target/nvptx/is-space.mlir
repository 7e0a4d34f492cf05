// PTX isspacep on NVIDIA; apertures (is.shared / is.private) on AMD.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=AMD

// CHECK-LABEL: .entry k
// CHECK-DAG: isspacep.shared
// CHECK-DAG: isspacep.global
// AMD: llvm.call_intrinsic "llvm.amdgcn.is.shared"
// AMD: llvm.call_intrinsic "llvm.amdgcn.is.private"
wooly.kernel @k(%out: !wooly.ptr<global>, %table: !wooly.ptr<global>) {
  // A generic pointer the compiler cannot see through.
  %g = wooly.load %table {alignment = 8 : i64} : !wooly.ptr<global> -> !wooly.ptr<generic>
  %s = wooly.is_space %g, shared : !wooly.ptr<generic>
  %gl = wooly.is_space %g, global : !wooly.ptr<generic>
  %both = arith.xori %s, %gl : i1
  %w = arith.extui %both : i1 to i32
  wooly.store %w, %out : i32, !wooly.ptr<global>
  wooly.return
}
