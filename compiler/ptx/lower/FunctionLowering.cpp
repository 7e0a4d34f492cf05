//===- FunctionLowering.cpp - registers, operands, statements -------------===//
#include "compiler/ptx/lower/FunctionLowering.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;

namespace wooly::ptx::lower {

AddressSpace addressSpaceOf(StateSpace space) {
  switch (space) {
  case StateSpace::Global:
    return AddressSpace::Global;
  case StateSpace::Shared:
    return AddressSpace::Shared;
  case StateSpace::Const:
    return AddressSpace::Const;
  case StateSpace::Local:
    return AddressSpace::Local;
  case StateSpace::Param:
    return AddressSpace::Param;
  case StateSpace::Reg:
  case StateSpace::Generic:
    return AddressSpace::Generic;
  }
  return AddressSpace::Generic;
}

AddressSpace instructionSpace(const Instruction &inst) {
  for (const std::string &m : inst.modifiers) {
    if (m == ".global")
      return AddressSpace::Global;
    if (m == ".shared" || m == ".shared::cta")
      return AddressSpace::Shared;
    if (m == ".const")
      return AddressSpace::Const;
    if (m == ".local")
      return AddressSpace::Local;
    if (m == ".param")
      return AddressSpace::Param;
  }
  return AddressSpace::Generic;
}

FunctionLowering::FunctionLowering(MLIRContext &ctx, ModuleInfo &info,
                                   const Function &fn, Operation *funcOp,
                                   Location baseLoc)
    : ctx(ctx), b(&ctx), loc(baseLoc), info(info), fn(fn), funcOp(funcOp) {}

Location FunctionLowering::locOf(SourceLoc at) const {
  return FileLineColLoc::get(&ctx, info.fileName, at.line, at.column);
}

bool FunctionLowering::error(SourceLoc at, const std::string &message) {
  info.diagnostics->push_back({at, message});
  failed = true;
  return false;
}

bool FunctionLowering::unsupported(const Instruction &inst,
                                   const std::string &why) {
  std::string where = info.fileName + ":" + std::to_string(inst.loc.line) +
                      ":" + std::to_string(inst.loc.column);
  return error(inst.loc, "unsupported PTX: " + inst.fullName() + " at " +
                             where + (why.empty() ? "" : " (" + why + ")"));
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

PtxType FunctionLowering::ptxType(const std::string &m) const {
  PtxType t;
  auto integer = [&](unsigned bits, bool isSigned) {
    t.type = IntegerType::get(&ctx, bits);
    t.bits = bits;
    t.isSigned = isSigned;
  };
  auto floating = [&](Type type, unsigned bits) {
    t.type = type;
    t.bits = bits;
    t.isFloat = true;
  };
  if (m.size() < 3)
    return t;
  char k = m[1];
  std::string rest = m.substr(2);
  if ((k == 'b' || k == 'u' || k == 's') &&
      (rest == "8" || rest == "16" || rest == "32" || rest == "64"))
    integer(std::stoi(rest), k == 's');
  else if (m == ".f32")
    floating(Float32Type::get(&ctx), 32);
  else if (m == ".f64")
    floating(Float64Type::get(&ctx), 64);
  else if (m == ".f16")
    floating(Float16Type::get(&ctx), 16);
  else if (m == ".bf16")
    floating(BFloat16Type::get(&ctx), 16);
  else if (m == ".f16x2" || m == ".bf16x2") {
    integer(32, false); // packed pairs travel as b32 ...
    t.isFloat = true;   // ... but are float arithmetic (Float.cpp)
  }
  else if (m == ".pred") {
    integer(1, false);
    t.isPred = true;
  }
  return t;
}

std::vector<PtxType> FunctionLowering::types(const Instruction &inst) const {
  std::vector<PtxType> out;
  for (const std::string &m : inst.modifiers) {
    PtxType t = ptxType(m);
    if (t.valid())
      out.push_back(t);
  }
  return out;
}

Type FunctionLowering::regType(const std::string &ptx) const {
  PtxType t = ptxType(ptx);
  if (!t.valid())
    return {};
  // .b16 registers hold f16 bits in nvcc's output; keep registers integral
  // except for the float types PTX declares explicitly.
  return t.type;
}

//===----------------------------------------------------------------------===//
// Slots
//===----------------------------------------------------------------------===//

FunctionLowering::Slot FunctionLowering::declareSlot(const std::string &name,
                                                     Type type) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(entryBlock);
  Value slot = RegOp::create(b, loc, RegType::get(&ctx, type));
  Slot s{slot, type};
  scopes.back().slots[name] = s;
  return s;
}

const FunctionLowering::Slot *FunctionLowering::lookup(const std::string &name) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto found = it->slots.find(name);
    if (found != it->slots.end())
      return &found->second;
    for (const RegisterFamily &family : it->families) {
      if (name.size() <= family.prefix.size() ||
          name.compare(0, family.prefix.size(), family.prefix) != 0)
        continue;
      std::string digits = name.substr(family.prefix.size());
      if (digits.size() > 9 || !llvm::all_of(digits, llvm::isDigit))
        continue;
      if (digits.size() > 1 && digits[0] == '0')
        continue;
      if (std::stoul(digits) >= family.count)
        continue;
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(entryBlock);
      Value slot = RegOp::create(b, loc, RegType::get(&ctx, family.type));
      return &(it->slots[name] = Slot{slot, family.type});
    }
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

Value FunctionLowering::intConst(Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, type,
                                   b.getIntegerAttr(type, value));
}

