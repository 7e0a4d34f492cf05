//===- CancellationPolls.cpp - Where compiled kernels look at the launch --===//

#include "compiler/target/host/CancellationPolls.h"
#include "compiler/target/common/LongLoops.h"
#include "compiler/target/host/HostABI.h"

#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

namespace wooly::host {

namespace {

/// The slow path of every poll: `__wooly_poll(word)` pauses the worker when
/// the launch is only asked to yield (runtime/exec/host/Preemption.h) and
/// returns nonzero when the launch is cancelled.
llvm::FunctionCallee pollFunction(llvm::Module &m) {
  llvm::LLVMContext &c = m.getContext();
  return m.getOrInsertFunction(
      "__wooly_poll",
      llvm::FunctionType::get(llvm::Type::getInt32Ty(c),
                              {llvm::PointerType::get(c, 0)}, false));
}

/// Loads the cancel word: one relaxed load, the whole fast path with the
/// branch on it.
llvm::Value *loadWord(llvm::IRBuilder<> &b, llvm::Value *word) {
  llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), word);
  flag->setAtomic(llvm::AtomicOrdering::Monotonic);
  flag->setAlignment(llvm::Align(4));
  return b.CreateICmpNE(flag, b.getInt32(0));
}

llvm::MDNode *unlikely(llvm::LLVMContext &c) {
  return llvm::MDBuilder(c).createUnlikelyBranchWeights();
}

} // namespace

/// The watchdog's and the scheduler's hook: every loop header that may run
/// long (LongLoops.h) polls the launch's cancel word; on a nonzero word it
/// asks the runtime, which may pause the worker for a while (a yield
/// request) and says whether the launch is cancelled; only then the
/// function is left, so an infinite loop ends and a paused kernel continues.
void insertCancellationPolls(llvm::Module &m) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptr = llvm::PointerType::get(c, 0);
  llvm::FunctionCallee cancelled = m.getOrInsertFunction(
      "__wooly_cancelled", llvm::FunctionType::get(llvm::Type::getVoidTy(c),
                                                   {ptr}, false));
  llvm::FunctionCallee poll = pollFunction(m);
  for (llvm::Function &fn : m) {
    if (fn.isDeclaration() || fn.arg_size() == 0 ||
        !fn.getArg(0)->getType()->isPointerTy() ||
        fn.getName().starts_with("__wooly_"))
      continue;
    for (const LongLoop &loop : longLoops(fn)) {
      llvm::BasicBlock *header = loop.header;
      llvm::IRBuilder<> b(&*header->getFirstInsertionPt());
      llvm::Value *word =
          b.CreateLoad(ptr, fieldPtr(b, fn.getArg(0), offsets::cancel));
      llvm::Instruction *slow = llvm::SplitBlockAndInsertIfThen(
          loadWord(b, word), &*b.GetInsertPoint(), /*Unreachable=*/false,
          unlikely(c));
      b.SetInsertPoint(slow);
      llvm::Value *stop = b.CreateICmpNE(b.CreateCall(poll, {word}), b.getInt32(0));
      llvm::Instruction *leave = llvm::SplitBlockAndInsertIfThen(
          stop, slow, /*Unreachable=*/true, unlikely(c));
      b.SetInsertPoint(leave);
      // The runtime's pointer, not the context: a block entry's private
      // copy of the context passed to a call would escape, and SROA could
      // no longer turn its tid fields into the thread loops' counters.
      b.CreateCall(cancelled,
                   {b.CreateLoad(ptr, fieldPtr(b, fn.getArg(0), offsets::runtime))});
      if (fn.getReturnType()->isVoidTy())
        b.CreateRetVoid();
      else
        b.CreateRet(llvm::PoisonValue::get(fn.getReturnType()));
      leave->eraseFromParent();
    }
  }
}

void emitRowPoll(llvm::IRBuilder<> &b, llvm::Value *ctx, llvm::Value *cancel,
                 llvm::BasicBlock *stop) {
  (void)ctx;
  llvm::LLVMContext &c = b.getContext();
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock *slow = llvm::BasicBlock::Create(c, "row.poll", fn);
  llvm::BasicBlock *go = llvm::BasicBlock::Create(c, "row.done", fn);
  b.CreateCondBr(loadWord(b, cancel), slow, go, unlikely(c));
  b.SetInsertPoint(slow);
  llvm::Value *result =
      b.CreateCall(pollFunction(*fn->getParent()), {cancel});
  b.CreateCondBr(b.CreateICmpNE(result, b.getInt32(0)), stop, go, unlikely(c));
  b.SetInsertPoint(go);
}

} // namespace wooly::host
