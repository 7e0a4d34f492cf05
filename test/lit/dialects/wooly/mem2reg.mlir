// RUN: wooly-opt %s -mem2reg -canonicalize | FileCheck %s

// PTX registers become SSA values: slots, reads and writes disappear and
// control-flow merges become block arguments (here folded into a select).

// CHECK-LABEL: wooly.kernel @select_max
// CHECK-NOT: wooly.reg
// CHECK: %[[V:.*]] = arith.select
// CHECK: wooly.store %[[V]]
wooly.kernel @select_max(%a: i32, %b: i32, %out: !wooly.ptr<global>) {
  %r = wooly.reg : !wooly.reg<i32>
  %gt = arith.cmpi sgt, %a, %b : i32
  cf.cond_br %gt, ^then, ^else
^then:
  wooly.reg_write %a, %r : !wooly.reg<i32>
  cf.br ^join
^else:
  wooly.reg_write %b, %r : !wooly.reg<i32>
  cf.br ^join
^join:
  %v = wooly.reg_read %r : !wooly.reg<i32>
  wooly.store %v, %out : i32, !wooly.ptr<global>
  wooly.return
}

// An unwritten register reads as zero.
// CHECK-LABEL: wooly.kernel @unwritten
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: wooly.store %[[Z]]
wooly.kernel @unwritten(%out: !wooly.ptr<global>) {
  %r = wooly.reg : !wooly.reg<f32>
  %v = wooly.reg_read %r : !wooly.reg<f32>
  wooly.store %v, %out : f32, !wooly.ptr<global>
  wooly.return
}