Value FunctionLowering::floatConst(Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value FunctionLowering::convert(Value value, Type to, bool isSigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  if (isa<PtrType>(from)) {
    Value asInt = PtrToIntOp::create(b, loc, b.getI64Type(), value);
    return convert(asInt, to, isSigned);
  }
  if (isa<PtrType>(to)) {
    Value asInt = convert(value, b.getI64Type(), false);
    return IntToPtrOp::create(b, loc, to, asInt);
  }
  unsigned fromBits = from.getIntOrFloatBitWidth();
  unsigned toBits = to.getIntOrFloatBitWidth();
  if (to.isInteger(1) && !from.isInteger(1)) {
    Value asInt = convert(value, IntegerType::get(&ctx, fromBits), false);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, asInt,
                                 intConst(asInt.getType(), 0));
  }
  if (isa<FloatType>(from)) {
    Value asInt =
        arith::BitcastOp::create(b, loc, IntegerType::get(&ctx, fromBits),
                                 value);
    return convert(asInt, to, isSigned);
  }
  if (isa<FloatType>(to)) {
    Value sized = convert(value, IntegerType::get(&ctx, toBits), isSigned);
    return arith::BitcastOp::create(b, loc, to, sized);
  }
  if (fromBits > toBits)
    return arith::TruncIOp::create(b, loc, to, value);
  if (isSigned && fromBits > 1)
    return arith::ExtSIOp::create(b, loc, to, value);
  return arith::ExtUIOp::create(b, loc, to, value);
}

Value FunctionLowering::symbolAddress(const std::string &name, SourceLoc at) {
  auto global = info.globals.find(name);
  if (global == info.globals.end()) {
    error(at, "unknown symbol '" + name + "'");
    return {};
  }
  auto ptrType =
      PtrType::get(&ctx, addressSpaceOf(global->second->space));
  return AddressOfOp::create(b, loc, ptrType, name);
}

Value FunctionLowering::read(const Operand &op, Type type, bool isSigned) {
  switch (op.kind) {
  case Operand::Kind::Register: {
    Value value;
    if (const Slot *slot = lookup(op.name))
      value = RegReadOp::create(b, loc, slot->slot);
    else
      value = specialRegister(op.name, type, op.loc);
    if (!value)
      return {};
    if (op.negated) {
      value = convert(value, b.getI1Type(), false);
      value = arith::XOrIOp::create(b, loc, value, intConst(b.getI1Type(), 1));
    }
    return convert(value, type, isSigned);
  }
  case Operand::Kind::Integer: {
    if (isa<FloatType>(type))
      return floatConst(type, isSigned ? double(int64_t(op.intValue))
                                       : double(op.intValue));
    if (isa<PtrType>(type))
      return convert(intConst(b.getI64Type(), int64_t(op.intValue)), type,
                     false);
    if (type.isInteger(1))
      return intConst(type, op.intValue != 0);
    return intConst(type, int64_t(op.intValue));
  }
  case Operand::Kind::Float: {
    llvm::APFloat value =
        op.isDouble
            ? llvm::APFloat(llvm::APFloat::IEEEdouble(),
                            llvm::APInt(64, op.floatBits))
            : llvm::APFloat(llvm::APFloat::IEEEsingle(),
                            llvm::APInt(32, op.floatBits & 0xffffffffu));
    if (auto floatType = dyn_cast<FloatType>(type)) {
      bool lost = false;
      value.convert(floatType.getFloatSemantics(),
                    llvm::APFloat::rmNearestTiesToEven, &lost);
      return arith::ConstantOp::create(b, loc, type,
                                       b.getFloatAttr(type, value));
    }
    if (auto intType = dyn_cast<IntegerType>(type)) {
      // A float literal in an integer context is its bit pattern.
      llvm::APInt bits = value.bitcastToAPInt().zextOrTrunc(intType.getWidth());
      return arith::ConstantOp::create(b, loc, type,
                                       b.getIntegerAttr(type, bits));
    }
    error(op.loc, "floating-point literal where a pointer is expected");
    return {};
  }
  case Operand::Kind::Symbol: {
    // Inline-asm registers may lack the '%' (`__$temp3`).
    if (const Slot *slot = lookup(op.name))
      return convert(RegReadOp::create(b, loc, slot->slot), type, isSigned);
    auto local = paramPointers.find(op.name);
    Value addr = local != paramPointers.end() ? local->second
                                              : symbolAddress(op.name, op.loc);
    if (!addr)
      return {};
    return convert(addr, type, false);
  }
  default:
    error(op.loc, "expected a register or an immediate operand");
    return {};
  }
}

