//===- FirstRound.cpp - Block-loop kernels split at their loop's back edge ===//

#include "compiler/target/host/FirstRound.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

namespace wooly::host {
namespace {

/// A header value stepped by a loop-invariant non-constant: the grid stride
/// (RegionSplit's loop-cut heuristic at the LLVM level). A loop stepped by a
/// constant (a short count) would send every thread to the next round.
/// Returns that stride, or nullptr.
llvm::Value *threadStride(llvm::PHINode *phi, llvm::Loop &loop,
                          llvm::BasicBlock *latch) {
  auto *step = llvm::dyn_cast<llvm::BinaryOperator>(phi->getIncomingValueForBlock(latch));
  if (!step || step->getOpcode() != llvm::Instruction::Add)
    return nullptr;
  llvm::Value *other = step->getOperand(0) == phi   ? step->getOperand(1)
                       : step->getOperand(1) == phi ? step->getOperand(0)
                                                    : nullptr;
  if (other && !llvm::isa<llvm::Constant>(other) && loop.isLoopInvariant(other))
    return other;
  return nullptr;
}

/// Whether the next round may run `inst` again on its way to the loop:
/// it changes nothing and reads only the block's context, which stays the
/// same between the calls.
bool isRepeatable(llvm::Instruction &inst, llvm::Value *ctx) {
  if (llvm::isa<llvm::AllocaInst>(inst) || inst.mayHaveSideEffects())
    return false;
  if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&inst))
    return !load->isVolatile() && load->isUnordered() &&
           llvm::getUnderlyingObject(load->getPointerOperand()) == ctx;
  return !inst.mayReadOrWriteMemory();
}

/// `kernel` with `slots` more pointer parameters (and, with `round`, an i64
/// after them), returning `result`.
llvm::Function *cloneWithSlots(llvm::Function &kernel, unsigned slots,
                               bool round, llvm::Type *result,
                               const std::string &name,
                               llvm::ValueToValueMapTy &map) {
  llvm::SmallVector<llvm::Type *> params(kernel.getFunctionType()->params());
  params.append(slots, llvm::PointerType::get(kernel.getContext(), 0));
  if (round)
    params.push_back(llvm::Type::getInt64Ty(kernel.getContext()));
  auto *type = llvm::FunctionType::get(result, params, false);
  llvm::Function *clone = llvm::Function::Create(
      type, llvm::GlobalValue::InternalLinkage, name, kernel.getParent());
  for (auto [from, to] : llvm::zip(kernel.args(), clone->args())) {
    to.setName(from.getName());
    map[&from] = &to;
  }
  llvm::SmallVector<llvm::ReturnInst *> returns;
  llvm::CloneFunctionInto(clone, &kernel, map,
                          llvm::CloneFunctionChangeType::LocalChangesOnly, returns);
  clone->setLinkage(llvm::GlobalValue::InternalLinkage);
  clone->addFnAttr(llvm::Attribute::AlwaysInline);
  return clone;
}

} // namespace

