//===- Integer.cpp - PTX integer and bit instructions → arith/wooly -------===//
//
// arith where its semantics equal PTX's; where they differ (shift amounts at
// or above the width, division by zero, INT_MIN / -1) the PTX result is built
// explicitly so no backend sees undefined behaviour.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

/// The single type of an instruction like `add.s32`.
bool oneType(FL &l, const Instruction &inst, PtxType &t, size_t operands) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || ts[0].isFloat)
    return l.unsupported(inst);
  if (inst.operands.size() != operands)
    return l.error(inst.loc, inst.fullName() + " takes " +
                                 std::to_string(operands) + " operands");
  t = ts[0];
  return true;
}

template <typename OpTy>
bool binary(FL &l, const Instruction &inst) {
  PtxType t;
  if (!oneType(l, inst, t, 3))
    return false;
  if (inst.hasModifier(".sat") || inst.hasModifier(".cc"))
    return l.unsupported(inst, "saturating or carry arithmetic");
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !c)
    return false;
  return l.write(inst.operands[0], OpTy::create(l.b, l.loc, a, c), t.isSigned);
}

/// mul/mad with .lo, .hi or .wide.
Value multiply(FL &l, const Instruction &inst, const PtxType &t, Value a,
               Value c, Type &resultType) {
  if (inst.hasModifier(".wide")) {
    resultType = IntegerType::get(&l.ctx, t.bits * 2);
    Value wa = l.convert(a, resultType, t.isSigned);
    Value wc = l.convert(c, resultType, t.isSigned);
    return arith::MulIOp::create(l.b, l.loc, wa, wc);
  }
  resultType = t.type;
  if (inst.hasModifier(".hi")) {
    if (t.isSigned)
      return arith::MulSIExtendedOp::create(l.b, l.loc, a, c).getHigh();
    return arith::MulUIExtendedOp::create(l.b, l.loc, a, c).getHigh();
  }
  return arith::MulIOp::create(l.b, l.loc, a, c);
}

bool lowerMul(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() == 1 && ts[0].isFloat)
    return FL::handlers().at("mul.f")(l, inst);
  PtxType t;
  if (!oneType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !c)
    return false;
  Type resultType;
  Value r = multiply(l, inst, t, a, c, resultType);
  return l.write(inst.operands[0], r, t.isSigned);
}

bool lowerMad(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() == 1 && ts[0].isFloat)
    return FL::handlers().at("fma")(l, inst);
  PtxType t;
  if (!oneType(l, inst, t, 4))
    return false;
  if (inst.hasModifier(".sat") || inst.hasModifier(".cc"))
    return l.unsupported(inst, "saturating or carry arithmetic");
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !c)
    return false;
  Type resultType;
  Value prod = multiply(l, inst, t, a, c, resultType);
  Value addend = l.read(inst.operands[3], resultType, t.isSigned);
  if (!addend)
    return false;
  return l.write(inst.operands[0],
                 arith::AddIOp::create(l.b, l.loc, prod, addend), t.isSigned);
}

bool lowerDivRem(FL &l, const Instruction &inst, bool isRem) {
  auto ts = l.types(inst);
  if (ts.size() == 1 && ts[0].isFloat) {
    if (isRem)
      return l.unsupported(inst);
    return FL::handlers().at("div.f")(l, inst);
  }
  PtxType t;
  if (!oneType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value d = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !d)
    return false;
  // PTX leaves x/0 machine-specific; WIS defines it (quotient all ones,
  // remainder the dividend, as NVIDIA GPUs produce) instead of UB.
  Value zero = l.intConst(t.type, 0);
  Value one = l.intConst(t.type, 1);
  Value minusOne = l.intConst(t.type, -1);
  Value isZero =
      arith::CmpIOp::create(l.b, l.loc, arith::CmpIPredicate::eq, d, zero);
  Value result;
  if (t.isSigned) {
    // INT_MIN / -1 overflows in arith; d == -1 is handled as negation.
    Value isMinusOne = arith::CmpIOp::create(l.b, l.loc,
                                             arith::CmpIPredicate::eq, d,
                                             minusOne);
    Value unsafe = arith::OrIOp::create(l.b, l.loc, isZero, isMinusOne);
    Value safe = arith::SelectOp::create(l.b, l.loc, unsafe, one, d);
    Value q = isRem ? Value(arith::RemSIOp::create(l.b, l.loc, a, safe))
                    : Value(arith::DivSIOp::create(l.b, l.loc, a, safe));
    Value neg = isRem ? zero : Value(arith::SubIOp::create(l.b, l.loc, zero, a));
    q = arith::SelectOp::create(l.b, l.loc, isMinusOne, neg, q);
    result = arith::SelectOp::create(l.b, l.loc, isZero,
                                     isRem ? a : minusOne, q);
  } else {
    Value safe = arith::SelectOp::create(l.b, l.loc, isZero, one, d);
    Value q = isRem ? Value(arith::RemUIOp::create(l.b, l.loc, a, safe))
                    : Value(arith::DivUIOp::create(l.b, l.loc, a, safe));
    result = arith::SelectOp::create(l.b, l.loc, isZero,
                                     isRem ? a : minusOne, q);
  }
  return l.write(inst.operands[0], result, t.isSigned);
}

