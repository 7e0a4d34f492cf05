//===- CancellationPolls.cpp - Where compiled kernels look at the launch --===//

#include "compiler/target/host/CancellationPolls.h"
#include "compiler/target/host/HostABI.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

namespace wooly::host {

/// The watchdog's hook: every loop header polls the launch's cancel flag and
/// leaves the function when it is set, so an infinite loop ends. Loops that
/// provably run at most kUnpolledTrips times are left alone: they end by
/// themselves, and a poll (an atomic load) would keep them from vectorizing.
constexpr unsigned kUnpolledTrips = 4096;
void insertCancellationPolls(llvm::Module &m) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptr = llvm::PointerType::get(c, 0);
  llvm::FunctionCallee cancelled = m.getOrInsertFunction(
      "__wooly_cancelled", llvm::FunctionType::get(llvm::Type::getVoidTy(c),
                                                   {ptr}, false));
  for (llvm::Function &fn : m) {
    if (fn.isDeclaration() || fn.arg_size() == 0 ||
        !fn.getArg(0)->getType()->isPointerTy() ||
        fn.getName().starts_with("__wooly_"))
      continue;
    llvm::DominatorTree tree(fn);
    llvm::LoopInfo loops(tree);
    llvm::TargetLibraryInfoImpl libraryImpl(m.getTargetTriple());
    llvm::TargetLibraryInfo library(libraryImpl, &fn);
    llvm::AssumptionCache assumptions(fn);
    llvm::ScalarEvolution evolution(fn, library, assumptions, tree, loops);
    llvm::SmallVector<llvm::BasicBlock *> headers;
    for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
      unsigned trips = evolution.getSmallConstantMaxTripCount(loop);
      if (trips != 0 && trips <= kUnpolledTrips)
        continue;
      headers.push_back(loop->getHeader());
    }
    for (llvm::BasicBlock *header : headers) {
      llvm::IRBuilder<> b(&*header->getFirstInsertionPt());
      llvm::Value *flagPtr =
          b.CreateLoad(ptr, fieldPtr(b, fn.getArg(0), offsets::cancel));
      llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), flagPtr);
      flag->setAtomic(llvm::AtomicOrdering::Monotonic);
      flag->setAlignment(llvm::Align(4));
      llvm::Instruction *then = llvm::SplitBlockAndInsertIfThen(
          b.CreateICmpNE(flag, b.getInt32(0)), &*b.GetInsertPoint(),
          /*Unreachable=*/true);
      b.SetInsertPoint(then);
      b.CreateCall(cancelled, {fn.getArg(0)});
      if (fn.getReturnType()->isVoidTy())
        b.CreateRetVoid();
      else
        b.CreateRet(llvm::PoisonValue::get(fn.getReturnType()));
      then->eraseFromParent();
    }
  }
}

void emitRowPoll(llvm::IRBuilder<> &b, llvm::Value *ctx, llvm::Value *cancel,
                 llvm::BasicBlock *stop) {
  (void)ctx;
  llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), cancel);
  flag->setAtomic(llvm::AtomicOrdering::Monotonic);
  flag->setAlignment(llvm::Align(4));
  llvm::BasicBlock *go = llvm::BasicBlock::Create(
      b.getContext(), "row.done", b.GetInsertBlock()->getParent());
  b.CreateCondBr(b.CreateICmpNE(flag, b.getInt32(0)), stop, go);
  b.SetInsertPoint(go);
}

} // namespace wooly::host