Value FunctionLowering::readPred(const Operand &op) {
  return read(op, b.getI1Type(), false);
}

bool FunctionLowering::write(const Operand &op, Value value, bool isSigned) {
  if (op.kind == Operand::Kind::Sink)
    return true;
  if (op.kind != Operand::Kind::Register && op.kind != Operand::Kind::Symbol)
    return error(op.loc, "expected a destination register");
  const Slot *slot = lookup(op.name);
  if (!slot)
    return error(op.loc, "use of undeclared register '" + op.name + "'");
  Value converted = convert(value, slot->type, isSigned);
  RegWriteOp::create(b, loc, converted, slot->slot);
  return true;
}

Value FunctionLowering::address(const Operand &op, AddressSpace space) {
  if (op.kind != Operand::Kind::Address) {
    error(op.loc, "expected an address like [%rd1+8]");
    return {};
  }
  auto ptrType = PtrType::get(&ctx, space);
  Value base;
  if (op.elements.empty()) {
    base = IntToPtrOp::create(b, loc, ptrType,
                              intConst(b.getI64Type(), op.offset));
  } else {
    const Operand &baseOp = op.elements[0];
    if (baseOp.kind == Operand::Kind::Register) {
      const Slot *slot = lookup(baseOp.name);
      if (!slot) {
        error(baseOp.loc, "use of undeclared register '" + baseOp.name + "'");
        return {};
      }
      Value raw = RegReadOp::create(b, loc, slot->slot);
      if (isa<PtrType>(raw.getType()))
        raw = PtrToIntOp::create(b, loc, b.getI64Type(), raw);
      else if (!isa<IntegerType>(raw.getType()) ||
               raw.getType().getIntOrFloatBitWidth() < 32)
        raw = convert(raw, b.getI64Type(), false);
      base = IntToPtrOp::create(b, loc, ptrType, raw);
    } else {
      auto param = paramPointers.find(baseOp.name);
      if (param != paramPointers.end()) {
        // Parameters and .local arrays live wherever the lowering put them
        // (by-value aggregates are passed as pointers to local memory).
        base = param->second;
      } else {
        base = symbolAddress(baseOp.name, baseOp.loc);
        if (!base)
          return {};
        if (cast<PtrType>(base.getType()).getSpace() != space)
          base = CastSpaceOp::create(b, loc, ptrType, base);
      }
    }
    if (op.offset != 0)
      base = PtrAddOp::create(b, loc, base.getType(), base,
                              intConst(b.getI64Type(), op.offset));
  }
  return base;
}

