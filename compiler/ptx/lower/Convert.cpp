//===- Convert.cpp - mov, cvt, cvta, setp, set, selp, slct ----------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

std::optional<Rounding> roundingOf(const Instruction &inst, bool &integral) {
  integral = false;
  for (const std::string &m : inst.modifiers) {
    if (m == ".rni" || m == ".rzi" || m == ".rmi" || m == ".rpi")
      integral = true;
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

/// mov: register/immediate/special register/symbol copies, and vector
/// packs ({a,b} → wide) and unpacks (wide → {a,b}).
bool lowerMov(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 2)
    return l.unsupported(inst);
  PtxType t = ts[0];
  const Operand &dst = inst.operands[0];
  const Operand &src = inst.operands[1];
  Type intType = IntegerType::get(&l.ctx, t.bits);
  if (src.kind == Operand::Kind::Vector) {
    unsigned n = src.elements.size();
    if (n == 0 || t.bits % n)
      return l.unsupported(inst, "vector pack of this shape");
    Type partType = IntegerType::get(&l.ctx, t.bits / n);
    Value acc = l.intConst(intType, 0);
    for (unsigned i = 0; i < n; ++i) {
      Value part = l.read(src.elements[i], partType);
      if (!part)
        return false;
      Value wide = arith::ExtUIOp::create(l.b, l.loc, intType, part);
      Value shifted = arith::ShLIOp::create(
          l.b, l.loc, wide, l.intConst(intType, i * (t.bits / n)));
      acc = arith::OrIOp::create(l.b, l.loc, acc, shifted);
    }
    return l.write(dst, acc);
  }
  if (dst.kind == Operand::Kind::Vector) {
    unsigned n = dst.elements.size();
    if (n == 0 || t.bits % n)
      return l.unsupported(inst, "vector unpack of this shape");
    Type partType = IntegerType::get(&l.ctx, t.bits / n);
    Value whole = l.read(src, intType);
    if (!whole)
      return false;
    for (unsigned i = 0; i < n; ++i) {
      Value shifted = arith::ShRUIOp::create(
          l.b, l.loc, whole, l.intConst(intType, i * (t.bits / n)));
      if (!l.write(dst.elements[i],
                   arith::TruncIOp::create(l.b, l.loc, partType, shifted)))
        return false;
    }
    return true;
  }
  Value v = l.read(src, t.type, t.isSigned);
  if (!v)
    return false;
  return l.write(dst, v, t.isSigned);
}

/// Integer saturation of `v` (of type `from`, signedness fromSigned) into the
/// range of `to`.
Value saturateInt(FL &l, Value v, const PtxType &from, const PtxType &to) {
  unsigned w = std::max(from.bits, to.bits) + 1;
  Type wide = IntegerType::get(&l.ctx, w);
  Value x = l.convert(v, wide, from.isSigned);
  llvm::APInt lo = to.isSigned ? llvm::APInt::getSignedMinValue(to.bits)
                               : llvm::APInt::getMinValue(to.bits);
  llvm::APInt hi = to.isSigned ? llvm::APInt::getSignedMaxValue(to.bits)
                               : llvm::APInt::getMaxValue(to.bits);
  Value loC = arith::ConstantOp::create(
      l.b, l.loc, wide,
      l.b.getIntegerAttr(wide, to.isSigned ? lo.sext(w) : lo.zext(w)));
  Value hiC = arith::ConstantOp::create(
      l.b, l.loc, wide,
      l.b.getIntegerAttr(wide, to.isSigned ? hi.sext(w) : hi.zext(w)));
  x = arith::MaxSIOp::create(l.b, l.loc, x, loC);
  x = arith::MinSIOp::create(l.b, l.loc, x, hiC);
  return arith::TruncIOp::create(l.b, l.loc, to.type, x);
}

/// cvt.rn{.relu}.f16x2.f32 d, a, b: a converted into the upper half, b into
/// the lower one.
bool lowerCvtPack(FL &l, const Instruction &inst) {
  bool bf = inst.hasModifier(".bf16x2");
  if (inst.operands.size() != 3 || inst.hasModifier(".relu") ||
      inst.hasModifier(".satfinite"))
    return l.unsupported(inst);
  bool integral;
  Rounding rounding = roundingOf(inst, integral).value_or(Rounding::RN);
  Type half = bf ? Type(BFloat16Type::get(&l.ctx)) : Type(Float16Type::get(&l.ctx));
  Type f32 = l.b.getF32Type(), i16 = l.b.getI16Type(), i32 = l.b.getI32Type();
  Value result = l.intConst(i32, 0);
  for (int i = 0; i < 2; ++i) {
    Value v = l.read(inst.operands[1 + i], f32);
    if (!v)
      return false;
    Value h = FPConvertOp::create(l.b, l.loc, half, v, rounding, false,
                                  false, inst.hasModifier(".sat"));
    Value bits = arith::ExtUIOp::create(
        l.b, l.loc, i32, arith::BitcastOp::create(l.b, l.loc, i16, h));
    if (i == 0)
      bits = arith::ShLIOp::create(l.b, l.loc, bits, l.intConst(i32, 16));
    result = arith::OrIOp::create(l.b, l.loc, result, bits);
  }
  return l.write(inst.operands[0], result);
}

bool lowerCvt(FL &l, const Instruction &inst) {
  if ((inst.hasModifier(".f16x2") || inst.hasModifier(".bf16x2")) &&
      inst.hasModifier(".f32") && inst.operands.size() == 3)
    return lowerCvtPack(l, inst);
  auto ts = l.types(inst);
  if (ts.size() != 2 || inst.operands.size() != 2)
    return l.unsupported(inst);
  PtxType to = ts[0], from = ts[1];
  if (inst.hasModifier(".f16x2") || inst.hasModifier(".bf16x2") ||
      to.isPred || from.isPred)
    return l.unsupported(inst, "packed or predicate conversion");
  bool integral = false;
  std::optional<Rounding> rounding = roundingOf(inst, integral);
  bool ftz = inst.hasModifier(".ftz");
  bool sat = inst.hasModifier(".sat");
  Value v = l.read(inst.operands[1], from.type, from.isSigned);
  if (!v)
    return false;
  Value r;
  if (!from.isFloat && !to.isFloat) {
    if (sat)
      r = saturateInt(l, v, from, to);
    else
      r = l.convert(v, to.type, from.isSigned);
    // A narrower destination type writes the register extended by the
    // destination's signedness (cvt.s32.s16 sign-extends into %r).
    return l.write(inst.operands[0], r, to.isSigned);
  }
  if (from.isFloat && to.isFloat) {
    if (from.bits == to.bits && from.type == to.type && !integral && !sat &&
        !ftz && !rounding)
      r = v;
    else
      r = FPConvertOp::create(l.b, l.loc, to.type, v,
                              rounding.value_or(Rounding::RN), integral, ftz,
                              sat);
    return l.write(inst.operands[0], r);
  }
  if (from.isFloat) {
    if (!rounding)
      return l.error(inst.loc, inst.fullName() +
                                   " needs an integer rounding modifier "
                                   "(.rni, .rzi, .rmi, .rpi)");
    // PTX float→int conversions saturate (NaN → 0), as wooly.fptoint does.
    r = FPToIntOp::create(l.b, l.loc, to.type, v, *rounding, !to.isSigned,
                          ftz);
    return l.write(inst.operands[0], r, to.isSigned);
  }
  r = IntToFPOp::create(l.b, l.loc, to.type, v,
                        rounding.value_or(Rounding::RN), !from.isSigned);
  if (sat)
    r = FPConvertOp::create(l.b, l.loc, to.type, r, Rounding::RN, false, false,
                            true);
  return l.write(inst.operands[0], r);
}

/// cvta: generic ↔ specific address conversion of integer addresses.
bool lowerCvta(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 2)
    return l.unsupported(inst);
  AddressSpace space = instructionSpace(inst);
  if (space == AddressSpace::Generic)
    return l.unsupported(inst, "cvta needs a state space");
  bool toSpecific = inst.hasModifier(".to");
  Type intType = ts[0].type;
  auto fromType = PtrType::get(&l.ctx, toSpecific ? AddressSpace::Generic : space);
  auto toType = PtrType::get(&l.ctx, toSpecific ? space : AddressSpace::Generic);
  Value ptr;
  const Operand &src = inst.operands[1];
  if (src.kind == Operand::Kind::Symbol) {
    ptr = l.read(src, PtrType::get(&l.ctx, space));
  } else {
    Value raw = l.read(src, intType);
    if (!raw)
      return false;
    ptr = IntToPtrOp::create(l.b, l.loc, fromType, raw);
  }
  if (!ptr)
    return false;
  Value converted = CastSpaceOp::create(l.b, l.loc, toType, ptr);
  return l.write(inst.operands[0],
                 PtrToIntOp::create(l.b, l.loc, intType, converted));
}