bool splitFirstRound(llvm::Function &kernel) {
  if (kernel.isDeclaration() || !kernel.getReturnType()->isVoidTy() ||
      kernel.arg_size() == 0)
    return false;
  llvm::DominatorTree tree(kernel);
  llvm::LoopInfo loops(tree);
  if (loops.getTopLevelLoops().size() != 1)
    return false;
  llvm::Loop &loop = *loops.getTopLevelLoops().front();
  llvm::BasicBlock *header = loop.getHeader();
  llvm::BasicBlock *latch = loop.getLoopLatch();
  llvm::BasicBlock *entering = loop.getLoopPredecessor();
  if (!loop.getSubLoops().empty() || !latch || !entering)
    return false;
  // The loop must test at its back edge (a rotated loop, as nvcc emits
  // them), so that only the threads that really go round again are sent
  // to the next round: with the test in the header every thread that ran
  // one iteration would be.
  auto *back = llvm::dyn_cast<llvm::BranchInst>(latch->getTerminator());
  if (!back || !back->isConditional() || !loop.isLoopExiting(latch))
    return false;
  llvm::SmallVector<llvm::PHINode *> carried;
  llvm::SmallVector<llvm::Value *> strides; // per carried value, or nullptr
  bool strided = false;
  const llvm::DataLayout &layout = kernel.getParent()->getDataLayout();
  for (llvm::PHINode &phi : header->phis()) {
    llvm::Type *type = phi.getType();
    if (!type->isSingleValueType() || type->isVectorTy() ||
        layout.getTypeStoreSize(type) > 8)
      return false;
    carried.push_back(&phi);
    strides.push_back(type->isIntegerTy() ? threadStride(&phi, loop, latch)
                                          : nullptr);
    strided |= strides.back() != nullptr;
  }
  if (!strided || carried.size() > kMaxFirstRoundSlots)
    return false;
  // The code before the loop: every block outside it that reaches it.
  llvm::SmallVector<llvm::BasicBlock *> work{entering};
  llvm::SmallPtrSet<llvm::BasicBlock *, 16> before{entering};
  while (!work.empty()) {
    llvm::BasicBlock *block = work.pop_back_val();
    for (llvm::Instruction &inst : *block)
      if (!isRepeatable(inst, kernel.getArg(0)))
        return false;
    for (llvm::BasicBlock *pred : llvm::predecessors(block))
      if (!loop.contains(pred) && before.insert(pred).second)
        work.push_back(pred);
  }
  unsigned slots = carried.size();
  unsigned firstSlot = kernel.arg_size();
  llvm::LLVMContext &c = kernel.getContext();

  // Both variants return true at the back edge after storing the header
  // values (the thread goes round again later) and false where the kernel
  // ends.
  auto stopAtBackEdge = [&](llvm::Function *variant, llvm::ValueToValueMapTy &map,
                            const char *name) {
    auto *copyHeader = llvm::cast<llvm::BasicBlock>(map[header]);
    auto *copyLatch = llvm::cast<llvm::BasicBlock>(map[latch]);
    llvm::SmallVector<llvm::ReturnInst *> ends;
    for (llvm::BasicBlock &block : *variant)
      if (auto *ret = llvm::dyn_cast<llvm::ReturnInst>(block.getTerminator()))
        ends.push_back(ret);
    for (llvm::ReturnInst *ret : ends) {
      llvm::ReturnInst::Create(c, llvm::ConstantInt::getFalse(c), ret->getIterator());
      ret->eraseFromParent();
    }
    llvm::BasicBlock *again = llvm::BasicBlock::Create(c, name, variant);
    llvm::IRBuilder<> b(again);
    for (auto [i, phi] : llvm::enumerate(carried)) {
      auto *copy = llvm::cast<llvm::PHINode>(map[phi]);
      b.CreateStore(copy->getIncomingValueForBlock(copyLatch),
                    variant->getArg(firstSlot + i));
    }
    b.CreateRet(b.getTrue());
    for (llvm::PHINode *phi : carried)
      llvm::cast<llvm::PHINode>(map[phi])->removeIncomingValue(copyLatch);
    copyLatch->getTerminator()->replaceSuccessorWith(copyHeader, again);
  };

  // The first round: from the kernel's start to the back edge.
  llvm::ValueToValueMapTy firstMap;
  llvm::Function *first =
      cloneWithSlots(kernel, slots, /*round=*/false, llvm::Type::getInt1Ty(c),
                     firstRoundName(kernel.getName()), firstMap);
  stopAtBackEdge(first, firstMap, "first.again");

  // The next round: the code before the loop runs again (it only
  // recomputes values), the header starts from the stored values, and one
  // iteration runs to the back edge (or, leaving the loop, to the end).
  // A thread-strided value is recomputed instead, `start + round * stride`
  // (every thread in round r has gone round exactly r times; wrapping
  // arithmetic as the loop's own adds): with `start` a function of the
  // thread index, the round's addresses are affine in it and the block
  // entry's pass over the threads vectorizes like the first round.
  llvm::ValueToValueMapTy nextMap;
  llvm::Function *next =
      cloneWithSlots(kernel, slots, /*round=*/true, llvm::Type::getInt1Ty(c),
                     nextRoundName(kernel.getName()), nextMap);
  auto *nextEntering = llvm::cast<llvm::BasicBlock>(nextMap[entering]);
  llvm::IRBuilder<> b(nextEntering->getTerminator());
  llvm::Value *round = next->getArg(firstSlot + slots);
  round->setName("round");
  for (auto [i, phi] : llvm::enumerate(carried)) {
    auto *copy = llvm::cast<llvm::PHINode>(nextMap[phi]);
    llvm::Value *resume;
    if (llvm::Value *stride = strides[i]) {
      llvm::Value *start = copy->getIncomingValueForBlock(nextEntering);
      llvm::Value *step = stride;
      if (nextMap.count(stride))
        step = nextMap[stride];
      resume = b.CreateAdd(
          start, b.CreateMul(b.CreateZExtOrTrunc(round, phi->getType()), step),
          "resume");
    } else {
      resume = b.CreateLoad(phi->getType(), next->getArg(firstSlot + i), "resume");
    }
    copy->setIncomingValueForBlock(nextEntering, resume);
  }
  stopAtBackEdge(next, nextMap, "next.again");
  return true;
}

llvm::SmallVector<llvm::Type *> firstRoundSlotTypes(llvm::Function &first,
                                                    unsigned params) {
  // The first round stores every header value into its slot at the back
  // edge (the next round may recompute some instead of loading them).
  llvm::SmallVector<llvm::Type *> types;
  for (unsigned i = params; i < first.arg_size(); ++i)
    for (llvm::User *user : first.getArg(i)->users())
      if (auto *store = llvm::dyn_cast<llvm::StoreInst>(user)) {
        types.push_back(store->getValueOperand()->getType());
        break;
      }
  return types;
}

} // namespace wooly::host
