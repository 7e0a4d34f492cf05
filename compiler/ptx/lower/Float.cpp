//===- Float.cpp - PTX floating-point instructions → arith/math/wooly -----===//
//
// IEEE round-to-nearest arithmetic without ftz/sat is exactly arith/math.
// Everything else keeps PTX's meaning explicit: other rounding modes, .ftz
// and .sat go on `wooly.fp`; `.approx` becomes `wooly.approx` (never silently
// IEEE); PTX min/max have their own NaN rules, so they are `wooly.fp`.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

std::optional<Rounding> roundingOf(const Instruction &inst) {
  for (const std::string &m : inst.modifiers) {
    if (m == ".rn" || m == ".rni")
      return Rounding::RN;
    if (m == ".rz" || m == ".rzi")
      return Rounding::RZ;
    if (m == ".rm" || m == ".rmi")
      return Rounding::RM;
    if (m == ".rp" || m == ".rpi")
      return Rounding::RP;
    if (m == ".rna")
      return Rounding::RNA;
  }
  return std::nullopt;
}

/// The element type of a packed .f16x2/.bf16x2 instruction, else null.
Type packedElement(FL &l, const Instruction &inst) {
  if (inst.hasModifier(".f16x2"))
    return Float16Type::get(&l.ctx);
  if (inst.hasModifier(".bf16x2"))
    return BFloat16Type::get(&l.ctx);
  return {};
}

/// The float type of a one-type float instruction, or an error. For packed
/// types `t` is the b32 carrier and `elem` the half type.
bool floatType(FL &l, const Instruction &inst, PtxType &t, size_t operands,
               Type *elem = nullptr) {
  auto ts = l.types(inst);
  Type packed = packedElement(l, inst);
  if (ts.size() != 1 || (!ts[0].isFloat && !packed) || (packed && !elem))
    return l.unsupported(inst, packed ? "packed half2 form" : "");
  if (inst.operands.size() != operands)
    return l.error(inst.loc, inst.fullName() + " takes " +
                                 std::to_string(operands) + " operands");
  t = ts[0];
  if (elem)
    *elem = packed;
  return true;
}

bool readAll(FL &l, const Instruction &inst, Type type,
             SmallVectorImpl<Value> &out) {
  for (size_t i = 1; i < inst.operands.size(); ++i) {
    Value v = l.read(inst.operands[i], type);
    if (!v)
      return false;
    out.push_back(v);
  }
  return true;
}

/// Applies `fn` to each 16-bit half of packed operands (lane-wise, as PTX
/// defines .f16x2 arithmetic) or once to scalar operands.
template <typename Fn>
bool lanewise(FL &l, const Instruction &inst, const PtxType &t, Type elem,
              Fn fn) {
  SmallVector<Value> in;
  if (!readAll(l, inst, t.type, in))
    return false;
  if (!elem)
    return l.write(inst.operands[0], fn(ValueRange(in), t.type));
  Type i16 = l.b.getI16Type(), i32 = l.b.getI32Type();
  Value result = l.intConst(i32, 0);
  for (int half = 0; half < 2; ++half) {
    SmallVector<Value> parts;
    for (Value v : in) {
      Value shifted = arith::ShRUIOp::create(l.b, l.loc, v,
                                             l.intConst(i32, 16 * half));
      Value bits = arith::TruncIOp::create(l.b, l.loc, i16, shifted);
      parts.push_back(arith::BitcastOp::create(l.b, l.loc, elem, bits));
    }
    Value r = fn(ValueRange(parts), elem);
    Value bits = arith::BitcastOp::create(l.b, l.loc, i16, r);
    Value wide = arith::ExtUIOp::create(l.b, l.loc, i32, bits);
    wide = arith::ShLIOp::create(l.b, l.loc, wide, l.intConst(i32, 16 * half));
    result = arith::OrIOp::create(l.b, l.loc, result, wide);
  }
  return l.write(inst.operands[0], result);
}