bool lowerShift(FL &l, const Instruction &inst, bool left) {
  PtxType t;
  if (!oneType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  // The shift amount is always .u32, whatever the operand type.
  Value amt32 = l.read(inst.operands[2], l.b.getI32Type(), false);
  if (!a || !amt32)
    return false;
  Value amt = l.convert(amt32, t.type, false);
  if (t.bits < 32)
    amt = arith::TruncIOp::create(l.b, l.loc, t.type,
                                  arith::MinUIOp::create(
                                      l.b, l.loc, amt32,
                                      l.intConst(l.b.getI32Type(), t.bits)));
  Value width = l.intConst(t.type, t.bits);
  // PTX clamps shift amounts: at or past the width, shl and shr.u give 0 and
  // shr.s fills with the sign bit (arith would give poison).
  if (!left && t.isSigned) {
    Value maxAmt = l.intConst(t.type, t.bits - 1);
    Value clamped = arith::MinUIOp::create(l.b, l.loc, amt, maxAmt);
    return l.write(inst.operands[0],
                   arith::ShRSIOp::create(l.b, l.loc, a, clamped), true);
  }
  Value tooFar = arith::CmpIOp::create(l.b, l.loc, arith::CmpIPredicate::uge,
                                       amt, width);
  Value safeAmt = arith::SelectOp::create(l.b, l.loc, tooFar,
                                          l.intConst(t.type, 0), amt);
  Value shifted = left ? Value(arith::ShLIOp::create(l.b, l.loc, a, safeAmt))
                       : Value(arith::ShRUIOp::create(l.b, l.loc, a, safeAmt));
  Value r = arith::SelectOp::create(l.b, l.loc, tooFar, l.intConst(t.type, 0),
                                    shifted);
  return l.write(inst.operands[0], r, false);
}

bool lowerMinMax(FL &l, const Instruction &inst, bool isMax) {
  auto ts = l.types(inst);
  if (ts.size() == 1 && ts[0].isFloat)
    return FL::handlers().at(isMax ? "max.f" : "min.f")(l, inst);
  PtxType t;
  if (!oneType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !c)
    return false;
  Value r;
  if (t.isSigned)
    r = isMax ? Value(arith::MaxSIOp::create(l.b, l.loc, a, c))
              : Value(arith::MinSIOp::create(l.b, l.loc, a, c));
  else
    r = isMax ? Value(arith::MaxUIOp::create(l.b, l.loc, a, c))
              : Value(arith::MinUIOp::create(l.b, l.loc, a, c));
  return l.write(inst.operands[0], r, t.isSigned);
}

bool lowerUnary(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  // Only neg and abs take floats; clz.f32 and the like are refused below.
  if (ts.size() == 1 && ts[0].isFloat &&
      (inst.opcode == "neg" || inst.opcode == "abs"))
    return FL::handlers().at(inst.opcode + ".f")(l, inst);
  PtxType t;
  if (!oneType(l, inst, t, 2))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  if (!a)
    return false;
  Value r;
  Value zero = l.intConst(t.type, 0);
  if (inst.opcode == "neg")
    r = arith::SubIOp::create(l.b, l.loc, zero, a);
  else if (inst.opcode == "abs") // wraps: abs(INT_MIN) == INT_MIN, as in PTX
    r = math::AbsIOp::create(l.b, l.loc, a);
  else if (inst.opcode == "not")
    r = arith::XOrIOp::create(l.b, l.loc, a, l.intConst(t.type, -1));
  else if (inst.opcode == "cnot") {
    Value isZero =
        arith::CmpIOp::create(l.b, l.loc, arith::CmpIPredicate::eq, a, zero);
    r = arith::ExtUIOp::create(l.b, l.loc, t.type, isZero);
  } else if (inst.opcode == "popc" || inst.opcode == "clz") {
    r = inst.opcode == "popc" ? Value(math::CtPopOp::create(l.b, l.loc, a))
                              : Value(math::CountLeadingZerosOp::create(
                                    l.b, l.loc, a));
    // The result is always .u32.
    return l.write(inst.operands[0], l.convert(r, l.b.getI32Type(), false));
  } else if (inst.opcode == "brev") {
    r = BitReverseOp::create(l.b, l.loc, a);
  } else {
    return l.unsupported(inst);
  }
  return l.write(inst.operands[0], r, t.isSigned);
}

bool lowerBfe(FL &l, const Instruction &inst) {
  PtxType t;
  if (!oneType(l, inst, t, 4))
    return false;
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value pos = l.read(inst.operands[2], l.b.getI32Type());
  Value len = l.read(inst.operands[3], l.b.getI32Type());
  if (!a || !pos || !len)
    return false;
  auto op = BitFieldExtractOp::create(l.b, l.loc, a, pos, len);
  if (t.isSigned)
    op.setIsSigned(true);
  return l.write(inst.operands[0], op, t.isSigned);
}

bool lowerBfi(FL &l, const Instruction &inst) {
  PtxType t;
  if (!oneType(l, inst, t, 5))
    return false;
  Value ins = l.read(inst.operands[1], t.type);
  Value base = l.read(inst.operands[2], t.type);
  Value pos = l.read(inst.operands[3], l.b.getI32Type());
  Value len = l.read(inst.operands[4], l.b.getI32Type());
  if (!ins || !base || !pos || !len)
    return false;
  return l.write(inst.operands[0],
                 BitFieldInsertOp::create(l.b, l.loc, ins, base, pos, len));
}

bool lowerPrmt(FL &l, const Instruction &inst) {
  if (inst.operands.size() != 4 || inst.modifiers.size() != 1)
    return l.unsupported(inst, "only the default prmt mode");
  Type i32 = l.b.getI32Type();
  Value a = l.read(inst.operands[1], i32);
  Value c = l.read(inst.operands[2], i32);
  Value sel = l.read(inst.operands[3], i32);
  if (!a || !c || !sel)
    return false;
  return l.write(inst.operands[0],
                 BytePermuteOp::create(l.b, l.loc, i32, a, c, sel));
}

bool lowerShf(FL &l, const Instruction &inst) {
  bool left = inst.hasModifier(".l");
  bool clamp = inst.hasModifier(".clamp");
  if ((!left && !inst.hasModifier(".r")) ||
      (!clamp && !inst.hasModifier(".wrap")) || inst.operands.size() != 4)
    return l.unsupported(inst);
  Type i32 = l.b.getI32Type();
  Value lo = l.read(inst.operands[1], i32);
  Value hi = l.read(inst.operands[2], i32);
  Value amt = l.read(inst.operands[3], i32);
  if (!lo || !hi || !amt)
    return false;
  auto op = FunnelShiftOp::create(l.b, l.loc, i32, lo, hi, amt);
  if (left)
    op.setLeft(true);
  if (clamp)
    op.setClamp(true);
  return l.write(inst.operands[0], op);
}

bool lowerLogic(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 3)
    return l.unsupported(inst);
  Type type = ts[0].type;
  Value a = l.read(inst.operands[1], type);
  Value c = l.read(inst.operands[2], type);
  if (!a || !c)
    return false;
  Value r;
  if (inst.opcode == "and")
    r = arith::AndIOp::create(l.b, l.loc, a, c);
  else if (inst.opcode == "or")
    r = arith::OrIOp::create(l.b, l.loc, a, c);
  else
    r = arith::XOrIOp::create(l.b, l.loc, a, c);
  return l.write(inst.operands[0], r);
}

