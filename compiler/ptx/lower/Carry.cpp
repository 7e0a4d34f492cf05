//===- Carry.cpp - carries, 24-bit multiplies, sad, bfind, dp4a/dp2a ------===//
//
// PTX's condition-code register CC.CF is a hidden i1 slot per function:
// `add.cc`/`sub.cc`/`mad.cc` write it, `addc`/`subc`/`madc` read it. For
// subtraction CF is the borrow (`subc` computes a - (b + CF)).
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

const FL::Slot &carrySlot(FL &l) {
  static const std::string name = "%%carry";
  if (const FL::Slot *slot = l.lookup(name))
    return *slot;
  // Function scope: the flag survives the nested blocks of a call sequence.
  auto &outer = l.scopes.front();
  OpBuilder::InsertionGuard guard(l.b);
  l.b.setInsertionPointToStart(l.entryBlock);
  Value slot = RegOp::create(l.b, l.loc, RegType::get(&l.ctx, l.b.getI1Type()));
  return outer.slots[name] = FL::Slot{slot, l.b.getI1Type()};
}

bool intType(FL &l, const Instruction &inst, PtxType &t, size_t operands) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || ts[0].isFloat || ts[0].isPred ||
      inst.operands.size() != operands)
    return l.unsupported(inst);
  t = ts[0];
  return true;
}

/// a + b (+ carry-in) or a - b (- borrow-in), in w+1 bits; writes the result
/// and, with `.cc`, the carry/borrow out.
bool addSubWithCarry(FL &l, const Instruction &inst, Value a, Value b,
                     const PtxType &t, bool subtract, bool carryIn) {
  Type wide = IntegerType::get(&l.ctx, t.bits + 1);
  Value wa = arith::ExtUIOp::create(l.b, l.loc, wide, a);
  Value wb = arith::ExtUIOp::create(l.b, l.loc, wide, b);
  Value r = subtract ? Value(arith::SubIOp::create(l.b, l.loc, wa, wb))
                     : Value(arith::AddIOp::create(l.b, l.loc, wa, wb));
  if (carryIn) {
    Value cf = RegReadOp::create(l.b, l.loc, carrySlot(l).slot);
    Value wc = arith::ExtUIOp::create(l.b, l.loc, wide, cf);
    r = subtract ? Value(arith::SubIOp::create(l.b, l.loc, r, wc))
                 : Value(arith::AddIOp::create(l.b, l.loc, r, wc));
  }
  if (inst.hasModifier(".cc")) {
    Value top = arith::ShRUIOp::create(l.b, l.loc, r,
                                       l.intConst(wide, t.bits));
    Value flag = arith::TruncIOp::create(l.b, l.loc, l.b.getI1Type(), top);
    RegWriteOp::create(l.b, l.loc, flag, carrySlot(l).slot);
  }
  return l.write(inst.operands[0],
                 arith::TruncIOp::create(l.b, l.loc, t.type, r));
}

bool lowerCarryAddSub(FL &l, const Instruction &inst) {
  PtxType t;
  if (!intType(l, inst, t, 3))
    return false;
  Value a = l.read(inst.operands[1], t.type);
  Value b = l.read(inst.operands[2], t.type);
  if (!a || !b)
    return false;
  bool subtract = inst.opcode == "sub" || inst.opcode == "subc";
  bool carryIn = inst.opcode == "addc" || inst.opcode == "subc";
  return addSubWithCarry(l, inst, a, b, t, subtract, carryIn);
}

/// The integer add/sub entry point: carries here, everything else to the
/// plain integer lowering.
bool lowerAddSubMaybeCarry(FL &l, const Instruction &inst,
                           const FL::Handler &plain) {
  if (inst.hasModifier(".cc"))
    return lowerCarryAddSub(l, inst);
  auto ts = l.types(inst);
  if (inst.hasModifier(".sat") && ts.size() == 1 && ts[0].isSigned &&
      ts[0].bits == 32) {
    // add.sat.s32 / sub.sat.s32 clamp to the s32 range.
    Value a = l.read(inst.operands[1], ts[0].type);
    Value b = l.read(inst.operands[2], ts[0].type);
    if (!a || !b)
      return false;
    Type i64 = l.b.getI64Type();
    Value wa = arith::ExtSIOp::create(l.b, l.loc, i64, a);
    Value wb = arith::ExtSIOp::create(l.b, l.loc, i64, b);
    Value r = inst.opcode == "add"
                  ? Value(arith::AddIOp::create(l.b, l.loc, wa, wb))
                  : Value(arith::SubIOp::create(l.b, l.loc, wa, wb));
    r = arith::MaxSIOp::create(l.b, l.loc, r, l.intConst(i64, INT32_MIN));
    r = arith::MinSIOp::create(l.b, l.loc, r, l.intConst(i64, INT32_MAX));
    return l.write(inst.operands[0],
                   arith::TruncIOp::create(l.b, l.loc, ts[0].type, r));
  }
  return plain(l, inst);
}

