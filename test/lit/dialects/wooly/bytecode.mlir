// RUN: wooly-opt %s -emit-bytecode | wooly-opt | FileCheck %s

// WIS travels as MLIR bytecode: custom types, enum attributes and function
// ops survive the round trip.

// CHECK: wooly.global @lut : 2 x i32 in const align 8 = dense<[7, 9]> : tensor<2xi32>
wooly.global @lut : 2 x i32 in const align 8 = dense<[7, 9]> : tensor<2xi32>

// CHECK-LABEL: wooly.kernel @k
// CHECK-SAME: !wooly.ptr<global>
wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) attributes {max_threads = 128 : i32} {
  // CHECK: wooly.atomic_rmw add %{{.*}}, %{{.*}} {order = #wooly<order acq_rel>, scope = #wooly<scope sys>}
  %old = wooly.atomic_rmw add %p, %v {order = #wooly<order acq_rel>, scope = #wooly<scope sys>} : !wooly.ptr<global>, i32
  // CHECK: wooly.shuffle xor
  %s, %ok = wooly.shuffle xor %old, %v, %v, %v : i32
  // CHECK: wooly.fp add %{{.*}}, %{{.*}} rounding rz ftz : f32
  %f = arith.bitcast %s : i32 to f32
  %g = wooly.fp add %f, %f rounding rz ftz : f32
  wooly.return
}
