//===- Parallel.cpp - barriers, fences, warp collectives ------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

bool constantId(FL &l, const Operand &op, uint32_t &id) {
  if (op.kind != Operand::Kind::Integer || op.intValue > 15)
    return l.error(op.loc, "barrier id must be a constant 0..15");
  id = static_cast<uint32_t>(op.intValue);
  return true;
}

bool lowerBar(FL &l, const Instruction &inst) {
  bool arrive = inst.hasModifier(".arrive");
  if (inst.hasModifier(".red")) {
    // bar.red.popc.u32 d, id, {count,} p  /  bar.red.and.pred d, id, {count,} p
    std::optional<BarrierReduction> kind;
    if (inst.hasModifier(".popc"))
      kind = BarrierReduction::Popc;
    else if (inst.hasModifier(".and"))
      kind = BarrierReduction::And;
    else if (inst.hasModifier(".or"))
      kind = BarrierReduction::Or;
    if (!kind || inst.operands.size() < 3 || inst.operands.size() > 4)
      return l.unsupported(inst);
    uint32_t id;
    if (!constantId(l, inst.operands[1], id))
      return false;
    Value count;
    if (inst.operands.size() == 4 &&
        !(count = l.read(inst.operands[2], l.b.getI32Type())))
      return false;
    Value p = l.readPred(inst.operands.back());
    if (!p)
      return false;
    Type result = *kind == BarrierReduction::Popc ? l.b.getI32Type()
                                                  : l.b.getI1Type();
    return l.write(inst.operands[0],
                   BarrierReduceOp::create(l.b, l.loc, result, *kind, p, id,
                                           count));
  }
  if (inst.operands.empty() || inst.operands.size() > 2)
    return l.unsupported(inst);
  uint32_t id;
  if (!constantId(l, inst.operands[0], id))
    return false;
  Value count;
  if (inst.operands.size() == 2 &&
      !(count = l.read(inst.operands[1], l.b.getI32Type())))
    return false;
  BarrierOp::create(l.b, l.loc, id, count, arrive);
  return true;
}

bool lowerFence(FL &l, const Instruction &inst) {
  MemScope scope = MemScope::GPU;
  MemOrder order = MemOrder::SeqCst;
  for (const std::string &m : inst.modifiers) {
    if (m == ".cta")
      scope = MemScope::CTA;
    else if (m == ".gl" || m == ".gpu")
      scope = MemScope::GPU;
    else if (m == ".sys")
      scope = MemScope::Sys;
    else if (m == ".cluster")
      scope = MemScope::Cluster;
    else if (m == ".acq_rel")
      order = MemOrder::AcqRel;
    else if (m == ".sc")
      order = MemOrder::SeqCst;
    else if (m == ".proxy" || m == ".alias" || m == ".async")
      return l.unsupported(inst, "proxy fences");
  }
  FenceOp::create(l.b, l.loc, scope, order);
  return true;
}

bool lowerShfl(FL &l, const Instruction &inst) {
  std::optional<ShuffleMode> mode;
  if (inst.hasModifier(".idx"))
    mode = ShuffleMode::Idx;
  else if (inst.hasModifier(".up"))
    mode = ShuffleMode::Up;
  else if (inst.hasModifier(".down"))
    mode = ShuffleMode::Down;
  else if (inst.hasModifier(".bfly"))
    mode = ShuffleMode::Xor;
  if (!mode || !inst.hasModifier(".sync") || inst.operands.size() != 5)
    return l.unsupported(inst, "shfl without .sync is not supported");
  Type i32 = l.b.getI32Type();
  Value v = l.read(inst.operands[1], i32);
  Value lane = l.read(inst.operands[2], i32);
  Value c = l.read(inst.operands[3], i32);
  Value mask = l.read(inst.operands[4], i32);
  if (!v || !lane || !c || !mask)
    return false;
  auto op = ShuffleOp::create(l.b, l.loc, i32, l.b.getI1Type(),
                              ShuffleModeAttr::get(&l.ctx, *mode), v, lane, c,
                              mask);
  const Operand &dst = inst.operands[0];
  if (dst.kind == Operand::Kind::Pair)
    return l.write(dst.elements[0], op.getResult()) &&
           l.write(dst.elements[1], op.getValid());
  return l.write(dst, op.getResult());
}

