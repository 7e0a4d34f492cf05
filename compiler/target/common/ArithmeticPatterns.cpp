//===- ArithmeticPatterns.cpp - FP with rounding/ftz/sat, conversions, bits ===//
//
// Round-to-nearest-even goes straight to LLVM; other rounding modes go to the
// TargetInfo (LLVM IR cannot ask portably for a static rounding mode). `ftz`
// flushes subnormal inputs and results to a sign-preserving zero, `sat`
// clamps to [0, 1] with NaN giving 0, exactly as PTX says.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/common/PatternHelpers.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace wooly::detail {

Value intConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, type,
                                  b.getIntegerAttr(type, value));
}

Value constantOf(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return LLVM::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  return intConstant(b, loc, type, static_cast<int64_t>(value));
}

Value flushDenormal(OpBuilder &b, Location loc, Value value) {
  auto type = cast<FloatType>(value.getType());
  // Smallest normal of the type: |x| < it (and x != 0) is subnormal.
  llvm::APFloat smallest =
      llvm::APFloat::getSmallestNormalized(type.getFloatSemantics());
  Value limit = LLVM::ConstantOp::create(b, loc, type,
                                         b.getFloatAttr(type, smallest));
  Value magnitude = LLVM::FAbsOp::create(b, loc, value);
  Value tiny = LLVM::FCmpOp::create(b, loc, LLVM::FCmpPredicate::olt,
                                    magnitude, limit);
  Value zero = constantOf(b, loc, type, 0.0);
  Value signedZero = LLVM::CopySignOp::create(b, loc, zero, value);
  return LLVM::SelectOp::create(b, loc, tiny, signedZero, value);
}

namespace {

Value saturate(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  // maxnum(NaN, 0) = 0, so NaN saturates to 0 as PTX requires.
  Value low = LLVM::MaxNumOp::create(b, loc, value,
                                     constantOf(b, loc, type, 0.0));
  return LLVM::MinNumOp::create(b, loc, low, constantOf(b, loc, type, 1.0));
}

/// Rounds a float to an integral float value.
Value roundIntegral(OpBuilder &b, Location loc, Value value, Rounding mode) {
  switch (mode) {
  case Rounding::RN:
    return LLVM::RoundEvenOp::create(b, loc, value);
  case Rounding::RZ:
    return LLVM::FTruncOp::create(b, loc, value);
  case Rounding::RM:
    return LLVM::FFloorOp::create(b, loc, value);
  case Rounding::RP:
    return LLVM::FCeilOp::create(b, loc, value);
  case Rounding::RNA:
    return LLVM::RoundOp::create(b, loc, value);
  }
  return value;
}

StringRef fpKindName(FPOpKind kind) {
  switch (kind) {
  case FPOpKind::Add:
    return "add";
  case FPOpKind::Sub:
    return "sub";
  case FPOpKind::Mul:
    return "mul";
  case FPOpKind::Div:
    return "div";
  case FPOpKind::Fma:
    return "fma";
  case FPOpKind::Sqrt:
    return "sqrt";
  case FPOpKind::Rcp:
    return "rcp";
  default:
    return "";
  }
}

struct FPLowering : ConvertOpToLLVMPattern<FPOp> {
  FPLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}

