// RUN: wooly-opt --wooly-lower-to-host --split-input-file %s | FileCheck %s
// The shared lowering's arithmetic (driven through the host target).

// ftz flushes inputs and result (|x| < smallest normal -> signed zero), sat
// clamps with maxnum/minnum so NaN becomes 0; rz goes to the target's
// directed-rounding hook.
// CHECK-LABEL: llvm.func @fp
// CHECK: llvm.intr.fabs
// CHECK: llvm.fcmp "olt"
// CHECK: llvm.intr.copysign
// CHECK: llvm.fmul
// CHECK: llvm.intr.maxnum
// CHECK: llvm.intr.minnum
// CHECK: llvm.call @__wooly_fpr_add_f32({{.*}}) : (i32, f32, f32) -> f32
// CHECK: llvm.intr.minimum
wooly.kernel @fp(%a: f32, %b: f32, %out: !wooly.ptr<global>) {
  %m = wooly.fp mul %a, %b ftz sat : f32
  %r = wooly.fp add %a, %b rounding rz : f32
  %n = wooly.fp min_nan %m, %r : f32
  wooly.store %n, %out {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}

// -----

// fptoint rounds (rm = floor), then saturates by hand: NaN -> 0, out of
// range -> INT_MIN/INT_MAX, never LLVM's poison.
// CHECK-LABEL: llvm.func @cvt
// CHECK: llvm.intr.floor
// CHECK-DAG: llvm.mlir.constant(2147483647 : i32)
// CHECK-DAG: llvm.mlir.constant(-2147483648 : i32)
// CHECK: llvm.fptosi
// CHECK: llvm.fcmp "uno"
// CHECK: llvm.select
wooly.kernel @cvt(%a: f32, %out: !wooly.ptr<global>) {
  %i = wooly.fptoint %a rm : f32 to i32
  wooly.store %i, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// Bit ops: bfe shifts through a width-checked select (no shift by >= 32),
// funnel shifts use llvm.fshl with the clamp as a select, brev bitreverse.
// CHECK-LABEL: llvm.func @bits
// CHECK: llvm.icmp "ult"
// CHECK: llvm.ashr
// CHECK: llvm.intr.fshl
// CHECK: llvm.icmp "uge"
// CHECK: llvm.intr.bitreverse
wooly.kernel @bits(%x: i32, %p: i32, %out: !wooly.ptr<global>) {
  %c8 = arith.constant 8 : i32
  %f = wooly.bfe %x, %p, %c8 signed : i32
  %s = wooly.funnel_shift %x, %f, %p left clamp : i32
  %r = wooly.bit_reverse %s : i32
  wooly.store %r, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// Integer division on the host never traps: the divisor is replaced by 1
// when it is 0 or when INT_MIN / -1 would overflow.
// CHECK-LABEL: llvm.func @div
// CHECK: llvm.icmp "eq"
// CHECK: llvm.select
// CHECK: llvm.sdiv
wooly.kernel @div(%a: i32, %b: i32, %out: !wooly.ptr<global>) {
  %q = arith.divsi %a, %b : i32
  wooly.store %q, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
