//===- Control.cpp - bra, call, ret, exit, trap, brkpt --------------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

using namespace mlir;

namespace wooly::ptx::lower {
namespace {

using FL = FunctionLowering;

bool lowerBra(FL &l, const Instruction &inst) {
  if (inst.operands.size() != 1 ||
      inst.operands[0].kind != Operand::Kind::Symbol)
    return l.unsupported(inst, "only direct branches to a label");
  auto target = l.labels.find(inst.operands[0].name);
  if (target == l.labels.end())
    return l.error(inst.operands[0].loc,
                   "branch to unknown label '" + inst.operands[0].name + "'");
  if (!inst.guard) {
    cf::BranchOp::create(l.b, l.loc, target->second);
    l.startDeadBlock();
    return true;
  }
  Operand guardOp;
  guardOp.kind = Operand::Kind::Register;
  guardOp.name = inst.guard->predicate;
  guardOp.negated = inst.guard->negated;
  guardOp.loc = inst.loc;
  Value cond = l.readPred(guardOp);
  if (!cond)
    return false;
  Block *fallthrough = l.newBlockAfter(l.b.getInsertionBlock());
  cf::CondBranchOp::create(l.b, l.loc, cond, target->second, fallthrough);
  l.b.setInsertionPointToEnd(fallthrough);
  return true;
}

bool lowerRet(FL &l, const Instruction &inst) {
  l.emitReturn();
  l.startDeadBlock();
  return true;
}

template <typename OpTy> bool terminate(FL &l, const Instruction &) {
  OpTy::create(l.b, l.loc);
  l.startDeadBlock();
  return true;
}

/// The values of a call's argument list: `.param` slots of the call
/// sequence (or plain registers, which LLVM's PTX never passes but PTX
/// allows).
bool readArgs(FL &l, const Operand &list, ArrayRef<Type> types,
              SmallVectorImpl<Value> &out) {
  if (list.elements.size() != types.size())
    return l.error(list.loc, "call passes " +
                                 std::to_string(list.elements.size()) +
                                 " arguments, the callee takes " +
                                 std::to_string(types.size()));
  for (size_t i = 0; i < types.size(); ++i) {
    const Operand &arg = list.elements[i];
    Value v;
    if (const FL::Slot *slot =
            arg.kind == Operand::Kind::Symbol ? l.lookup(arg.name) : nullptr)
      v = l.convert(RegReadOp::create(l.b, l.loc, slot->slot), types[i], false);
    else
      v = l.read(arg, types[i]);
    if (!v)
      return false;
    out.push_back(v);
  }
  return true;
}

bool writeResults(FL &l, const Operand *list, ValueRange results) {
  if (!list)
    return true;
  for (size_t i = 0; i < list->elements.size() && i < results.size(); ++i) {
    const Operand &r = list->elements[i];
    if (const FL::Slot *slot =
            r.kind == Operand::Kind::Symbol ? l.lookup(r.name) : nullptr)
      RegWriteOp::create(l.b, l.loc, l.convert(results[i], slot->type, false),
                         slot->slot);
    else if (!l.write(r, results[i]))
      return false;
  }
  return true;
}

bool lowerCall(FL &l, const Instruction &inst) {
  const Operand *rets = nullptr;
  const Operand *args = nullptr;
  size_t i = 0;
  if (i < inst.operands.size() && inst.operands[i].kind == Operand::Kind::Call)
    rets = &inst.operands[i++];
  if (i >= inst.operands.size() ||
      inst.operands[i].kind != Operand::Kind::Symbol)
    return l.unsupported(inst, "indirect calls");
  const std::string &callee = inst.operands[i++].name;
  if (i < inst.operands.size() && inst.operands[i].kind == Operand::Kind::Call)
    args = &inst.operands[i++];
  if (i != inst.operands.size())
    return l.unsupported(inst, "call with a prototype");
  Operand noArgs;
  noArgs.kind = Operand::Kind::Call;
  if (!args)
    args = &noArgs;

  auto generic = PtrType::get(&l.ctx, AddressSpace::Generic);
  Type i64 = l.b.getI64Type();
  if (callee == "vprintf") {
    SmallVector<Value> in;
    if (!readArgs(l, *args, {i64, i64}, in))
      return false;
    Value fmt = IntToPtrOp::create(l.b, l.loc, generic, in[0]);
    Value buf = IntToPtrOp::create(l.b, l.loc, generic, in[1]);
    Value r = PrintfOp::create(l.b, l.loc, l.b.getI32Type(), fmt, buf);
    return writeResults(l, rets, r);
  }
  if (callee == "__assertfail") {
    SmallVector<Value> in;
    Type i32 = l.b.getI32Type();
    if (!readArgs(l, *args, {i64, i64, i32, i64, i64}, in))
      return false;
    AssertFailOp::create(l.b, l.loc,
                         IntToPtrOp::create(l.b, l.loc, generic, in[0]),
                         IntToPtrOp::create(l.b, l.loc, generic, in[1]), in[2],
                         IntToPtrOp::create(l.b, l.loc, generic, in[3]));
    return true;
  }
  auto fn = l.info.functions.find(callee);
  if (fn == l.info.functions.end() || !fn->second->body)
    return l.unsupported(inst, "call to '" + callee +
                                   "', which has no body in this module");
  // By-value aggregates travel as pointers to local memory; an aggregate
  // return value is a trailing pointer the callee writes through.
  auto localPtr = PtrType::get(&l.ctx, AddressSpace::Local);
  SmallVector<Type> argTypes, resultTypes;
  for (const VarDecl &p : fn->second->params)
    argTypes.push_back(p.isArray() ? Type(localPtr) : l.regType(p.type));
  Operand argList = *args;
  bool aggregateReturn = false;
  for (const VarDecl &r : fn->second->returns) {
    if (r.isArray()) {
      aggregateReturn = true;
      if (!rets || rets->elements.size() != 1)
        return l.error(inst.loc, "call to " + callee +
                                     " needs its aggregate return .param");
      argTypes.push_back(localPtr);
      argList.elements.push_back(rets->elements[0]);
    } else {
      resultTypes.push_back(l.regType(r.type));
    }
  }
  SmallVector<Value> in;
  if (!readArgs(l, argList, argTypes, in))
    return false;
  if (aggregateReturn)
    rets = nullptr;
  auto call = CallOp::create(l.b, l.loc, resultTypes, llvm::StringRef(callee),
                             in, ArrayAttr(), ArrayAttr());
  return writeResults(l, rets, call.getResults());
}

} // namespace

void registerControlFamily(std::map<std::string, FL::Handler> &t) {
  t["bra"] = lowerBra;
  t["ret"] = lowerRet;
  t["exit"] = terminate<ExitOp>;
  t["trap"] = terminate<TrapOp>;
  t["brkpt"] = [](FL &l, const Instruction &) {
    BreakpointOp::create(l.b, l.loc);
    return true;
  };
  t["call"] = lowerCall;
}

} // namespace wooly::ptx::lower