/// The comparison of setp/set/slct; `ok` is false for an unknown one.
Value compare(FL &l, const std::string &cmp, const PtxType &t, Value a,
              Value c, bool &ok) {
  ok = true;
  if (t.isFloat) {
    static const std::map<std::string, arith::CmpFPredicate> preds = {
        {".eq", arith::CmpFPredicate::OEQ}, {".ne", arith::CmpFPredicate::ONE},
        {".lt", arith::CmpFPredicate::OLT}, {".le", arith::CmpFPredicate::OLE},
        {".gt", arith::CmpFPredicate::OGT}, {".ge", arith::CmpFPredicate::OGE},
        {".equ", arith::CmpFPredicate::UEQ}, {".neu", arith::CmpFPredicate::UNE},
        {".ltu", arith::CmpFPredicate::ULT}, {".leu", arith::CmpFPredicate::ULE},
        {".gtu", arith::CmpFPredicate::UGT}, {".geu", arith::CmpFPredicate::UGE},
        {".num", arith::CmpFPredicate::ORD}, {".nan", arith::CmpFPredicate::UNO}};
    auto it = preds.find(cmp);
    if (it == preds.end()) {
      ok = false;
      return {};
    }
    return arith::CmpFOp::create(l.b, l.loc, it->second, a, c);
  }
  bool s = t.isSigned;
  static const std::map<std::string, std::pair<arith::CmpIPredicate,
                                               arith::CmpIPredicate>>
      preds = {
          {".eq", {arith::CmpIPredicate::eq, arith::CmpIPredicate::eq}},
          {".ne", {arith::CmpIPredicate::ne, arith::CmpIPredicate::ne}},
          {".lt", {arith::CmpIPredicate::slt, arith::CmpIPredicate::ult}},
          {".le", {arith::CmpIPredicate::sle, arith::CmpIPredicate::ule}},
          {".gt", {arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt}},
          {".ge", {arith::CmpIPredicate::sge, arith::CmpIPredicate::uge}},
          {".lo", {arith::CmpIPredicate::ult, arith::CmpIPredicate::ult}},
          {".ls", {arith::CmpIPredicate::ule, arith::CmpIPredicate::ule}},
          {".hi", {arith::CmpIPredicate::ugt, arith::CmpIPredicate::ugt}},
          {".hs", {arith::CmpIPredicate::uge, arith::CmpIPredicate::uge}}};
  auto it = preds.find(cmp);
  if (it == preds.end()) {
    ok = false;
    return {};
  }
  return arith::CmpIOp::create(l.b, l.loc,
                               s ? it->second.first : it->second.second, a, c);
}