  LogicalResult
  matchAndRewrite(FPOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> in(adaptor.getOperands());
    if (op.getFtz())
      for (Value &v : in)
        v = flushDenormal(rewriter, loc, v);
    Type type = op.getType();
    Value result;
    FPOpKind kind = op.getKind();
    Rounding rounding = op.getRounding();
    // Rounding only matters for the operations that can be inexact.
    if (rounding != Rounding::RN && !fpKindName(kind).empty()) {
      FailureOr<Value> lowered = target.lowerDirectedRounding(
          rewriter, loc, fpKindName(kind), rounding, in, type,
          hiddenArgs(op, target));
      if (failed(lowered))
        return rewriter.notifyMatchFailure(op, "rounding mode not supported");
      result = *lowered;
    } else {
      switch (kind) {
      case FPOpKind::Add:
        result = LLVM::FAddOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Sub:
        result = LLVM::FSubOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Mul:
        result = LLVM::FMulOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Div:
        result = LLVM::FDivOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Fma:
        result = LLVM::FMAOp::create(rewriter, loc, in[0], in[1], in[2]);
        break;
      case FPOpKind::Sqrt:
        result = LLVM::SqrtOp::create(rewriter, loc, in[0]);
        break;
      case FPOpKind::Rcp:
        result = LLVM::FDivOp::create(
            rewriter, loc, constantOf(rewriter, loc, type, 1.0), in[0]);
        break;
      case FPOpKind::Min:
        result = LLVM::MinNumOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Max:
        result = LLVM::MaxNumOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::MinNaN:
        result = LLVM::MinimumOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::MaxNaN:
        result = LLVM::MaximumOp::create(rewriter, loc, in[0], in[1]);
        break;
      case FPOpKind::Abs:
        result = LLVM::FAbsOp::create(rewriter, loc, in[0]);
        break;
      case FPOpKind::Neg:
        result = LLVM::FNegOp::create(rewriter, loc, in[0]);
        break;
      }
    }
    if (op.getFtz())
      result = flushDenormal(rewriter, loc, result);
    if (op.getSat())
      result = saturate(rewriter, loc, result);
    rewriter.replaceOp(op, result);
    return success();
  }
  const TargetInfo &target;
};

struct ApproxLowering : ConvertOpToLLVMPattern<ApproxOp> {
  ApproxLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(ApproxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> in(adaptor.getOperands());
    if (op.getFtz()) {
      FailureOr<Value> flushing =
          target.lowerApproxFtz(rewriter, loc, op.getKind(), in);
      if (succeeded(flushing)) {
        rewriter.replaceOp(op, *flushing);
        return success();
      }
    }
    if (op.getFtz())
      for (Value &v : in)
        v = flushDenormal(rewriter, loc, v);
    FailureOr<Value> result =
        target.lowerApprox(rewriter, loc, op.getKind(), in);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "approximation not supported");
    Value value = *result;
    if (op.getFtz())
      value = flushDenormal(rewriter, loc, value);
    rewriter.replaceOp(op, value);
    return success();
  }
  const TargetInfo &target;
};

