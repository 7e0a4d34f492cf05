//===- SharedAtomics.cpp - Shared-memory atomics without a bus lock -------===//

#include "compiler/target/host/SharedAtomics.h"
#include "compiler/target/host/HostABI.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/LowerAtomic.h"

using namespace llvm;

namespace wooly::host {
namespace {

/// Whether `p` points into the shared window: its underlying object is the
/// `shared` field of the function's context.
bool isShared(Value *p, Argument *ctx, const DataLayout &layout) {
  auto *base = dyn_cast<LoadInst>(getUnderlyingObject(p, /*MaxLookup=*/0));
  if (!base || !base->getType()->isPointerTy())
    return false;
  APInt offset(64, 0);
  Value *from = base->getPointerOperand()->stripAndAccumulateConstantOffsets(
      layout, offset, /*AllowNonInbounds=*/true);
  return from == ctx && offset == offsets::shared;
}

} // namespace

unsigned lowerSharedAtomics(Module &m) {
  const DataLayout &layout = m.getDataLayout();
  unsigned count = 0;
  for (Function &fn : m) {
    if (fn.isDeclaration() || fn.arg_empty() ||
        !fn.getArg(0)->getType()->isPointerTy())
      continue;
    Argument *ctx = fn.getArg(0);
    SmallVector<Instruction *> found;
    for (Instruction &i : instructions(fn)) {
      if (auto *rmw = dyn_cast<AtomicRMWInst>(&i)) {
        if (!rmw->isVolatile() && isShared(rmw->getPointerOperand(), ctx, layout))
          found.push_back(rmw);
      } else if (auto *cas = dyn_cast<AtomicCmpXchgInst>(&i)) {
        if (!cas->isVolatile() && isShared(cas->getPointerOperand(), ctx, layout))
          found.push_back(cas);
      }
    }
    for (Instruction *i : found) {
      if (auto *rmw = dyn_cast<AtomicRMWInst>(i))
        lowerAtomicRMWInst(rmw);
      else
        lowerAtomicCmpXchgInst(cast<AtomicCmpXchgInst>(i));
      ++count;
    }
  }
  return count;
}

} // namespace wooly::host
