//===- CallLoopsRolled.cpp - No unrolling of loops that make calls --------===//

#include "compiler/target/gpu/CallLoopsRolled.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/Transforms/Utils/LoopUtils.h"

namespace wooly::gpu {

bool loopMakesCalls(const llvm::Loop &loop) {
  for (const llvm::BasicBlock *block : loop.blocks())
    for (const llvm::Instruction &inst : *block) {
      const auto *call = llvm::dyn_cast<llvm::CallBase>(&inst);
      if (call && !call->isInlineAsm() && !llvm::isa<llvm::IntrinsicInst>(call))
        return true;
    }
  return false;
}

/// Adds `!{!"llvm.loop.unroll.disable"}` to the loop's properties. (Not
/// addStringMetadataToLoop: its `i32 0` operand reads as "false".)
static void disableUnrolling(llvm::Loop &loop) {
  llvm::LLVMContext &c = loop.getHeader()->getContext();
  llvm::SmallVector<llvm::Metadata *, 4> properties = {nullptr};
  if (llvm::MDNode *old = loop.getLoopID())
    for (unsigned i = 1; i < old->getNumOperands(); ++i)
      properties.push_back(old->getOperand(i));
  properties.push_back(
      llvm::MDNode::get(c, llvm::MDString::get(c, "llvm.loop.unroll.disable")));
  llvm::MDNode *id = llvm::MDNode::getDistinct(c, properties);
  id->replaceOperandWith(0, id);
  loop.setLoopID(id);
}

llvm::PreservedAnalyses
CallLoopsRolledPass::run(llvm::Function &fn,
                         llvm::FunctionAnalysisManager &analyses) {
  llvm::LoopInfo &loops = analyses.getResult<llvm::LoopAnalysis>(fn);
  for (llvm::Loop *loop : loops.getLoopsInPreorder())
    if (loopMakesCalls(*loop) &&
        llvm::hasUnrollTransformation(loop) != llvm::TM_SuppressedByUser)
      disableUnrolling(*loop);
  // Only metadata changed: every analysis still holds.
  return llvm::PreservedAnalyses::all();
}

} // namespace wooly::gpu