struct FPToIntLowering : ConvertOpToLLVMPattern<FPToIntOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(FPToIntOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getValue();
    if (op.getFtz())
      value = flushDenormal(rewriter, loc, value);
    value = roundIntegral(rewriter, loc, value, op.getRounding());
    // Saturate by hand: the rounded value is integral, so comparing against
    // the (exactly representable) powers of two is exact.
    Type floatType = value.getType();
    Type intType = op.getType();
    unsigned bits = intType.getIntOrFloatBitWidth();
    bool isUnsigned = op.getIsUnsigned();
    double low = isUnsigned ? 0.0 : -std::ldexp(1.0, bits - 1);
    double high = isUnsigned ? std::ldexp(1.0, bits) : std::ldexp(1.0, bits - 1);
    Value lowF = constantOf(rewriter, loc, floatType, low);
    Value highF = constantOf(rewriter, loc, floatType, high);
    llvm::APInt minInt = isUnsigned ? llvm::APInt::getMinValue(bits)
                                    : llvm::APInt::getSignedMinValue(bits);
    llvm::APInt maxInt = isUnsigned ? llvm::APInt::getMaxValue(bits)
                                    : llvm::APInt::getSignedMaxValue(bits);
    Value minI = LLVM::ConstantOp::create(rewriter, loc, intType,
                                          rewriter.getIntegerAttr(intType, minInt));
    Value maxI = LLVM::ConstantOp::create(rewriter, loc, intType,
                                          rewriter.getIntegerAttr(intType, maxInt));
    Value zero = intConstant(rewriter, loc, intType, 0);
    // Clamp into range first so the conversion itself is never poison.
    Value clamped = LLVM::SelectOp::create(
        rewriter, loc,
        LLVM::FCmpOp::create(rewriter, loc, LLVM::FCmpPredicate::olt, value,
                             highF),
        LLVM::SelectOp::create(
            rewriter, loc,
            LLVM::FCmpOp::create(rewriter, loc, LLVM::FCmpPredicate::oge,
                                 value, lowF),
            value, lowF),
        lowF);
    Value converted =
        isUnsigned
            ? LLVM::FPToUIOp::create(rewriter, loc, intType, clamped).getResult()
            : LLVM::FPToSIOp::create(rewriter, loc, intType, clamped)
                  .getResult();
    Value tooHigh = LLVM::FCmpOp::create(rewriter, loc,
                                         LLVM::FCmpPredicate::oge, value, highF);
    Value tooLow = LLVM::FCmpOp::create(rewriter, loc,
                                        LLVM::FCmpPredicate::olt, value, lowF);
    Value isNaN = LLVM::FCmpOp::create(rewriter, loc, LLVM::FCmpPredicate::uno,
                                       value, value);
    Value result = LLVM::SelectOp::create(rewriter, loc, tooHigh, maxI, converted);
    result = LLVM::SelectOp::create(rewriter, loc, tooLow, minI, result);
    result = LLVM::SelectOp::create(rewriter, loc, isNaN, zero, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct IntToFPLowering : ConvertOpToLLVMPattern<IntToFPOp> {
  IntToFPLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(IntToFPOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getValue();
    auto floatType = cast<FloatType>(op.getType());
    unsigned intBits = value.getType().getIntOrFloatBitWidth();
    // Exact conversions do not care about the rounding mode.
    bool exact = intBits <= floatType.getFPMantissaWidth();
    if (op.getRounding() == Rounding::RN || exact) {
      Value result =
          op.getIsUnsigned()
              ? LLVM::UIToFPOp::create(rewriter, loc, floatType, value)
                    .getResult()
              : LLVM::SIToFPOp::create(rewriter, loc, floatType, value)
                    .getResult();
      rewriter.replaceOp(op, result);
      return success();
    }
    FailureOr<Value> result = target.lowerDirectedRounding(
        rewriter, loc, op.getIsUnsigned() ? "uitofp" : "sitofp",
        op.getRounding(), value, floatType, hiddenArgs(op, target));
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "rounding mode not supported");
    rewriter.replaceOp(op, *result);
    return success();
  }
  const TargetInfo &target;
};

struct FPConvertLowering : ConvertOpToLLVMPattern<FPConvertOp> {
  FPConvertLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(FPConvertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getValue();
    auto from = cast<FloatType>(value.getType());
    auto to = cast<FloatType>(op.getType());
    if (op.getFtz())
      value = flushDenormal(rewriter, loc, value);
    if (op.getIntegral())
      value = roundIntegral(rewriter, loc, value, op.getRounding());
    if (from.getWidth() < to.getWidth() ||
        (from.getWidth() == to.getWidth() && from != to)) {
      value = LLVM::FPExtOp::create(rewriter, loc, to, value);
    } else if (from.getWidth() > to.getWidth()) {
      if (op.getRounding() == Rounding::RN || op.getIntegral()) {
        value = LLVM::FPTruncOp::create(rewriter, loc, to, value);
      } else {
        FailureOr<Value> lowered = target.lowerDirectedRounding(
            rewriter, loc, "fptrunc", op.getRounding(), value, to,
            hiddenArgs(op, target));
        if (failed(lowered))
          return rewriter.notifyMatchFailure(op, "rounding mode not supported");
        value = *lowered;
      }
    }
    if (op.getFtz())
      value = flushDenormal(rewriter, loc, value);
    if (op.getSat())
      value = saturate(rewriter, loc, value);
    rewriter.replaceOp(op, value);
    return success();
  }
  const TargetInfo &target;
};

struct BitReverseLowering : ConvertOpToLLVMPattern<BitReverseOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(BitReverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::BitReverseOp>(op, adaptor.getValue());
    return success();
  }
};