/// add/sub/mul/fma/div/sqrt/rcp with IEEE rounding.
bool lowerIEEE(FL &l, const Instruction &inst, FPOpKind kind,
               size_t operands) {
  PtxType t;
  Type elem;
  if (!floatType(l, inst, t, operands, &elem))
    return false;
  Rounding rounding = roundingOf(inst).value_or(Rounding::RN);
  bool ftz = inst.hasModifier(".ftz");
  bool sat = inst.hasModifier(".sat");
  return lanewise(l, inst, t, elem, [&](ValueRange in, Type type) -> Value {
    if (rounding == Rounding::RN && !ftz && !sat) {
      switch (kind) {
      case FPOpKind::Add:
        return arith::AddFOp::create(l.b, l.loc, in[0], in[1]);
      case FPOpKind::Sub:
        return arith::SubFOp::create(l.b, l.loc, in[0], in[1]);
      case FPOpKind::Mul:
        return arith::MulFOp::create(l.b, l.loc, in[0], in[1]);
      case FPOpKind::Div:
        return arith::DivFOp::create(l.b, l.loc, in[0], in[1]);
      case FPOpKind::Fma:
        return math::FmaOp::create(l.b, l.loc, in[0], in[1], in[2]);
      case FPOpKind::Sqrt:
        return math::SqrtOp::create(l.b, l.loc, in[0]);
      default:
        break;
      }
    }
    return FPOp::create(l.b, l.loc, type, kind, in, rounding, ftz, sat);
  });
}

bool lowerApprox(FL &l, const Instruction &inst, ApproxKind kind,
                 size_t operands) {
  PtxType t;
  if (!floatType(l, inst, t, operands))
    return false;
  SmallVector<Value> in;
  if (!readAll(l, inst, t.type, in))
    return false;
  Value r = ApproxOp::create(l.b, l.loc, t.type, kind, in,
                             inst.hasModifier(".ftz"));
  return l.write(inst.operands[0], r);
}

bool lowerDiv(FL &l, const Instruction &inst) {
  if (inst.hasModifier(".approx") || inst.hasModifier(".full"))
    return lowerApprox(l, inst, ApproxKind::Div, 3);
  return lowerIEEE(l, inst, FPOpKind::Div, 3);
}

bool lowerRcp(FL &l, const Instruction &inst) {
  if (inst.hasModifier(".approx"))
    return lowerApprox(l, inst, ApproxKind::Rcp, 2);
  return lowerIEEE(l, inst, FPOpKind::Rcp, 2);
}

bool lowerSqrt(FL &l, const Instruction &inst) {
  if (inst.hasModifier(".approx"))
    return lowerApprox(l, inst, ApproxKind::Sqrt, 2);
  return lowerIEEE(l, inst, FPOpKind::Sqrt, 2);
}

bool lowerMinMax(FL &l, const Instruction &inst, bool isMax) {
  PtxType t;
  Type elem;
  if (!floatType(l, inst, t, 3, &elem))
    return false;
  if (inst.hasModifier(".xorsign") || inst.hasModifier(".abs"))
    return l.unsupported(inst);
  FPOpKind kind = inst.hasModifier(".NaN")
                      ? (isMax ? FPOpKind::MaxNaN : FPOpKind::MinNaN)
                      : (isMax ? FPOpKind::Max : FPOpKind::Min);
  bool ftz = inst.hasModifier(".ftz");
  return lanewise(l, inst, t, elem, [&](ValueRange in, Type type) -> Value {
    return FPOp::create(l.b, l.loc, type, kind, in, Rounding::RN, ftz, false);
  });
}

bool lowerNegAbs(FL &l, const Instruction &inst, bool isNeg) {
  PtxType t;
  Type elem;
  if (!floatType(l, inst, t, 2, &elem))
    return false;
  bool ftz = inst.hasModifier(".ftz");
  return lanewise(l, inst, t, elem, [&](ValueRange in, Type type) -> Value {
    if (ftz)
      return FPOp::create(l.b, l.loc, type,
                          isNeg ? FPOpKind::Neg : FPOpKind::Abs, in,
                          Rounding::RN, true, false);
    if (isNeg)
      return arith::NegFOp::create(l.b, l.loc, in[0]);
    return math::AbsFOp::create(l.b, l.loc, in[0]);
  });
}

bool lowerCopysign(FL &l, const Instruction &inst) {
  PtxType t;
  if (!floatType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type);
  Value c = l.read(inst.operands[2], t.type);
  if (!a || !c)
    return false;
  // PTX copysign d, a, b copies the sign of a onto b.
  return l.write(inst.operands[0],
                 math::CopySignOp::create(l.b, l.loc, c, a));
}

