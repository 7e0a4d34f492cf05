// Approximate math maps onto the .approx instructions; IEEE operations with
// a static rounding mode onto the rounding-mode forms of add/mul/div/fma/
// sqrt/rcp/cvt.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK-LABEL: .entry approx
wooly.kernel @approx(%out: !wooly.ptr<global>, %out2: !wooly.ptr<global>, %a: f32, %b: f32, %h: f16, %d: f64) {
  // CHECK-DAG: ex2.approx.f32
  %0 = wooly.approx ex2 %a : f32
  // CHECK-DAG: lg2.approx.f32
  %1 = wooly.approx lg2 %0 : f32
  // CHECK-DAG: sin.approx.f32
  %2 = wooly.approx sin %1 : f32
  // CHECK-DAG: cos.approx.f32
  %3 = wooly.approx cos %2 : f32
  // CHECK-DAG: rsqrt.approx.f32
  %4 = wooly.approx rsqrt %3 : f32
  // CHECK-DAG: sqrt.approx.f32
  %5 = wooly.approx sqrt %4 : f32
  // CHECK-DAG: div.approx.f32
  %6 = wooly.approx div %5, %b : f32
  // CHECK-DAG: tanh.approx.f32
  %7 = wooly.approx tanh %6 : f32
  // CHECK-DAG: rcp.approx.ftz.f64
  %8 = wooly.approx rcp %d : f64
  %9 = wooly.approx ex2 %h : f16
  %ext = arith.extf %9 : f16 to f32
  %10 = arith.addf %7, %ext : f32
  wooly.store %10, %out : f32, !wooly.ptr<global>
  wooly.store %8, %out2 : f64, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry rounding
wooly.kernel @rounding(%out: !wooly.ptr<global>, %a: f32, %b: f32, %c: f32, %d: f64, %i: i32, %l: i64) {
  // CHECK-DAG: add.rz.f32
  %0 = wooly.fp add %a, %b rounding rz : f32
  // CHECK-DAG: mul.rm.f32
  %1 = wooly.fp mul %0, %b rounding rm : f32
  // CHECK-DAG: div.rp.f32
  %2 = wooly.fp div %1, %c rounding rp : f32
  // CHECK-DAG: fma.rz.f32
  %3 = wooly.fp fma %2, %b, %c rounding rz : f32
  // CHECK-DAG: sqrt.rm.f64
  %4 = wooly.fp sqrt %d rounding rm : f64
  // CHECK-DAG: rcp.rp.f64
  %5 = wooly.fp rcp %4 rounding rp : f64
  // CHECK-DAG: cvt.rz.f32.s32
  %6 = wooly.inttofp %i rz : i32 to f32
  // CHECK-DAG: cvt.rm.f32.u64
  %7 = wooly.inttofp %l rm unsigned : i64 to f32
  // CHECK-DAG: cvt.rp.f32.f64
  %8 = wooly.fpconvert %5 rounding rp : f64 to f32
  %s0 = arith.addf %3, %6 : f32
  %s1 = arith.addf %s0, %7 : f32
  %s2 = arith.addf %s1, %8 : f32
  wooly.store %s2, %out : f32, !wooly.ptr<global>
  wooly.return
}