bool lowerVote(FL &l, const Instruction &inst) {
  std::optional<VoteMode> mode;
  if (inst.hasModifier(".any"))
    mode = VoteMode::Any;
  else if (inst.hasModifier(".all"))
    mode = VoteMode::All;
  else if (inst.hasModifier(".uni"))
    mode = VoteMode::Uni;
  else if (inst.hasModifier(".ballot"))
    mode = VoteMode::Ballot;
  if (!mode || !inst.hasModifier(".sync") || inst.operands.size() != 3)
    return l.unsupported(inst, "vote without .sync is not supported");
  Value p = l.readPred(inst.operands[1]);
  Value mask = l.read(inst.operands[2], l.b.getI32Type());
  if (!p || !mask)
    return false;
  Type result = *mode == VoteMode::Ballot ? l.b.getI32Type() : l.b.getI1Type();
  return l.write(inst.operands[0],
                 VoteOp::create(l.b, l.loc, result, *mode, p, mask));
}

bool lowerMatch(FL &l, const Instruction &inst) {
  bool any = inst.hasModifier(".any");
  if ((!any && !inst.hasModifier(".all")) || inst.operands.size() != 3)
    return l.unsupported(inst);
  auto ts = l.types(inst);
  if (ts.size() != 1 || (ts[0].bits != 32 && ts[0].bits != 64))
    return l.unsupported(inst);
  Value v = l.read(inst.operands[1], ts[0].type);
  Value mask = l.read(inst.operands[2], l.b.getI32Type());
  if (!v || !mask)
    return false;
  auto op = MatchOp::create(l.b, l.loc, l.b.getI32Type(), l.b.getI1Type(),
                            MatchModeAttr::get(&l.ctx, any ? MatchMode::Any
                                                           : MatchMode::All),
                            v, mask);
  const Operand &dst = inst.operands[0];
  if (dst.kind == Operand::Kind::Pair)
    return l.write(dst.elements[0], op.getResult()) &&
           l.write(dst.elements[1], op.getAllEqual());
  return l.write(dst, op.getResult());
}

bool lowerRedux(FL &l, const Instruction &inst) {
  auto ts = l.types(inst);
  if (ts.size() != 1 || ts[0].bits != 32 || ts[0].isFloat ||
      inst.operands.size() != 3)
    return l.unsupported(inst);
  bool s = ts[0].isSigned;
  std::optional<ReduxKind> kind;
  if (inst.hasModifier(".add"))
    kind = ReduxKind::Add;
  else if (inst.hasModifier(".min"))
    kind = s ? ReduxKind::Min : ReduxKind::UMin;
  else if (inst.hasModifier(".max"))
    kind = s ? ReduxKind::Max : ReduxKind::UMax;
  else if (inst.hasModifier(".and"))
    kind = ReduxKind::And;
  else if (inst.hasModifier(".or"))
    kind = ReduxKind::Or;
  else if (inst.hasModifier(".xor"))
    kind = ReduxKind::Xor;
  if (!kind)
    return l.unsupported(inst);
  Type i32 = l.b.getI32Type();
  Value v = l.read(inst.operands[1], i32);
  Value mask = l.read(inst.operands[2], i32);
  if (!v || !mask)
    return false;
  return l.write(inst.operands[0],
                 ReduxOp::create(l.b, l.loc, i32,
                                 ReduxKindAttr::get(&l.ctx, *kind), v, mask));
}

bool lowerActiveMask(FL &l, const Instruction &inst) {
  if (inst.operands.size() != 1)
    return l.unsupported(inst);
  return l.write(inst.operands[0],
                 ActiveMaskOp::create(l.b, l.loc, l.b.getI32Type()));
}

bool lowerWarpSync(FL &l, const Instruction &inst) {
  if (inst.operands.size() != 1)
    return l.unsupported(inst);
  Value mask = l.read(inst.operands[0], l.b.getI32Type());
  if (!mask)
    return false;
  WarpSyncOp::create(l.b, l.loc, mask);
  return true;
}

} // namespace

void registerParallelFamily(std::map<std::string, FL::Handler> &t) {
  t["bar"] = [](FL &l, const Instruction &i) {
    if (i.hasModifier(".warp"))
      return lowerWarpSync(l, i);
    return lowerBar(l, i);
  };
  t["barrier"] = lowerBar;
  t["membar"] = lowerFence;
  t["fence"] = lowerFence;
  t["shfl"] = lowerShfl;
  t["vote"] = lowerVote;
  t["match"] = lowerMatch;
  t["redux"] = lowerRedux;
  t["activemask"] = lowerActiveMask;
}

} // namespace wooly::ptx::lower