bool lowerAddSub(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() == 1 && ts[0].isFloat)
    return FL::handlers().at(inst.opcode + ".f")(l, inst);
  if (inst.opcode == "add")
    return binary<arith::AddIOp>(l, inst);
  return binary<arith::SubIOp>(l, inst);
}

} // namespace

void registerIntegerFamily(std::map<std::string, FL::Handler> &t) {
  t["add"] = lowerAddSub;
  t["sub"] = lowerAddSub;
  t["mul"] = lowerMul;
  t["mad"] = lowerMad;
  t["div"] = [](FL &l, const Instruction &i) { return lowerDivRem(l, i, false); };
  t["rem"] = [](FL &l, const Instruction &i) { return lowerDivRem(l, i, true); };
  t["shl"] = [](FL &l, const Instruction &i) { return lowerShift(l, i, true); };
  t["shr"] = [](FL &l, const Instruction &i) { return lowerShift(l, i, false); };
  t["min"] = [](FL &l, const Instruction &i) { return lowerMinMax(l, i, false); };
  t["max"] = [](FL &l, const Instruction &i) { return lowerMinMax(l, i, true); };
  for (const char *op : {"neg", "abs", "not", "cnot", "popc", "clz", "brev"})
    t[op] = lowerUnary;
  t["bfe"] = lowerBfe;
  t["bfi"] = lowerBfi;
  t["prmt"] = lowerPrmt;
  t["shf"] = lowerShf;
  t["and"] = lowerLogic;
  t["or"] = lowerLogic;
  t["xor"] = lowerLogic;
}

} // namespace wooly::ptx::lower
