//===- LongLoops.cpp - Loops that may run long, for polls -----------------===//

#include "compiler/target/common/LongLoops.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Module.h"

namespace wooly {

llvm::SmallVector<LongLoop> longLoops(llvm::Function &fn) {
  llvm::DominatorTree tree(fn);
  llvm::LoopInfo loops(tree);
  llvm::TargetLibraryInfoImpl libraryImpl(fn.getParent()->getTargetTriple());
  llvm::TargetLibraryInfo library(libraryImpl, &fn);
  llvm::AssumptionCache assumptions(fn);
  llvm::ScalarEvolution evolution(fn, library, assumptions, tree, loops);
  llvm::SmallVector<LongLoop> found;
  for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
    unsigned trips = evolution.getSmallConstantMaxTripCount(loop);
    if (trips != 0 && trips <= kUnpolledTrips)
      continue;
    LongLoop &l = found.emplace_back();
    l.header = loop->getHeader();
    loop->getLoopLatches(l.latches);
  }
  return found;
}

} // namespace wooly
