//===- FaultPolls.cpp - Stopping a grid after a trap or assert ------------===//

#include "compiler/target/nvptx/FaultPolls.h"

#include "compiler/target/common/LongLoops.h"
#include "compiler/target/gpu/GpuFaultABI.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicsNVPTX.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

namespace wooly::nvptx {

namespace abi = wooly::gpu::fault_abi;

unsigned insertFaultPolls(llvm::Module &m) {
  llvm::GlobalVariable *slot = m.getGlobalVariable(abi::kGlobalName);
  if (!slot)
    return 0;
  llvm::LLVMContext &c = m.getContext();
  llvm::Function *exitThread =
      llvm::Intrinsic::getOrInsertDeclaration(&m, llvm::Intrinsic::nvvm_exit);
  llvm::MDNode *unlikely = llvm::MDBuilder(c).createUnlikelyBranchWeights();
  unsigned added = 0;
  for (llvm::Function &fn : m) {
    // Wooly's own helpers (the bounded string copy) are left alone.
    if (fn.isDeclaration() || fn.getName().starts_with("__wooly_"))
      continue;
    llvm::SmallVector<LongLoop> loops = longLoops(fn);
    if (loops.empty())
      continue;
    // Once per call, at the entry: the record's kind word, or the slot's
    // zero word where the executor keeps the driver's traps. The slot does
    // not change while a kernel runs (the executor writes it at load), so
    // its load is invariant: without saying so, LLVM could not hoist it
    // past the loops' stores, and every trip would wait for two loads.
    llvm::IRBuilder<> b(&*fn.getEntryBlock().getFirstInsertionPt());
    llvm::LoadInst *record =
        b.CreateAlignedLoad(b.getInt64Ty(), slot, llvm::Align(8));
    record->setMetadata(llvm::LLVMContext::MD_invariant_load,
                        llvm::MDNode::get(c, {}));
    llvm::Value *zero = b.CreatePtrToInt(
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), slot,
                                     abi::kZeroWordOffset),
        b.getInt64Ty());
    llvm::Value *at = b.CreateIntToPtr(
        b.CreateSelect(b.CreateICmpEQ(record, b.getInt64(0)), zero,
                       b.CreateAdd(record, b.getInt64(abi::kKindOffset))),
        slot->getType());
    for (const LongLoop &loop : loops) {
      // Read at the header, tested where the loop branches back: the load
      // is in flight while the body runs (a warp waits for a load only
      // where its value is used), not a stall at the top of every trip.
      b.SetInsertPoint(&*loop.header->getFirstInsertionPt());
      llvm::Value *kind = b.CreateAlignedLoad(b.getInt32Ty(), at,
                                              llvm::Align(4),
                                              /*isVolatile=*/true);
      for (llvm::BasicBlock *latch : loop.latches) {
        b.SetInsertPoint(latch->getTerminator());
        llvm::Instruction *leave = llvm::SplitBlockAndInsertIfThen(
            b.CreateICmpNE(kind, b.getInt32(0)), latch->getTerminator(),
            /*Unreachable=*/true, unlikely);
        b.SetInsertPoint(leave);
        b.CreateCall(exitThread);
      }
      ++added;
    }
  }
  return added;
}

} // namespace wooly::nvptx