Value FunctionLowering::specialRegister(const std::string &name, Type type,
                                        SourceLoc at) {
  auto dimOf = [&](char c) -> std::optional<Dim> {
    if (c == 'x')
      return Dim::X;
    if (c == 'y')
      return Dim::Y;
    if (c == 'z')
      return Dim::Z;
    return std::nullopt;
  };
  auto geometry = [&](const char *prefix) -> std::optional<Dim> {
    size_t n = std::strlen(prefix);
    if (name.size() == n + 2 && name.compare(0, n, prefix) == 0 &&
        name[n] == '.')
      return dimOf(name[n + 1]);
    return std::nullopt;
  };
  Type i32 = b.getI32Type();
  if (auto d = geometry("%tid"))
    return ThreadIdOp::create(b, loc, i32, *d);
  if (auto d = geometry("%ntid"))
    return BlockDimOp::create(b, loc, i32, *d);
  if (auto d = geometry("%ctaid"))
    return BlockIdOp::create(b, loc, i32, *d);
  if (auto d = geometry("%nctaid"))
    return GridDimOp::create(b, loc, i32, *d);
  if (name == "%laneid")
    return LaneIdOp::create(b, loc, i32);
  if (name == "%warpid")
    return HardwareRegOp::create(b, loc, i32, HardwareReg::WarpId);
  if (name == "%nwarpid")
    return HardwareRegOp::create(b, loc, i32, HardwareReg::NWarpId);
  if (name == "%smid")
    return HardwareRegOp::create(b, loc, i32, HardwareReg::SmId);
  if (name == "%nsmid")
    return HardwareRegOp::create(b, loc, i32, HardwareReg::NSmId);
  if (name == "%gridid")
    return HardwareRegOp::create(b, loc, b.getI64Type(), HardwareReg::GridId);
  if (name == "%lanemask_eq")
    return LaneMaskOp::create(b, loc, i32, LaneMask::EQ);
  if (name == "%lanemask_lt")
    return LaneMaskOp::create(b, loc, i32, LaneMask::LT);
  if (name == "%lanemask_le")
    return LaneMaskOp::create(b, loc, i32, LaneMask::LE);
  if (name == "%lanemask_gt")
    return LaneMaskOp::create(b, loc, i32, LaneMask::GT);
  if (name == "%lanemask_ge")
    return LaneMaskOp::create(b, loc, i32, LaneMask::GE);
  if (name == "%clock")
    return ClockOp::create(b, loc, i32);
  if (name == "%clock64")
    return ClockOp::create(b, loc, b.getI64Type());
  if (name == "%globaltimer")
    return GlobalTimerOp::create(b, loc);
  if (name == "%dynamic_smem_size")
    return DynamicSharedSizeOp::create(b, loc, i32);
  error(at, "use of undeclared register '" + name + "'");
  return {};
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

Block *FunctionLowering::newBlockAfter(Block *block) {
  Block *fresh = new Block();
  block->getParent()->getBlocks().insertAfter(Region::iterator(block), fresh);
  return fresh;
}

bool FunctionLowering::currentBlockTerminated() const {
  Block *block = b.getInsertionBlock();
  return !block->empty() &&
         block->back().hasTrait<OpTrait::IsTerminator>();
}

void FunctionLowering::startDeadBlock() {
  Block *dead = newBlockAfter(b.getInsertionBlock());
  b.setInsertionPointToEnd(dead);
}

void FunctionLowering::emitReturn() {
  SmallVector<Value> values;
  for (auto &[name, slot] : returnSlots)
    values.push_back(RegReadOp::create(b, loc, slot.slot));
  ReturnOp::create(b, loc, values);
}

void FunctionLowering::collectLabels(const StatementBlock &block) {
  for (const Statement &stmt : block.statements) {
    if (auto *label = std::get_if<Label>(&stmt.node)) {
      if (labels.count(label->name)) {
        error(label->loc, "label '" + label->name + "' defined twice");
        continue;
      }
      Block *target = new Block();
      entryBlock->getParent()->push_back(target);
      labels[label->name] = target;
    } else if (auto *inner = std::get_if<StatementBlock>(&stmt.node)) {
      collectLabels(*inner);
    }
  }
}

bool FunctionLowering::run() {
  Region &body = funcOp->getRegion(0);
  entryBlock = &body.front();
  b.setInsertionPointToEnd(entryBlock);
  scopes.emplace_back();

  // Parameters: scalars are SSA arguments, byte arrays are param pointers.
  for (size_t i = 0; i < fn.params.size(); ++i) {
    Value arg = entryBlock->getArgument(i);
    if (isa<PtrType>(arg.getType()))
      paramPointers[fn.params[i].name] = arg;
    else
      paramValues[fn.params[i].name] = arg;
  }
  for (const VarDecl &ret : fn.returns) {
    if (ret.isArray())
      paramPointers[ret.name] = entryBlock->getArguments().back();
    else
      returnSlots.push_back(
          {ret.name, declareSlot(ret.name, regType(ret.type))});
  }

  collectLabels(*fn.body);
  lowerBlock(*fn.body);
  if (!currentBlockTerminated())
    emitReturn();
  // Label blocks nothing jumped into still need a terminator.
  for (Block &block : body)
    if (block.empty() || !block.back().hasTrait<OpTrait::IsTerminator>()) {
      b.setInsertionPointToEnd(&block);
      emitReturn();
    }
  return !failed;
}

bool FunctionLowering::lowerBlock(const StatementBlock &block) {
  for (const Statement &stmt : block.statements)
    lowerStatement(stmt);
  return !failed;
}

bool FunctionLowering::lowerStatement(const Statement &stmt) {
  if (auto *inst = std::get_if<Instruction>(&stmt.node)) {
    loc = locOf(inst->loc);
    return lowerInstruction(*inst);
  }
  if (auto *label = std::get_if<Label>(&stmt.node)) {
    Block *target = labels[label->name];
    if (!target)
      return false;
    if (!currentBlockTerminated())
      cf::BranchOp::create(b, loc, target);
    b.setInsertionPointToEnd(target);
    return true;
  }
  if (auto *inner = std::get_if<StatementBlock>(&stmt.node)) {
    scopes.emplace_back();
    lowerBlock(*inner);
    scopes.pop_back();
    return !failed;
  }
  const VarDecl &decl = std::get<VarDecl>(stmt.node);
  loc = locOf(decl.loc);
  switch (decl.space) {
  case StateSpace::Reg:
  case StateSpace::Param: {
    if (decl.space == StateSpace::Param && decl.isArray())
      return declareLocalArray(decl);
    if (decl.isArray() || decl.vectorWidth != 1)
      return error(decl.loc, "unsupported PTX: vector or array register " +
                                 decl.name);
    Type type = regType(decl.type);
    if (!type)
      return error(decl.loc,
                   "unsupported PTX: register type " + decl.type);
    if (decl.parameterizedCount)
      scopes.back().families.push_back(
          {decl.name, *decl.parameterizedCount, type});
    else
      declareSlot(decl.name, type);
    return true;
  }
  case StateSpace::Local:
    return declareLocalArray(decl);
  default:
    // Function-scope .shared/.global/.const variables were hoisted to module
    // scope by the module lowering.
    if (info.globals.count(decl.name))
      return true;
    return error(decl.loc, "unsupported PTX: function-scope " +
                               std::string(stateSpaceName(decl.space)) +
                               " variable " + decl.name);
  }
}

bool FunctionLowering::declareLocalArray(const VarDecl &decl) {
  {
    // A per-thread array (also a by-value aggregate .param of a call): its
    // name is a pointer to local memory, used like a module-scope symbol.
    uint64_t elemSize = std::max<uint64_t>(1, ptxType(decl.type).bits / 8);
    uint64_t count = 1;
    for (uint64_t d : decl.arrayDims)
      count *= d ? d : 1;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(entryBlock);
    if (!entryBlock->empty() &&
        entryBlock->back().hasTrait<OpTrait::IsTerminator>())
      b.setInsertionPoint(&entryBlock->back());
    Value ptr = LocalAllocaOp::create(
        b, loc, PtrType::get(&ctx, AddressSpace::Local),
        b.getI64IntegerAttr(elemSize * count * decl.vectorWidth),
        b.getI64IntegerAttr(decl.align ? decl.align : elemSize));
    paramPointers[decl.name] = ptr;
    return true;
  }
}

bool FunctionLowering::lowerInstruction(const Instruction &inst) {
  const auto &table = handlers();
  auto handler = table.find(inst.opcode);
  if (handler == table.end())
    return unsupported(inst);
  // Cluster-wide shared memory (sm_90 distributed shared memory) is not a
  // WIS address space: refuse rather than treat it as generic.
  for (const std::string &m : inst.modifiers)
    if (m == ".shared::cluster" || m == ".cluster")
      if (inst.opcode != "fence" && inst.opcode != "membar")
        return unsupported(inst, "cluster scope");
  // `bra` handles its own guard (a conditional branch).
  if (!inst.guard || inst.opcode == "bra")
    return handler->second(*this, inst);
  Operand guardOp;
  guardOp.kind = Operand::Kind::Register;
  guardOp.name = inst.guard->predicate;
  guardOp.negated = inst.guard->negated;
  guardOp.loc = inst.loc;
  Value cond = readPred(guardOp);
  if (!cond)
    return false;
  Block *current = b.getInsertionBlock();
  Block *then = newBlockAfter(current);
  Block *cont = newBlockAfter(then);
  cf::CondBranchOp::create(b, loc, cond, then, cont);
  b.setInsertionPointToEnd(then);
  bool ok = handler->second(*this, inst);
  if (!currentBlockTerminated())
    cf::BranchOp::create(b, loc, cont);
  b.setInsertionPointToEnd(cont);
  return ok;
}

const std::map<std::string, FunctionLowering::Handler> &
FunctionLowering::handlers() {
  static const std::map<std::string, Handler> table = [] {
    std::map<std::string, Handler> t;
    registerIntegerFamily(t);
    registerFloatFamily(t);
    registerConvertFamily(t);
    registerMemoryFamily(t);
    registerControlFamily(t);
    registerParallelFamily(t);
    registerCarryFamily(t);
    return t;
  }();
  return table;
}

} // namespace wooly::ptx::lower