bool lowerMadCarry(FL &l, const Instruction &inst) {
  PtxType t;
  if (!intType(l, inst, t, 4))
    return false;
  if (!inst.hasModifier(".lo") && !inst.hasModifier(".hi"))
    return l.unsupported(inst);
  Value a = l.read(inst.operands[1], t.type, t.isSigned);
  Value b = l.read(inst.operands[2], t.type, t.isSigned);
  Value c = l.read(inst.operands[3], t.type, t.isSigned);
  if (!a || !b || !c)
    return false;
  Value prod;
  if (inst.hasModifier(".hi"))
    prod = t.isSigned
               ? arith::MulSIExtendedOp::create(l.b, l.loc, a, b).getHigh()
               : arith::MulUIExtendedOp::create(l.b, l.loc, a, b).getHigh();
  else
    prod = arith::MulIOp::create(l.b, l.loc, a, b);
  return addSubWithCarry(l, inst, prod, c, t, false, inst.opcode == "madc");
}

/// 24-bit multiplies: operands are the low 24 bits (sign- or zero-extended).
Value mul24(FL &l, const Instruction &inst, const PtxType &t, Value a,
            Value b) {
  Type i64 = l.b.getI64Type();
  auto low24 = [&](Value v) {
    Value w = t.isSigned ? Value(arith::ExtSIOp::create(l.b, l.loc, i64, v))
                         : Value(arith::ExtUIOp::create(l.b, l.loc, i64, v));
    Value sh = arith::ShLIOp::create(l.b, l.loc, w, l.intConst(i64, 40));
    return t.isSigned ? Value(arith::ShRSIOp::create(l.b, l.loc, sh,
                                                     l.intConst(i64, 40)))
                      : Value(arith::ShRUIOp::create(l.b, l.loc, sh,
                                                     l.intConst(i64, 40)));
  };
  Value p = arith::MulIOp::create(l.b, l.loc, low24(a), low24(b));
  if (inst.hasModifier(".hi"))
    p = arith::ShRUIOp::create(l.b, l.loc, p, l.intConst(i64, 16));
  return arith::TruncIOp::create(l.b, l.loc, t.type, p);
}

bool lowerMul24(FL &l, const Instruction &inst) {
  bool mad = inst.opcode == "mad24";
  PtxType t;
  if (!intType(l, inst, t, mad ? 4 : 3) || t.bits != 32 ||
      inst.hasModifier(".sat"))
    return t.bits == 32 ? l.unsupported(inst) : false;
  Value a = l.read(inst.operands[1], t.type);
  Value b = l.read(inst.operands[2], t.type);
  if (!a || !b)
    return false;
  Value r = mul24(l, inst, t, a, b);
  if (mad) {
    Value c = l.read(inst.operands[3], t.type);
    if (!c)
      return false;
    r = arith::AddIOp::create(l.b, l.loc, r, c);
  }
  return l.write(inst.operands[0], r);
}

bool lowerSad(FL &l, const Instruction &inst) {
  PtxType t;
  if (!intType(l, inst, t, 4))
    return false;
  Value a = l.read(inst.operands[1], t.type);
  Value b = l.read(inst.operands[2], t.type);
  Value c = l.read(inst.operands[3], t.type);
  if (!a || !b || !c)
    return false;
  Value greater = arith::CmpIOp::create(
      l.b, l.loc, t.isSigned ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::ugt,
      a, b);
  Value diff = arith::SelectOp::create(
      l.b, l.loc, greater, arith::SubIOp::create(l.b, l.loc, a, b),
      arith::SubIOp::create(l.b, l.loc, b, a));
  return l.write(inst.operands[0], arith::AddIOp::create(l.b, l.loc, c, diff));
}

