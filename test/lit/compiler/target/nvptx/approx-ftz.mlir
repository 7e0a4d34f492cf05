// ftz approximations map onto PTX's .approx.ftz.f32 forms, which flush
// subnormal inputs and results themselves: no compares and selects around
// them (those, and the non-ftz form's subnormal scaling, made hsqrt several
// SASS instructions instead of one MUFU.SQRT). Other types, and tanh (no
// .ftz form), keep the explicit flushes.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90 %t.ptx -o %t.cubin %}

// CHECK-LABEL: .entry ftz
// CHECK-NOT: setp
// CHECK-DAG: ex2.approx.ftz.f32
// CHECK-DAG: lg2.approx.ftz.f32
// CHECK-DAG: sin.approx.ftz.f32
// CHECK-DAG: cos.approx.ftz.f32
// CHECK-DAG: rsqrt.approx.ftz.f32
// CHECK-DAG: sqrt.approx.ftz.f32
// CHECK-DAG: div.approx.ftz.f32
// CHECK-DAG: rcp.approx.ftz.f32
// CHECK-NOT: setp
// CHECK: ret;
wooly.kernel @ftz(%out: !wooly.ptr<global>, %a: f32, %b: f32) {
  %0 = wooly.approx ex2 %a ftz : f32
  %1 = wooly.approx lg2 %0 ftz : f32
  %2 = wooly.approx sin %1 ftz : f32
  %3 = wooly.approx cos %2 ftz : f32
  %4 = wooly.approx rsqrt %3 ftz : f32
  %5 = wooly.approx sqrt %4 ftz : f32
  %6 = wooly.approx div %5, %b ftz : f32
  %7 = wooly.approx rcp %6 ftz : f32
  wooly.store %7, %out : f32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry flushed
// CHECK: setp
// CHECK: tanh.approx.f32
// CHECK: setp
wooly.kernel @flushed(%out: !wooly.ptr<global>, %a: f32) {
  %0 = wooly.approx tanh %a ftz : f32
  wooly.store %0, %out : f32, !wooly.ptr<global>
  wooly.return
}
