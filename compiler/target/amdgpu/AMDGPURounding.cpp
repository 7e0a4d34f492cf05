//===- AMDGPURounding.cpp - Directed rounding on AMD GPUs -----------------===//
//
// AMDGPU has a rounding-mode register but LLVM gives no ordered way to change
// it around one operation outside strictfp functions. WIS ops with a static
// rounding mode are therefore computed exactly in software:
//
//   1. r = the round-to-nearest result;
//   2. the sign of the exact error e = exact - r, from an error-free
//      transformation (TwoSum for add/sub, fma residuals for mul, div, rcp,
//      sqrt, a widened difference for f64 -> f32);
//   3. r moves one ulp towards the requested direction when e points there.
//
// This gives the correctly rounded result in every mode for normal and
// subnormal results; a mul/div whose residual underflows may be off by one
// ulp in the directed modes (documented in docs/gpu-backends.md). fma and
// integer conversions with directed rounding are not supported on AMDGPU.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/amdgpu/AMDGPUTargetInfo.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace wooly::amdgpu {

namespace {

struct Builder {
  OpBuilder &b;
  Location loc;
  Type type;    // the float type
  Type intType; // an integer of the same width

  Value fconst(double v) {
    return LLVM::ConstantOp::create(b, loc, type, b.getFloatAttr(type, v));
  }
  Value iconst(int64_t v) {
    return LLVM::ConstantOp::create(b, loc, intType,
                                    b.getIntegerAttr(intType, v));
  }
  Value fcmp(LLVM::FCmpPredicate p, Value x, Value y) {
    return LLVM::FCmpOp::create(b, loc, p, x, y);
  }
  Value positive(Value x) {
    return fcmp(LLVM::FCmpPredicate::ogt, x, fconst(0));
  }
  Value negative(Value x) {
    return fcmp(LLVM::FCmpPredicate::olt, x, fconst(0));
  }
  Value select(Value c, Value x, Value y) {
    return LLVM::SelectOp::create(b, loc, c, x, y);
  }
  Value andOf(Value x, Value y) { return LLVM::AndOp::create(b, loc, x, y); }
  Value orOf(Value x, Value y) { return LLVM::OrOp::create(b, loc, x, y); }

  /// The next representable value above `x` (finite x).
  Value nextUp(Value x) {
    Value bits = LLVM::BitcastOp::create(b, loc, intType, x);
    unsigned width = intType.getIntOrFloatBitWidth();
    Value magnitude = LLVM::AndOp::create(
        b, loc, bits, iconst(static_cast<int64_t>(~0ull >> (65 - width))));
    Value isZero = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq,
                                        magnitude, iconst(0));
    Value isNeg =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::slt, bits, iconst(0));
    Value up = select(isNeg, LLVM::SubOp::create(b, loc, bits, iconst(1)),
                      LLVM::AddOp::create(b, loc, bits, iconst(1)));
    up = select(isZero, iconst(1), up);
    return LLVM::BitcastOp::create(b, loc, type, up);
  }
  Value nextDown(Value x) {
    return LLVM::FNegOp::create(b, loc,
                                nextUp(LLVM::FNegOp::create(b, loc, x)));
  }
  Value largest(bool negativeSign) {
    const llvm::fltSemantics &semantics =
        cast<FloatType>(type).getFloatSemantics();
    return LLVM::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(type,
                       llvm::APFloat::getLargest(semantics, negativeSign)));
  }
  Value isInf(Value x) {
    return fcmp(LLVM::FCmpPredicate::oeq, LLVM::FAbsOp::create(b, loc, x),
                fconst(std::numeric_limits<double>::infinity()));
  }
  Value isFinite(Value x) {
    return fcmp(LLVM::FCmpPredicate::olt, LLVM::FAbsOp::create(b, loc, x),
                fconst(std::numeric_limits<double>::infinity()));
  }

  /// Moves the nearest result `r` per the rounding mode, given whether the
  /// exact value lies above or below it; `overflowed` says r became an
  /// infinity from finite operands.
  Value adjust(Rounding rounding, Value r, Value above, Value below,
               Value overflowed) {
    Value down = nextDown(r), up = nextUp(r);
    Value result = r;
    Value posR = positive(r);
    switch (rounding) {
    case Rounding::RZ:
      result = select(andOf(below, posR), down, r);
      result = select(andOf(above, negative(r)), up, result);
      result = select(overflowed, select(posR, largest(false), largest(true)),
                      result);
      break;
    case Rounding::RM:
      result = select(below, down, r);
      result = select(andOf(overflowed, posR), largest(false), result);
      break;
    case Rounding::RP:
      result = select(above, up, r);
      result = select(andOf(overflowed, negative(r)), largest(true), result);
      break;
    default:
      break;
    }
    return result;
  }
};

} // namespace

