//===- Memory.cpp - ld, st, atom, red, prefetch ---------------------------===//
//
// Loads and stores name their state space; an address register becomes a
// `!wooly.ptr<space>` through inttoptr. `.param` accesses are special: kernel
// and function parameters are SSA arguments, and the `.param` variables of a
// call sequence are register slots (Control.cpp reads them at the call).
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

struct Ordering {
  MemOrder order = MemOrder::Weak;
  MemScope scope = MemScope::GPU;
  bool isVolatile = false;
};

Ordering orderingOf(const Instruction &inst, MemOrder defaultOrder) {
  Ordering o;
  o.order = defaultOrder;
  for (const std::string &m : inst.modifiers) {
    if (m == ".relaxed")
      o.order = MemOrder::Relaxed;
    else if (m == ".acquire")
      o.order = MemOrder::Acquire;
    else if (m == ".release")
      o.order = MemOrder::Release;
    else if (m == ".acq_rel")
      o.order = MemOrder::AcqRel;
    else if (m == ".cta")
      o.scope = MemScope::CTA;
    else if (m == ".cluster")
      o.scope = MemScope::Cluster;
    else if (m == ".gpu")
      o.scope = MemScope::GPU;
    else if (m == ".sys")
      o.scope = MemScope::Sys;
    else if (m == ".volatile")
      o.isVolatile = true;
  }
  return o;
}

CacheHint cacheOf(const Instruction &inst) {
  static const std::map<std::string, CacheHint> hints = {
      {".ca", CacheHint::CA}, {".cg", CacheHint::CG}, {".cs", CacheHint::CS},
      {".lu", CacheHint::LU}, {".cv", CacheHint::CV}, {".wb", CacheHint::WB},
      {".wt", CacheHint::WT}, {".nc", CacheHint::NC}};
  for (const std::string &m : inst.modifiers) {
    auto it = hints.find(m);
    if (it != hints.end())
      return it->second;
  }
  return CacheHint::None;
}

unsigned vectorWidth(const Instruction &inst) {
  if (inst.hasModifier(".v2"))
    return 2;
  if (inst.hasModifier(".v4"))
    return 4;
  if (inst.hasModifier(".v8"))
    return 8;
  return 1;
}

/// The name a `[name+offset]` address refers to, when it is a plain symbol.
const Operand *symbolBase(const Operand &addr) {
  if (addr.kind != Operand::Kind::Address || addr.elements.empty() ||
      addr.elements[0].kind != Operand::Kind::Symbol)
    return nullptr;
  return &addr.elements[0];
}

/// The integer that holds all `n` elements of a vector access of `t`, when
/// one access of it can replace the `n` element accesses, else null. PTX
/// requires a vector access to be aligned to its whole size, so the wide
/// access has that alignment; only weak, non-volatile ones (no per-element
/// ordering to keep). One access instead of n matters most fenced: each
/// global access is confined to the arena separately, and n fenced element
/// addresses are n masks that ptxas cannot merge back into one wide access
/// as it does for the unfenced ones (halfOps' st.global.v2.u16 pairs).
IntegerType packedCarrier(FL &l, const PtxType &t, unsigned n,
                          const Ordering &o, AddressSpace space) {
  if (n == 1 || o.isVolatile || o.order != MemOrder::Weak ||
      space == AddressSpace::Param)
    return {};
  // Up to 32 bits: sub-word elements, which ptxas merges unfenced anyway.
  // Wider vectors (v2.f32, v4.f32) stay split, so the host backend keeps
  // seeing float elements it can vectorize.
  if ((t.bits != 8 && t.bits != 16) || n * t.bits > 32)
    return {};
  if (!t.type.isIntOrFloat() || t.type.getIntOrFloatBitWidth() != t.bits)
    return {};
  return l.b.getIntegerType(n * t.bits);
}

/// Element `i` of `n` packed little-endian in `whole`, as `type`.
Value unpackElement(FL &l, Value whole, Type type, unsigned i, unsigned bits) {
  Type wide = whole.getType();
  Value shifted = i == 0 ? whole
                         : Value(arith::ShRUIOp::create(
                               l.b, l.loc, whole, l.intConst(wide, i * bits)));
  Value v = arith::TruncIOp::create(l.b, l.loc, l.b.getIntegerType(bits),
                                    shifted);
  if (isa<FloatType>(type))
    v = arith::BitcastOp::create(l.b, l.loc, type, v);
  return v;
}

/// `v` (an element of `bits` bits) zero-extended to `wide` and moved to
/// element position `i`.
Value packElement(FL &l, Value v, IntegerType wide, unsigned i, unsigned bits) {
  if (isa<FloatType>(v.getType()))
    v = arith::BitcastOp::create(l.b, l.loc, l.b.getIntegerType(bits), v);
  v = arith::ExtUIOp::create(l.b, l.loc, wide, v);
  if (i == 0)
    return v;
  return arith::ShLIOp::create(l.b, l.loc, v, l.intConst(wide, i * bits));
}