/// Shift helpers that give PTX's answer for amounts >= the width instead of
/// LLVM's poison.
Value shiftOrFill(OpBuilder &b, Location loc, Value value, Value amount,
                  bool left, bool arithmetic) {
  Type type = value.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value widthV = intConstant(b, loc, type, width);
  Value inRange = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, amount,
                                       widthV);
  Value safeAmount = LLVM::SelectOp::create(
      b, loc, inRange, amount, intConstant(b, loc, type, width - 1));
  Value shifted;
  if (left)
    shifted = LLVM::ShlOp::create(b, loc, value, safeAmount);
  else if (arithmetic)
    shifted = LLVM::AShrOp::create(b, loc, value, safeAmount);
  else
    shifted = LLVM::LShrOp::create(b, loc, value, safeAmount);
  if (arithmetic && !left)
    return shifted; // ashr by width-1 is the all-sign-bits answer
  return LLVM::SelectOp::create(b, loc, inRange, shifted,
                                intConstant(b, loc, type, 0));
}

Value widenTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return LLVM::ZExtOp::create(b, loc, type, v);
}

struct BitFieldExtractLowering : ConvertOpToLLVMPattern<BitFieldExtractOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(BitFieldExtractOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getValue();
    Type type = value.getType();
    unsigned width = type.getIntOrFloatBitWidth();
    Type i32 = rewriter.getI32Type();
    Value mask8 = intConstant(rewriter, loc, i32, 255);
    Value pos = LLVM::AndOp::create(rewriter, loc, adaptor.getPos(), mask8);
    Value len = LLVM::AndOp::create(rewriter, loc, adaptor.getLen(), mask8);
    // end = min(pos + len, width); move the field's top bit to the top, then
    // shift back down by (width - end) + pos, filling with sign or zeros.
    Value end = LLVM::AddOp::create(rewriter, loc, pos, len);
    end = LLVM::UMinOp::create(rewriter, loc, end,
                               intConstant(rewriter, loc, i32, width));
    Value up = LLVM::SubOp::create(rewriter, loc,
                                   intConstant(rewriter, loc, i32, width), end);
    Value down = LLVM::AddOp::create(rewriter, loc, up, pos);
    Value upT = widenTo(rewriter, loc, up, type);
    Value downT = widenTo(rewriter, loc, down, type);
    Value top = shiftOrFill(rewriter, loc, value, upT, /*left=*/true, false);
    Value field = shiftOrFill(rewriter, loc, top, downT, /*left=*/false,
                              op.getIsSigned());
    Value isEmpty = LLVM::ICmpOp::create(rewriter, loc, LLVM::ICmpPredicate::eq,
                                         len, intConstant(rewriter, loc, i32, 0));
    rewriter.replaceOpWithNewOp<LLVM::SelectOp>(
        op, isEmpty, intConstant(rewriter, loc, type, 0), field);
    return success();
  }
};

struct BitFieldInsertLowering : ConvertOpToLLVMPattern<BitFieldInsertOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(BitFieldInsertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value insert = adaptor.getInsert();
    Value base = adaptor.getBase();
    Type type = base.getType();
    Type i32 = rewriter.getI32Type();
    Value mask8 = intConstant(rewriter, loc, i32, 255);
    Value pos = widenTo(rewriter, loc,
                        LLVM::AndOp::create(rewriter, loc, adaptor.getPos(), mask8),
                        type);
    Value len = widenTo(rewriter, loc,
                        LLVM::AndOp::create(rewriter, loc, adaptor.getLen(), mask8),
                        type);
    Value ones = intConstant(rewriter, loc, type, -1);
    // low = len >= width ? ~0 : (1 << len) - 1
    Value lowBits = LLVM::XOrOp::create(
        rewriter, loc, shiftOrFill(rewriter, loc, ones, len, true, false), ones);
    Value mask = shiftOrFill(rewriter, loc, lowBits, pos, true, false);
    Value moved = shiftOrFill(rewriter, loc, insert, pos, true, false);
    Value kept = LLVM::AndOp::create(rewriter, loc, base,
                                     LLVM::XOrOp::create(rewriter, loc, mask, ones));
    Value placed = LLVM::AndOp::create(rewriter, loc, moved, mask);
    rewriter.replaceOpWithNewOp<LLVM::OrOp>(op, kept, placed);
    return success();
  }
};