bool lowerBfind(FL &l, const Instruction &inst) {
  PtxType t;
  if (!intType(l, inst, t, 2) || t.bits < 32)
    return t.bits < 32 ? l.unsupported(inst) : false;
  Value a = l.read(inst.operands[1], t.type);
  if (!a)
    return false;
  // For negative signed values the search is for the most significant 0.
  Value v = a;
  if (t.isSigned) {
    Value neg = arith::CmpIOp::create(l.b, l.loc, arith::CmpIPredicate::slt, a,
                                      l.intConst(t.type, 0));
    Value inverted = arith::XOrIOp::create(l.b, l.loc, a, l.intConst(t.type, -1));
    v = arith::SelectOp::create(l.b, l.loc, neg, inverted, a);
  }
  Type i32 = l.b.getI32Type();
  Value clz = l.convert(math::CountLeadingZerosOp::create(l.b, l.loc, v), i32,
                        false);
  Value pos = inst.hasModifier(".shiftamt")
                  ? clz
                  : Value(arith::SubIOp::create(
                        l.b, l.loc, l.intConst(i32, t.bits - 1), clz));
  Value none = arith::CmpIOp::create(l.b, l.loc, arith::CmpIPredicate::eq, v,
                                     l.intConst(t.type, 0));
  return l.write(inst.operands[0],
                 arith::SelectOp::create(l.b, l.loc, none,
                                         l.intConst(i32, -1), pos));
}

/// dp4a: c + sum of four byte products; dp2a.lo/.hi: c + two products of
/// 16-bit halves of a with bytes 0-1 or 2-3 of b.
bool lowerDp(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 2 || inst.operands.size() != 4)
    return l.unsupported(inst);
  bool dp2 = inst.opcode == "dp2a";
  if (dp2 && !inst.hasModifier(".lo") && !inst.hasModifier(".hi"))
    return l.unsupported(inst);
  Type i32 = l.b.getI32Type();
  Value a = l.read(inst.operands[1], i32);
  Value b = l.read(inst.operands[2], i32);
  Value c = l.read(inst.operands[3], i32);
  if (!a || !b || !c)
    return false;
  auto field = [&](Value v, unsigned pos, unsigned bits, bool isSigned) {
    Value sh = arith::ShLIOp::create(l.b, l.loc, v,
                                     l.intConst(i32, 32 - pos - bits));
    return isSigned ? Value(arith::ShRSIOp::create(l.b, l.loc, sh,
                                                   l.intConst(i32, 32 - bits)))
                    : Value(arith::ShRUIOp::create(l.b, l.loc, sh,
                                                   l.intConst(i32, 32 - bits)));
  };
  Value sum = c;
  unsigned n = dp2 ? 2 : 4;
  unsigned bBase = dp2 && inst.hasModifier(".hi") ? 2 : 0;
  for (unsigned i = 0; i < n; ++i) {
    Value x = field(a, dp2 ? 16 * i : 8 * i, dp2 ? 16 : 8, ts[0].isSigned);
    Value y = field(b, 8 * (bBase + i), 8, ts[1].isSigned);
    sum = arith::AddIOp::create(l.b, l.loc, sum,
                                arith::MulIOp::create(l.b, l.loc, x, y));
  }
  return l.write(inst.operands[0], sum);
}

} // namespace

void registerCarryFamily(std::map<std::string, FL::Handler> &t) {
  FL::Handler plainAdd = t.at("add"), plainSub = t.at("sub");
  t["add"] = [plainAdd](FL &l, const Instruction &i) {
    return lowerAddSubMaybeCarry(l, i, plainAdd);
  };
  t["sub"] = [plainSub](FL &l, const Instruction &i) {
    return lowerAddSubMaybeCarry(l, i, plainSub);
  };
  t["addc"] = lowerCarryAddSub;
  t["subc"] = lowerCarryAddSub;
  FL::Handler plainMad = t.at("mad");
  t["mad"] = [plainMad](FL &l, const Instruction &i) {
    if (i.hasModifier(".cc"))
      return lowerMadCarry(l, i);
    return plainMad(l, i);
  };
  t["madc"] = lowerMadCarry;
  t["mul24"] = lowerMul24;
  t["mad24"] = lowerMul24;
  t["sad"] = lowerSad;
  t["bfind"] = lowerBfind;
  t["dp4a"] = lowerDp;
  t["dp2a"] = lowerDp;
}

} // namespace wooly::ptx::lower