bool lowerLoad(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 2)
    return l.unsupported(inst);
  PtxType t = ts[0];
  const Operand &dst = inst.operands[0];
  const Operand &addrOp = inst.operands[1];
  AddressSpace space = instructionSpace(inst);
  unsigned n = vectorWidth(inst);

  // ld.param of a parameter or call-sequence slot.
  if (space == AddressSpace::Param) {
    if (const Operand *sym = symbolBase(addrOp)) {
      auto arg = l.paramValues.find(sym->name);
      if (arg != l.paramValues.end() && addrOp.offset == 0 && n == 1)
        return l.write(dst, l.convert(arg->second, t.type, t.isSigned),
                       t.isSigned);
      if (const FL::Slot *slot = l.lookup(sym->name)) {
        if (addrOp.offset != 0 || n != 1)
          return l.unsupported(inst, "offset into a scalar .param");
        Value v = RegReadOp::create(l.b, l.loc, slot->slot);
        return l.write(dst, l.convert(v, t.type, t.isSigned), t.isSigned);
      }
    }
  }
  Value ptr = l.address(addrOp, space);
  if (!ptr)
    return false;
  Ordering o = orderingOf(inst, MemOrder::Weak);
  bool invariant = inst.opcode == "ldu" || inst.hasModifier(".nc");
  CacheHint cache = cacheOf(inst);
  // PTX stores sub-word (.b8/.u8/.s8) values in wider registers.
  unsigned bytes = std::max(1u, t.bits / 8);
  auto loadOne = [&](Value p, const Operand &d) {
    Value v = LoadOp::create(l.b, l.loc, t.type, p, bytes, o.isVolatile,
                             invariant, o.order, o.scope, cache);
    return l.write(d, v, t.isSigned);
  };
  if (n == 1)
    return loadOne(ptr, dst);
  if (dst.kind != Operand::Kind::Vector || dst.elements.size() != n)
    return l.error(dst.loc, "expected a {…} vector of " + std::to_string(n) +
                                " registers");
  if (IntegerType wide = packedCarrier(l, t, n, o, space)) {
    Value whole = LoadOp::create(l.b, l.loc, wide, ptr, n * bytes, false,
                                 invariant, o.order, o.scope, cache);
    for (unsigned i = 0; i < n; ++i)
      if (!l.write(dst.elements[i],
                   unpackElement(l, whole, t.type, i, t.bits), t.isSigned))
        return false;
    return true;
  }
  for (unsigned i = 0; i < n; ++i) {
    Value p = i == 0 ? ptr
                     : Value(PtrAddOp::create(
                           l.b, l.loc, ptr.getType(), ptr,
                           l.intConst(l.b.getI64Type(), i * bytes)));
    if (!loadOne(p, dst.elements[i]))
      return false;
  }
  return true;
}

bool lowerStore(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || inst.operands.size() != 2)
    return l.unsupported(inst);
  PtxType t = ts[0];
  const Operand &addrOp = inst.operands[0];
  const Operand &src = inst.operands[1];
  AddressSpace space = instructionSpace(inst);
  unsigned n = vectorWidth(inst);

  if (space == AddressSpace::Param) {
    // st.param writes a call-sequence argument or this function's return
    // value slot.
    const Operand *sym = symbolBase(addrOp);
    if (const FL::Slot *slot = sym ? l.lookup(sym->name) : nullptr) {
      if (addrOp.offset != 0 || n != 1)
        return l.unsupported(inst, "offset into a scalar .param");
      Value v = l.read(src, t.type, t.isSigned);
      if (!v)
        return false;
      RegWriteOp::create(l.b, l.loc, l.convert(v, slot->type, t.isSigned),
                         slot->slot);
      return true;
    }
    if (!sym || !l.paramPointers.count(sym->name))
      return l.unsupported(inst, "store to an unknown .param");
  }
  Value ptr = l.address(addrOp, space);
  if (!ptr)
    return false;
  Ordering o = orderingOf(inst, MemOrder::Weak);
  CacheHint cache = cacheOf(inst);
  unsigned bytes = std::max(1u, t.bits / 8);
  auto storeOne = [&](Value p, const Operand &s) {
    Value v = l.read(s, t.type, t.isSigned);
    if (!v)
      return false;
    StoreOp::create(l.b, l.loc, v, p, bytes, o.isVolatile, o.order, o.scope,
                    cache);
    return true;
  };
  if (n == 1)
    return storeOne(ptr, src);
  if (src.kind != Operand::Kind::Vector || src.elements.size() != n)
    return l.error(src.loc, "expected a {…} vector of " + std::to_string(n) +
                                " values");
  if (IntegerType wide = packedCarrier(l, t, n, o, space)) {
    Value whole;
    for (unsigned i = 0; i < n; ++i) {
      Value v = l.read(src.elements[i], t.type, t.isSigned);
      if (!v)
        return false;
      Value part = packElement(l, v, wide, i, t.bits);
      whole = whole ? Value(arith::OrIOp::create(l.b, l.loc, whole, part))
                    : part;
    }
    StoreOp::create(l.b, l.loc, whole, ptr, n * bytes, false, o.order,
                    o.scope, cache);
    return true;
  }
  for (unsigned i = 0; i < n; ++i) {
    Value p = i == 0 ? ptr
                     : Value(PtrAddOp::create(
                           l.b, l.loc, ptr.getType(), ptr,
                           l.intConst(l.b.getI64Type(), i * bytes)));
    if (!storeOne(p, src.elements[i]))
      return false;
  }
  return true;
}

