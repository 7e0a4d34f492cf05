//===- PackHalfPairs.cpp - Scalar half pairs back to f16x2 ops ------------===//

#include "compiler/target/nvptx/PackHalfPairs.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PatternMatch.h"

using namespace llvm;
using namespace llvm::PatternMatch;

namespace wooly::nvptx {

namespace {

/// A half operation that has an f16x2 form, used only to be packed.
bool isPackable(Instruction *inst) {
  if (!inst->getType()->isHalfTy() || !inst->hasOneUse())
    return false;
  switch (inst->getOpcode()) {
  case Instruction::FAdd:
  case Instruction::FSub:
  case Instruction::FMul:
    return true;
  default:
    break;
  }
  auto *call = dyn_cast<IntrinsicInst>(inst);
  return call && call->getIntrinsicID() == Intrinsic::fma;
}

/// The operation whose bits `v` holds in its low 16 bits, zero above
/// (`zext(bitcast(op) to i16) to i32`), or null.
Instruction *packedOperation(Value *v) {
  Value *bits;
  if (!match(v, m_OneUse(m_ZExt(m_OneUse(m_BitCast(m_Value(bits)))))))
    return nullptr;
  auto *inst = dyn_cast<Instruction>(bits);
  return inst && isPackable(inst) ? inst : nullptr;
}

/// Two operations of the same kind with the same flags.
bool sameKind(Instruction *lo, Instruction *hi) {
  if (lo->getOpcode() != hi->getOpcode() ||
      lo->getFastMathFlags() != hi->getFastMathFlags())
    return false;
  if (auto *call = dyn_cast<IntrinsicInst>(lo))
    return call->getIntrinsicID() ==
           cast<IntrinsicInst>(hi)->getIntrinsicID();
  return true;
}

/// The i16 in lane `lane` of `x`, when `x` packs two i16 values
/// (`zext(lo) | zext(hi) << 16`, as the front end's mov.b32 {lo, hi}), else
/// null.
Value *laneOf(Value *x, unsigned lane) {
  Value *lo, *hi;
  if (!match(x, m_c_Or(m_ZExt(m_Value(lo)),
                       m_Shl(m_ZExt(m_Value(hi)), m_SpecificInt(16)))) ||
      !lo->getType()->isIntegerTy(16) || !hi->getType()->isIntegerTy(16))
    return nullptr;
  return lane ? hi : lo;
}

/// `h` as the half it was packed from, looking through an unpacking of a
/// packing (so ptxas can select the half directly, .H0_H0, instead of
/// shifting the packed word apart and together again).
Value *throughPacking(IRBuilder<> &b, Value *h) {
  Value *x;
  Value *source = nullptr;
  if (match(h, m_BitCast(m_Trunc(m_LShr(m_Value(x), m_SpecificInt(16))))))
    source = laneOf(x, 1);
  else if (match(h, m_BitCast(m_Trunc(m_Value(x)))))
    source = laneOf(x, 0);
  return source ? b.CreateBitCast(source, b.getHalfTy()) : h;
}

/// <lo, hi> as a <2 x half>. The halves of one b32 register (what the front
/// end unpacks an f16x2 operand into) are that register reinterpreted.
Value *pairOf(IRBuilder<> &b, Value *lo, Value *hi) {
  auto *type = FixedVectorType::get(b.getHalfTy(), 2);
  Value *whole, *upper;
  if (match(lo, m_BitCast(m_Trunc(m_Value(whole)))) &&
      match(hi, m_BitCast(m_Trunc(m_LShr(m_Value(upper), m_SpecificInt(16))))) &&
      whole == upper && whole->getType()->isIntegerTy(32) &&
      !laneOf(whole, 0))
    return b.CreateBitCast(whole, type);
  Value *pair = b.CreateInsertElement(PoisonValue::get(type),
                                      throughPacking(b, lo), uint64_t(0));
  return b.CreateInsertElement(pair, throughPacking(b, hi), uint64_t(1));
}

struct Candidate {
  Instruction *packed; // the i32 `or`
  Instruction *lo, *hi;
};

void rewrite(const Candidate &c) {
  IRBuilder<> b(c.packed);
  SmallVector<Value *> operands;
  for (unsigned i = 0, e = c.lo->getNumOperands(); i < e; ++i) {
    if (isa<IntrinsicInst>(c.lo) && i + 1 == e)
      break; // the callee
    operands.push_back(pairOf(b, c.lo->getOperand(i), c.hi->getOperand(i)));
  }
  Value *vector;
  if (auto *call = dyn_cast<IntrinsicInst>(c.lo))
    vector = b.CreateIntrinsic(call->getIntrinsicID(), {operands[0]->getType()},
                               operands);
  else
    vector = b.CreateBinOp(static_cast<Instruction::BinaryOps>(
                               c.lo->getOpcode()),
                           operands[0], operands[1]);
  cast<Instruction>(vector)->copyFastMathFlags(c.lo);
  c.packed->replaceAllUsesWith(b.CreateBitCast(vector, b.getInt32Ty()));
  // The scalar operations are dead now; the optimizer removes them.
}

} // namespace

bool packHalfPairs(Module &module) {
  SmallVector<Candidate> found;
  for (Function &fn : module)
    for (Instruction &inst : instructions(fn)) {
      if (!inst.getType()->isIntegerTy(32))
        continue;
      Value *low, *high;
      if (!match(&inst, m_c_Or(m_Value(low),
                               m_OneUse(m_Shl(m_Value(high),
                                              m_SpecificInt(16))))))
        continue;
      Instruction *lo = packedOperation(low), *hi = packedOperation(high);
      if (lo && hi && lo != hi && sameKind(lo, hi))
        found.push_back({&inst, lo, hi});
    }
  for (const Candidate &c : found)
    rewrite(c);
  // What remains packs two 16-bit values into a b32 (a v2.u16 store, a
  // mov.b32 {lo, hi}): as a <2 x i16> the backend writes mov.b32 {lo, hi},
  // one PRMT, where the zero-extensions, shift and or cost three.
  SmallVector<Instruction *> packings;
  for (Function &fn : module)
    for (Instruction &inst : instructions(fn))
      if (inst.getType()->isIntegerTy(32) && !inst.use_empty() &&
          laneOf(&inst, 0))
        packings.push_back(&inst);
  for (Instruction *inst : packings) {
    IRBuilder<> b(inst);
    auto *type = FixedVectorType::get(b.getInt16Ty(), 2);
    Value *pair = b.CreateInsertElement(PoisonValue::get(type),
                                        laneOf(inst, 0), uint64_t(0));
    pair = b.CreateInsertElement(pair, laneOf(inst, 1), uint64_t(1));
    inst->replaceAllUsesWith(b.CreateBitCast(pair, b.getInt32Ty()));
  }
  return !found.empty() || !packings.empty();
}

} // namespace wooly::nvptx
