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
    for (llvm::BasicBlock *header : longLoopHeaders(fn)) {
      llvm::IRBuilder<> b(&*header->getFirstInsertionPt());
      // The record's address (the same for the whole launch: LICM may
      // hoist it), or the slot's zero word where the executor keeps the
      // driver's traps.
      llvm::Value *record =
          b.CreateAlignedLoad(b.getInt64Ty(), slot, llvm::Align(8));
      llvm::Value *zero = b.CreatePtrToInt(
          b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), slot,
                                       abi::kZeroWordOffset),
          b.getInt64Ty());
      llvm::Value *at = b.CreateSelect(
          b.CreateICmpEQ(record, b.getInt64(0)), zero,
          b.CreateAdd(record, b.getInt64(abi::kKindOffset)));
      llvm::Value *kind = b.CreateAlignedLoad(
          b.getInt32Ty(), b.CreateIntToPtr(at, slot->getType()),
          llvm::Align(4), /*isVolatile=*/true);
      llvm::Instruction *leave = llvm::SplitBlockAndInsertIfThen(
          b.CreateICmpNE(kind, b.getInt32(0)), &*b.GetInsertPoint(),
          /*Unreachable=*/true, unlikely);
      b.SetInsertPoint(leave);
      b.CreateCall(exitThread);
      ++added;
    }
  }
  return added;
}

void addFaultSlot(llvm::Module &m) {
  if (m.getGlobalVariable(abi::kGlobalName))
    return;
  auto *type = llvm::ArrayType::get(llvm::Type::getInt64Ty(m.getContext()), 2);
  auto *slot = new llvm::GlobalVariable(
      m, type, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantAggregateZero::get(type), abi::kGlobalName,
      /*InsertBefore=*/nullptr, llvm::GlobalValue::NotThreadLocal,
      /*AddressSpace=*/1);
  slot->setAlignment(llvm::Align(8));
}

} // namespace wooly::nvptx