/// .ftz on an f32 input: subnormals read as zero of the same sign.
Value flushSubnormal(FL &l, Value v) {
  Type f32 = v.getType();
  Value mag = math::AbsFOp::create(l.b, l.loc, v);
  Value minNormal = arith::ConstantOp::create(
      l.b, l.loc, f32,
      l.b.getFloatAttr(f32, llvm::APFloat::getSmallestNormalized(
                                llvm::APFloat::IEEEsingle())));
  Value tiny = arith::CmpFOp::create(l.b, l.loc, arith::CmpFPredicate::OLT,
                                     mag, minNormal);
  Value zero = math::CopySignOp::create(l.b, l.loc, l.floatConst(f32, 0.0), v);
  return arith::SelectOp::create(l.b, l.loc, tiny, zero, v);
}

std::string comparisonOf(const Instruction &inst) {
  // The first modifier is the comparison (setp.lt.s32, set.gt.u32.f32).
  return inst.modifiers.empty() ? "" : inst.modifiers[0];
}

/// setp/set's optional boolean combination with a third predicate.
Value combine(FL &l, const Instruction &inst, Value t, const Operand *cOp,
              bool &ok) {
  ok = true;
  if (!cOp)
    return t;
  Value c = l.readPred(*cOp);
  if (!c) {
    ok = false;
    return {};
  }
  if (inst.hasModifier(".and"))
    return arith::AndIOp::create(l.b, l.loc, t, c);
  if (inst.hasModifier(".or"))
    return arith::OrIOp::create(l.b, l.loc, t, c);
  if (inst.hasModifier(".xor"))
    return arith::XOrIOp::create(l.b, l.loc, t, c);
  ok = false;
  return {};
}