FailureOr<Value> AMDGPUTargetInfo::lowerDirectedRounding(
    OpBuilder &b, Location loc, StringRef what, Rounding rounding,
    ValueRange operands, Type resultType, ValueRange hidden) const {
  if (rounding == Rounding::RN)
    return failure(); // the caller's default lowering
  if (rounding == Rounding::RNA)
    return failure();
  if (!resultType.isF32() && !resultType.isF64())
    return failure();
  using P = LLVM::FCmpPredicate;
  Builder h{b, loc, resultType,
            b.getIntegerType(resultType.getIntOrFloatBitWidth())};
  Value r, above, below,
      overflowed =
          LLVM::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(false));
  auto finite = [&](ValueRange values) {
    Value all = h.isFinite(values[0]);
    for (Value v : values.drop_front())
      all = h.andOf(all, h.isFinite(v));
    return all;
  };
  if (what == "add" || what == "sub") {
    Value x = operands[0];
    Value y = what == "sub" ? Value(LLVM::FNegOp::create(b, loc, operands[1]))
                            : operands[1];
    r = LLVM::FAddOp::create(b, loc, x, y);
    // TwoSum (Knuth): err = (x - (r - yy)) + (y - yy), yy = r - x.
    Value yy = LLVM::FSubOp::create(b, loc, r, x);
    Value err = LLVM::FAddOp::create(
        b, loc,
        LLVM::FSubOp::create(b, loc, x, LLVM::FSubOp::create(b, loc, r, yy)),
        LLVM::FSubOp::create(b, loc, y, yy));
    above = h.positive(err);
    below = h.negative(err);
    overflowed = h.andOf(h.isInf(r), finite({x, y}));
  } else if (what == "mul") {
    Value x = operands[0], y = operands[1];
    r = LLVM::FMulOp::create(b, loc, x, y);
    Value err =
        LLVM::FMAOp::create(b, loc, x, y, LLVM::FNegOp::create(b, loc, r));
    above = h.positive(err);
    below = h.negative(err);
    overflowed = h.andOf(h.isInf(r), finite({x, y}));
  } else if (what == "div" || what == "rcp") {
    Value x = what == "rcp" ? h.fconst(1.0) : operands[0];
    Value y = what == "rcp" ? operands[0] : operands[1];
    r = LLVM::FDivOp::create(b, loc, x, y);
    // exact - r = rem / y with rem = x - r*y, exact through fma.
    Value rem =
        LLVM::FMAOp::create(b, loc, LLVM::FNegOp::create(b, loc, r), y, x);
    Value yPos = h.positive(y), yNeg = h.negative(y);
    above =
        h.orOf(h.andOf(h.positive(rem), yPos), h.andOf(h.negative(rem), yNeg));
    below =
        h.orOf(h.andOf(h.negative(rem), yPos), h.andOf(h.positive(rem), yNeg));
    Value nonzero = h.fcmp(P::one, y, h.fconst(0));
    overflowed = h.andOf(h.andOf(h.isInf(r), finite({x, y})), nonzero);
  } else if (what == "sqrt") {
    Value x = operands[0];
    r = LLVM::SqrtOp::create(b, loc, x);
    Value rem =
        LLVM::FMAOp::create(b, loc, LLVM::FNegOp::create(b, loc, r), r, x);
    above = h.positive(rem);
    below = h.negative(rem);
  } else if (what == "fptrunc" && operands[0].getType().isF64() &&
             resultType.isF32()) {
    Value x = operands[0];
    r = LLVM::FPTruncOp::create(b, loc, resultType, x);
    Value diff = LLVM::FSubOp::create(
        b, loc, x, LLVM::FPExtOp::create(b, loc, x.getType(), r));
    Type f64 = x.getType();
    Value zero = LLVM::ConstantOp::create(b, loc, f64, b.getF64FloatAttr(0));
    above = LLVM::FCmpOp::create(b, loc, P::ogt, diff, zero);
    below = LLVM::FCmpOp::create(b, loc, P::olt, diff, zero);
    Value xFinite = LLVM::FCmpOp::create(
        b, loc, P::olt, LLVM::FAbsOp::create(b, loc, x),
        LLVM::ConstantOp::create(
            b, loc, f64,
            b.getF64FloatAttr(std::numeric_limits<double>::infinity())));
    overflowed = h.andOf(h.isInf(r), xFinite);
  } else {
    return failure();
  }
  return h.adjust(rounding, r, above, below, overflowed);
}

} // namespace wooly::amdgpu
