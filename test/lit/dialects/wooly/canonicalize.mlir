// RUN: wooly-opt %s -canonicalize -split-input-file | FileCheck %s

// Folds of address arithmetic.

// CHECK-LABEL: wooly.kernel @folds
// CHECK-SAME: (%[[P:.*]]: !wooly.ptr<global>, %[[I:.*]]: i64, %[[S:.*]]: !wooly.ptr<shared>)
wooly.kernel @folds(%p: !wooly.ptr<global>, %i: i64, %s: !wooly.ptr<shared>) {
  %c0 = arith.constant 0 : i64
  // ptradd by zero is the pointer itself.
  // CHECK-NOT: wooly.ptradd
  %q = wooly.ptradd %p, %c0 : !wooly.ptr<global>, i64
  // CHECK: wooly.store %{{.*}}, %[[P]]
  %one = arith.constant 1 : i32
  wooly.store %one, %q : i32, !wooly.ptr<global>
  // inttoptr(ptrtoint(p)) is p; ptrtoint(inttoptr(i)) is i.
  // CHECK-NOT: wooly.ptrtoint
  %pi = wooly.ptrtoint %p : !wooly.ptr<global> to i64
  %pp = wooly.inttoptr %pi : i64 to !wooly.ptr<global>
  // CHECK: wooly.store %{{.*}}, %[[P]]
  wooly.store %one, %pp : i32, !wooly.ptr<global>
  %ip = wooly.inttoptr %i : i64 to !wooly.ptr<global>
  %ii = wooly.ptrtoint %ip : !wooly.ptr<global> to i64
  // CHECK: wooly.inttoptr %[[I]]
  %back = wooly.inttoptr %ii : i64 to !wooly.ptr<global>
  wooly.store %one, %back : i32, !wooly.ptr<global>
  // A round trip through generic is the original pointer.
  // CHECK-NOT: wooly.cast_space
  %g = wooly.cast_space %s : !wooly.ptr<shared> to !wooly.ptr<generic>
  %s2 = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<shared>
  // CHECK: wooly.store %{{.*}}, %[[S]]
  wooly.store %one, %s2 : i32, !wooly.ptr<shared>
  wooly.return
}
