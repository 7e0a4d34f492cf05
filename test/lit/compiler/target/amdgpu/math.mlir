// Approximate math uses the hardware transcendental units (v_sin/v_cos take
// revolutions); directed rounding is computed exactly in software from the
// round-to-nearest result and its error term (docs/gpu-backends.md).
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 | FileCheck %s
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR

// CHECK-LABEL: approx:
// CHECK-DAG: v_exp_f32
// CHECK-DAG: v_log_f32
// CHECK-DAG: v_sin_f32
// CHECK-DAG: v_cos_f32
// CHECK-DAG: v_rsq_f32
// CHECK-DAG: v_sqrt_f32
// CHECK-DAG: v_rcp_f32
// CHECK: s_endpgm
wooly.kernel @approx(%out: !wooly.ptr<global>, %u: f32, %b: f32) {
  %tid = wooly.thread_id x : i32
  %tf = arith.uitofp %tid : i32 to f32
  %a = arith.addf %u, %tf : f32
  %0 = wooly.approx ex2 %a : f32
  %1 = wooly.approx lg2 %0 : f32
  %2 = wooly.approx sin %1 : f32
  %3 = wooly.approx cos %2 : f32
  %4 = wooly.approx rsqrt %3 : f32
  %5 = wooly.approx sqrt %4 : f32
  %6 = wooly.approx div %5, %b : f32
  %7 = wooly.approx tanh %6 : f32
  wooly.store %7, %out : f32, !wooly.ptr<global>
  wooly.return
}

// IR-LABEL: llvm.func amdgpu_kernelcc @rounding
// TwoSum for the add: r = a + b, then the exact error terms.
// IR: %[[R:.*]] = llvm.fadd
// IR: llvm.fsub %[[R]]
// IR: llvm.bitcast
// Residual of the division through fma.
// IR: llvm.fdiv
// IR: llvm.intr.fma
// CHECK-LABEL: rounding:
// CHECK: v_fma_f32
// CHECK: s_endpgm
wooly.kernel @rounding(%out: !wooly.ptr<global>, %a: f32, %b: f32, %d: f64) {
  %0 = wooly.fp add %a, %b rounding rz : f32
  %1 = wooly.fp div %0, %b rounding rp : f32
  %2 = wooly.fp mul %1, %b rounding rm : f32
  %3 = wooly.fpconvert %d rounding rz : f64 to f32
  %4 = arith.addf %2, %3 : f32
  wooly.store %4, %out : f32, !wooly.ptr<global>
  wooly.return
}
