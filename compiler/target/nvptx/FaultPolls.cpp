//===- FaultPolls.cpp - Stopping a grid after a trap or assert ------------===//

#include "compiler/target/nvptx/FaultPolls.h"

#include "compiler/target/common/LongLoops.h"
#include "compiler/target/gpu/GpuFaultABI.h"

#include "llvm/IR/CFG.h"
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
    llvm::IRBuilder<> b(c);
    // Each loop's back edges by their branch instructions: the splits
    // below move a branch into a new block, and a block may end one loop
    // and another (an inner header that also closes its outer loop).
    struct Polled {
      llvm::BasicBlock *header;
      llvm::SmallVector<llvm::Instruction *, 2> backEdges;
    };
    llvm::SmallVector<Polled> polled;
    for (const LongLoop &loop : loops) {
      Polled p{loop.header, {}};
      for (llvm::BasicBlock *latch : loop.latches)
        p.backEdges.push_back(latch->getTerminator());
      polled.push_back(std::move(p));
    }
    for (const Polled &loop : polled) {
      // The trips since the loop was entered, counted where it branches
      // back; every kTripsPerPoll-th reads the kind word and leaves if it
      // is set (both rare: the branch weights say so).
      llvm::BasicBlock *header = loop.header;
      llvm::PHINode *trips = llvm::PHINode::Create(
          b.getInt32Ty(), 2, "wooly.poll.trips", header->begin());
      for (llvm::BasicBlock *pred : llvm::predecessors(header))
        if (!llvm::is_contained(loop.backEdges, pred->getTerminator()))
          trips->addIncoming(b.getInt32(0), pred);
      for (llvm::Instruction *backEdge : loop.backEdges) {
        llvm::BasicBlock *latch = backEdge->getParent();
        b.SetInsertPoint(backEdge);
        llvm::Value *next = b.CreateAdd(trips, b.getInt32(1),
                                        "wooly.poll.next");
        // One incoming value per edge; the split below moves the edge,
        // and the phi's incoming block with it, into a new block.
        for (llvm::BasicBlock *succ : llvm::successors(latch))
          if (succ == header)
            trips->addIncoming(next, latch);
        llvm::Value *due = b.CreateICmpEQ(
            b.CreateAnd(next, b.getInt32(kTripsPerPoll - 1)), b.getInt32(0));
        llvm::Instruction *read = llvm::SplitBlockAndInsertIfThen(
            due, backEdge, /*Unreachable=*/false, unlikely);
        // Here, not once per call: a device function called often (a
        // recursion) would pay for it on every call. The record's kind
        // word, or the slot's zero word where the executor keeps the
        // driver's traps; the slot does not change while a kernel runs.
        b.SetInsertPoint(read);
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
        llvm::Value *kind = b.CreateAlignedLoad(b.getInt32Ty(), at,
                                                llvm::Align(4),
                                                /*isVolatile=*/true);
        llvm::Instruction *leave = llvm::SplitBlockAndInsertIfThen(
            b.CreateICmpNE(kind, b.getInt32(0)), read,
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