bool lowerSetp(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() < 3 || inst.operands.size() > 4)
    return l.unsupported(inst);
  PtxType t = ts[0];
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  if (!a || !c)
    return false;
  if (inst.hasModifier(".ftz")) {
    if (!t.type.isF32())
      return l.unsupported(inst);
    a = flushSubnormal(l, a);
    c = flushSubnormal(l, c);
  }
  bool ok;
  Value p = compare(l, comparisonOf(inst), t, a, c, ok);
  if (!ok)
    return l.unsupported(inst, "unknown comparison");
  const Operand *cOp = inst.operands.size() == 4 ? &inst.operands[3] : nullptr;
  Value notP = arith::XOrIOp::create(l.b, l.loc, p, l.intConst(l.b.getI1Type(), 1));
  Value first = combine(l, inst, p, cOp, ok);
  if (!ok)
    return l.unsupported(inst, "unknown boolean combination");
  const Operand &dst = inst.operands[0];
  if (dst.kind == Operand::Kind::Pair) {
    Value second = combine(l, inst, notP, cOp, ok);
    return l.write(dst.elements[0], first) && l.write(dst.elements[1], second);
  }
  return l.write(dst, first);
}

bool lowerSet(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 2 || inst.operands.size() < 3 || inst.operands.size() > 4)
    return l.unsupported(inst);
  PtxType dt = ts[0], st = ts[1];
  Value a = l.read(inst.operands[1], st.type, st.isSigned);
  Value c = l.read(inst.operands[2], st.type, st.isSigned);
  if (!a || !c)
    return false;
  bool ok;
  Value p = compare(l, comparisonOf(inst), st, a, c, ok);
  if (!ok)
    return l.unsupported(inst, "unknown comparison");
  p = combine(l, inst, p, inst.operands.size() == 4 ? &inst.operands[3] : nullptr,
              ok);
  if (!ok)
    return l.unsupported(inst, "unknown boolean combination");
  // True is 1.0f for a float destination, all ones for an integer one.
  Value yes = dt.isFloat ? l.floatConst(dt.type, 1.0) : l.intConst(dt.type, -1);
  Value no = dt.isFloat ? l.floatConst(dt.type, 0.0) : l.intConst(dt.type, 0);
  return l.write(inst.operands[0],
                 arith::SelectOp::create(l.b, l.loc, p, yes, no));
}

bool lowerSelp(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 4)
    return l.unsupported(inst);
  PtxType t = ts[0];
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  Value p = l.readPred(inst.operands[3]);
  if (!a || !c || !p)
    return false;
  return l.write(inst.operands[0], arith::SelectOp::create(l.b, l.loc, p, a, c),
                 t.isSigned);
}

bool lowerSlct(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 2 || inst.operands.size() != 4)
    return l.unsupported(inst);
  PtxType t = ts[0], ct = ts[1];
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value c = l.read(inst.operands[2], t.type, t.isSigned);
  Value s = l.read(inst.operands[3], ct.type, ct.isSigned);
  if (!a || !c || !s)
    return false;
  Value p = ct.isFloat
                ? Value(arith::CmpFOp::create(l.b, l.loc,
                                              arith::CmpFPredicate::OGE, s,
                                              l.floatConst(ct.type, 0.0)))
                : Value(arith::CmpIOp::create(l.b, l.loc,
                                              arith::CmpIPredicate::sge, s,
                                              l.intConst(ct.type, 0)));
  return l.write(inst.operands[0], arith::SelectOp::create(l.b, l.loc, p, a, c));
}

} // namespace

void registerConvertFamily(std::map<std::string, FL::Handler> &t) {
  t["mov"] = lowerMov;
  t["cvt"] = lowerCvt;
  t["cvta"] = lowerCvta;
  t["setp"] = lowerSetp;
  t["set"] = lowerSet;
  t["selp"] = lowerSelp;
  t["slct"] = lowerSlct;
}

} // namespace wooly::ptx::lower