bool approxOnly(FL &l, const Instruction &inst, ApproxKind kind) {
  if (!inst.hasModifier(".approx"))
    return l.unsupported(inst, "only the .approx form exists");
  return lowerApprox(l, inst, kind, 2);
}

/// testp: classify a float (finite, infinite, number, notanumber, normal,
/// subnormal) with plain comparisons on |a|.
bool lowerTestp(FL &l, const Instruction &inst) {
  PtxType t;
  if (!floatType(l, inst, t, 2))
    return false;
  Value a = l.read(inst.operands[1], t.type);
  if (!a)
    return false;
  auto ft = cast<FloatType>(t.type);
  Value mag = math::AbsFOp::create(l.b, l.loc, a);
  auto cmp = [&](arith::CmpFPredicate p, Value x, Value y) {
    return Value(arith::CmpFOp::create(l.b, l.loc, p, x, y));
  };
  Value inf = arith::ConstantOp::create(
      l.b, l.loc, t.type,
      l.b.getFloatAttr(t.type, llvm::APFloat::getInf(ft.getFloatSemantics())));
  Value minNormal = arith::ConstantOp::create(
      l.b, l.loc, t.type,
      l.b.getFloatAttr(t.type,
                       llvm::APFloat::getSmallestNormalized(ft.getFloatSemantics())));
  Value zero = l.floatConst(t.type, 0.0);
  Value r;
  if (inst.hasModifier(".finite"))
    r = cmp(arith::CmpFPredicate::OLT, mag, inf);
  else if (inst.hasModifier(".infinite"))
    r = cmp(arith::CmpFPredicate::OEQ, mag, inf);
  else if (inst.hasModifier(".number"))
    r = cmp(arith::CmpFPredicate::ORD, a, a);
  else if (inst.hasModifier(".notanumber"))
    r = cmp(arith::CmpFPredicate::UNO, a, a);
  else if (inst.hasModifier(".normal"))
    r = arith::AndIOp::create(l.b, l.loc,
                              cmp(arith::CmpFPredicate::OGE, mag, minNormal),
                              cmp(arith::CmpFPredicate::OLT, mag, inf));
  else if (inst.hasModifier(".subnormal"))
    r = arith::AndIOp::create(l.b, l.loc,
                              cmp(arith::CmpFPredicate::OLT, mag, minNormal),
                              cmp(arith::CmpFPredicate::ONE, mag, zero));
  else
    return l.unsupported(inst);
  return l.write(inst.operands[0], r);
}

} // namespace

void registerFloatFamily(std::map<std::string, FL::Handler> &t) {
  // Reached through the integer handlers when the type is a float.
  t["add.f"] = [](FL &l, const Instruction &i) {
    return lowerIEEE(l, i, FPOpKind::Add, 3);
  };
  t["sub.f"] = [](FL &l, const Instruction &i) {
    return lowerIEEE(l, i, FPOpKind::Sub, 3);
  };
  t["mul.f"] = [](FL &l, const Instruction &i) {
    return lowerIEEE(l, i, FPOpKind::Mul, 3);
  };
  t["div.f"] = lowerDiv;
  t["min.f"] = [](FL &l, const Instruction &i) { return lowerMinMax(l, i, false); };
  t["max.f"] = [](FL &l, const Instruction &i) { return lowerMinMax(l, i, true); };
  t["neg.f"] = [](FL &l, const Instruction &i) { return lowerNegAbs(l, i, true); };
  t["abs.f"] = [](FL &l, const Instruction &i) { return lowerNegAbs(l, i, false); };
  t["fma"] = [](FL &l, const Instruction &i) {
    return lowerIEEE(l, i, FPOpKind::Fma, 4);
  };
  t["rcp"] = lowerRcp;
  t["sqrt"] = lowerSqrt;
  t["rsqrt"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Rsqrt);
  };
  t["sin"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Sin);
  };
  t["cos"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Cos);
  };
  t["lg2"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Lg2);
  };
  t["ex2"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Ex2);
  };
  t["tanh"] = [](FL &l, const Instruction &i) {
    return approxOnly(l, i, ApproxKind::Tanh);
  };
  t["copysign"] = lowerCopysign;
  t["testp"] = lowerTestp;
}

} // namespace wooly::ptx::lower