struct BytePermuteLowering : ConvertOpToLLVMPattern<BytePermuteOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(BytePermuteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Type i32 = rewriter.getI32Type();
    // Bytes 0-3 come from a, 4-7 from b; selector nibble bit 3 replicates the
    // chosen byte's sign.
    Value a = LLVM::ZExtOp::create(rewriter, loc, i64, adaptor.getA());
    Value b = LLVM::ZExtOp::create(rewriter, loc, i64, adaptor.getB());
    Value both = LLVM::OrOp::create(
        rewriter, loc, a,
        LLVM::ShlOp::create(rewriter, loc, b, intConstant(rewriter, loc, i64, 32)));
    Value selector = LLVM::ZExtOp::create(rewriter, loc, i64, adaptor.getSelector());
    Value result = intConstant(rewriter, loc, i64, 0);
    for (int i = 0; i < 4; ++i) {
      Value nibble = LLVM::LShrOp::create(rewriter, loc, selector,
                                          intConstant(rewriter, loc, i64, 4 * i));
      Value index = LLVM::AndOp::create(rewriter, loc, nibble,
                                        intConstant(rewriter, loc, i64, 7));
      Value shift = LLVM::MulOp::create(rewriter, loc, index,
                                        intConstant(rewriter, loc, i64, 8));
      Value byte = LLVM::AndOp::create(
          rewriter, loc, LLVM::LShrOp::create(rewriter, loc, both, shift),
          intConstant(rewriter, loc, i64, 0xff));
      Value wantSign = LLVM::ICmpOp::create(
          rewriter, loc, LLVM::ICmpPredicate::ne,
          LLVM::AndOp::create(rewriter, loc, nibble,
                              intConstant(rewriter, loc, i64, 8)),
          intConstant(rewriter, loc, i64, 0));
      Value negative = LLVM::ICmpOp::create(
          rewriter, loc, LLVM::ICmpPredicate::uge, byte,
          intConstant(rewriter, loc, i64, 0x80));
      Value signByte = LLVM::SelectOp::create(
          rewriter, loc, negative, intConstant(rewriter, loc, i64, 0xff),
          intConstant(rewriter, loc, i64, 0));
      byte = LLVM::SelectOp::create(rewriter, loc, wantSign, signByte, byte);
      result = LLVM::OrOp::create(
          rewriter, loc, result,
          LLVM::ShlOp::create(rewriter, loc, byte,
                              intConstant(rewriter, loc, i64, 8 * i)));
    }
    rewriter.replaceOpWithNewOp<LLVM::TruncOp>(op, i32, result);
    return success();
  }
};

struct FunnelShiftLowering : ConvertOpToLLVMPattern<FunnelShiftOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(FunnelShiftOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    Value lo = adaptor.getLo(), hi = adaptor.getHi();
    Value amount = adaptor.getAmount();
    // LLVM's funnel shifts take the amount modulo 32, which is PTX's .wrap.
    Value shifted = op.getLeft()
                        ? LLVM::FshlOp::create(rewriter, loc, hi, lo, amount)
                              .getResult()
                        : LLVM::FshrOp::create(rewriter, loc, hi, lo, amount)
                              .getResult();
    if (op.getClamp()) {
      // .clamp: amounts >= 32 shift a whole word.
      Value big = LLVM::ICmpOp::create(rewriter, loc, LLVM::ICmpPredicate::uge,
                                       amount, intConstant(rewriter, loc, i32, 32));
      shifted = LLVM::SelectOp::create(rewriter, loc, big,
                                       op.getLeft() ? lo : hi, shifted);
    }
    rewriter.replaceOp(op, shifted);
    return success();
  }
};

} // namespace

void populateArithmeticPatterns(LLVMTypeConverter &converter,
                                RewritePatternSet &patterns,
                                const TargetInfo &target) {
  patterns.add<FPLowering, ApproxLowering, IntToFPLowering, FPConvertLowering>(
      converter, target);
  patterns.add<FPToIntLowering, BitReverseLowering, BitFieldExtractLowering,
               BitFieldInsertLowering, BytePermuteLowering,
               FunnelShiftLowering>(converter);
}

} // namespace wooly::detail