bool lowerAtomic(FL &l, const Instruction &inst) {
  bool isRed = inst.opcode == "red";
  auto ts = l.types(inst);
  if (ts.size() != 1 || vectorWidth(inst) != 1)
    return l.unsupported(inst);
  PtxType t = ts[0];
  size_t base = isRed ? 0 : 1; // red has no destination
  bool isCas = inst.hasModifier(".cas");
  if (inst.operands.size() != base + (isCas ? 3 : 2))
    return l.error(inst.loc, inst.fullName() + " has the wrong operand count");
  Value ptr = l.address(inst.operands[base], instructionSpace(inst));
  if (!ptr)
    return false;
  Ordering o = orderingOf(inst, MemOrder::Relaxed);
  auto scope = MemScopeAttr::get(&l.ctx, o.scope);
  auto order = MemOrderAttr::get(&l.ctx, o.order);
  if (isCas) {
    if (t.isFloat)
      return l.unsupported(inst);
    Value expected = l.read(inst.operands[base + 1], t.type);
    Value desired = l.read(inst.operands[base + 2], t.type);
    if (!expected || !desired)
      return false;
    Value old = AtomicCASOp::create(l.b, l.loc, t.type, ptr, expected, desired,
                                    scope, order);
    return isRed || l.write(inst.operands[0], old);
  }
  std::optional<AtomicKind> kind;
  if (inst.hasModifier(".add"))
    kind = t.isFloat ? AtomicKind::FAdd : AtomicKind::Add;
  else if (inst.hasModifier(".exch"))
    kind = AtomicKind::Exch;
  else if (inst.hasModifier(".and"))
    kind = AtomicKind::And;
  else if (inst.hasModifier(".or"))
    kind = AtomicKind::Or;
  else if (inst.hasModifier(".xor"))
    kind = AtomicKind::Xor;
  else if (inst.hasModifier(".min"))
    kind = t.isFloat ? AtomicKind::FMin
                     : (t.isSigned ? AtomicKind::Min : AtomicKind::UMin);
  else if (inst.hasModifier(".max"))
    kind = t.isFloat ? AtomicKind::FMax
                     : (t.isSigned ? AtomicKind::Max : AtomicKind::UMax);
  else if (inst.hasModifier(".inc"))
    kind = AtomicKind::Inc;
  else if (inst.hasModifier(".dec"))
    kind = AtomicKind::Dec;
  if (!kind || (t.isFloat && *kind == AtomicKind::Exch) ||
      inst.hasModifier(".noftz") || t.bits < 32)
    return l.unsupported(inst);
  Value v = l.read(inst.operands[base + 1], t.type, t.isSigned);
  if (!v)
    return false;
  Value old = AtomicRMWOp::create(l.b, l.loc, t.type,
                                  AtomicKindAttr::get(&l.ctx, *kind), ptr, v,
                                  scope, order);
  return isRed || l.write(inst.operands[0], old, t.isSigned);
}

bool lowerPrefetch(FL &l, const Instruction &inst) {
  if (inst.operands.size() != 1)
    return l.unsupported(inst);
  Value ptr = l.address(inst.operands[0], instructionSpace(inst));
  if (!ptr)
    return false;
  PrefetchOp::create(l.b, l.loc, ptr);
  return true;
}

} // namespace

void registerMemoryFamily(std::map<std::string, FL::Handler> &t) {
  t["ld"] = lowerLoad;
  t["ldu"] = lowerLoad;
  t["st"] = lowerStore;
  t["atom"] = lowerAtomic;
  t["red"] = lowerAtomic;
  t["prefetch"] = lowerPrefetch;
  t["prefetchu"] = lowerPrefetch;
}

} // namespace wooly::ptx::lower
