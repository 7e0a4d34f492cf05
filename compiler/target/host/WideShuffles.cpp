//===- WideShuffles.cpp - One warp cut for a 64-bit shuffle ---------------===//

#include "compiler/target/host/WideShuffles.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace wooly::host {
namespace {

bool isShuffle(const Instruction &i) {
  auto *call = dyn_cast<CallInst>(&i);
  Function *callee = call ? call->getCalledFunction() : nullptr;
  return callee && callee->getName() == "__wooly_shuffle" && call->arg_size() == 6;
}

/// Removes users of a shuffle's packed answer (value, then the "source was
/// valid" bit at 32) that nothing uses: the valid bit nobody reads (the
/// lowering extracts it with a shift and a trunc to i1).
void dropDeadUsers(CallInst *call) {
  SmallVector<User *> users(call->users());
  for (User *u : users) {
    auto *i = dyn_cast<Instruction>(u);
    if (!i)
      continue;
    SmallVector<User *> next(i->users());
    for (User *n : next)
      if (auto *j = dyn_cast<Instruction>(n); j && isInstructionTriviallyDead(j))
        j->eraseFromParent();
    if (isInstructionTriviallyDead(i))
      i->eraseFromParent();
  }
}

/// Whether only the low 32 bits of the packed answer are used: every user
/// is a trunc to i32.
bool onlyLowHalfUsed(CallInst *call) {
  return llvm::all_of(call->users(), [](User *u) {
    auto *trunc = dyn_cast<TruncInst>(u);
    return trunc && trunc->getType()->isIntegerTy(32);
  });
}

/// Whether `i` has an operand among `defs`.
bool usesAny(Instruction *i, const SmallPtrSetImpl<Instruction *> &defs) {
  return llvm::any_of(i->operands(), [&](Value *v) {
    auto *def = dyn_cast<Instruction>(v);
    return def && defs.contains(def);
  });
}

/// Whether `second` can join `first` (both shuffles, `first` earlier in the
/// same block), and if so makes it ready to: the same mode, source lane,
/// clamp/segment and mask, nothing between them that touches memory (the
/// fused cut sits where `second` is: a load there would now run before the
/// other threads reached `first`), and `second`'s value not computed from
/// `first`'s answer. What between them does use that answer (the
/// lowering's unpacking of it) is moved after `second`; unused valid bits
/// are removed either way.
bool arrangeFusion(CallInst *first, CallInst *second) {
  for (unsigned a : {0u, 1u, 3u, 4u, 5u})
    if (first->getArgOperand(a) != second->getArgOperand(a))
      return false;
  dropDeadUsers(first);
  dropDeadUsers(second);
  SmallPtrSet<Instruction *, 8> fromFirst = {first};
  SmallVector<Instruction *> toMove;
  for (Instruction *i = first->getNextNode(); i != second; i = i->getNextNode()) {
    if (i->mayHaveSideEffects() || i->mayReadFromMemory())
      return false;
    if (usesAny(i, fromFirst)) {
      fromFirst.insert(i);
      toMove.push_back(i);
    }
  }
  if (usesAny(second, fromFirst) || !onlyLowHalfUsed(first) ||
      !onlyLowHalfUsed(second))
    return false;
  Instruction *after = second;
  for (Instruction *i : toMove) {
    i->moveAfter(after);
    after = i;
  }
  return true;
}

void fuse(CallInst *first, CallInst *second) {
  Module &m = *second->getModule();
  IRBuilder<> b(second);
  Type *i32 = b.getInt32Ty(), *i64 = b.getInt64Ty();
  FunctionCallee wide = m.getOrInsertFunction(
      kWideShuffle, FunctionType::get(i64, {first->getArgOperand(0)->getType(),
                                            i32, i64, i32, i32, i32},
                                      false));
  Value *packed = b.CreateOr(
      b.CreateZExt(first->getArgOperand(2), i64),
      b.CreateShl(b.CreateZExt(second->getArgOperand(2), i64), 32));
  Value *mode = b.CreateOr(first->getArgOperand(1), b.getInt32(4));
  CallInst *answer = b.CreateCall(
      wide, {first->getArgOperand(0), mode, packed, first->getArgOperand(3),
             first->getArgOperand(4), first->getArgOperand(5)});
  Value *low = b.CreateTrunc(answer, i32);
  Value *high = b.CreateTrunc(b.CreateLShr(answer, 32), i32);
  for (auto [call, half] : {std::pair{first, low}, std::pair{second, high}}) {
    SmallVector<User *> users(call->users());
    for (User *u : users) {
      auto *trunc = cast<TruncInst>(u);
      trunc->replaceAllUsesWith(half);
      trunc->eraseFromParent();
    }
  }
  second->eraseFromParent();
  first->eraseFromParent();
}

} // namespace

unsigned fuseWideShuffles(Function &f) {
  unsigned fused = 0;
  for (BasicBlock &bb : f) {
    SmallVector<CallInst *> shuffles;
    for (Instruction &i : bb)
      if (isShuffle(i))
        shuffles.push_back(cast<CallInst>(&i));
    for (size_t k = 0; k + 1 < shuffles.size(); ++k) {
      if (!arrangeFusion(shuffles[k], shuffles[k + 1]))
        continue;
      fuse(shuffles[k], shuffles[k + 1]);
      ++fused;
      ++k; // the second of the pair is gone
    }
  }
  return fused;
}

} // namespace wooly::host
