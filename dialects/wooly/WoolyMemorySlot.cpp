//===- WoolyMemorySlot.cpp - mem2reg for PTX register slots ---------------===//
//
// The PTX front end writes every `.reg` as a `wooly.reg` slot with explicit
// reads and writes; MLIR's generic mem2reg then builds SSA form, so the
// front end never has to construct phis itself.
//
//===----------------------------------------------------------------------===//

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace wooly;

llvm::SmallVector<MemorySlot> RegOp::getPromotableSlots() {
  return {MemorySlot{getReg(), getReg().getType().getElementType()}};
}

/// An unwritten PTX register reads as zero: deterministic on every backend.
Value RegOp::getDefaultValue(const MemorySlot &slot, OpBuilder &builder) {
  Type type = slot.elemType;
  if (auto ptr = dyn_cast<PtrType>(type)) {
    Value zero = arith::ConstantIntOp::create(builder, getLoc(), 0, 64);
    return IntToPtrOp::create(builder, getLoc(), ptr, zero);
  }
  return arith::ConstantOp::create(builder, getLoc(), type,
                                   builder.getZeroAttr(type));
}

void RegOp::handleBlockArgument(const MemorySlot &, BlockArgument,
                                OpBuilder &) {}

std::optional<PromotableAllocationOpInterface>
RegOp::handlePromotionComplete(const MemorySlot &, Value defaultValue,
                               OpBuilder &) {
  if (defaultValue && defaultValue.use_empty()) {
    Operation *def = defaultValue.getDefiningOp();
    def->erase();
  }
  this->erase();
  return std::nullopt;
}

bool RegReadOp::loadsFrom(const MemorySlot &slot) {
  return getReg() == slot.ptr;
}
bool RegReadOp::storesTo(const MemorySlot &) { return false; }
Value RegReadOp::getStored(const MemorySlot &, OpBuilder &, Value,
                           const DataLayout &) {
  llvm_unreachable("reg_read does not store");
}
bool RegReadOp::canUsesBeRemoved(
    const MemorySlot &slot, const SmallPtrSetImpl<OpOperand *> &blockingUses,
    SmallVectorImpl<OpOperand *> &, const DataLayout &) {
  return blockingUses.size() == 1 && (*blockingUses.begin())->get() == slot.ptr;
}
DeletionKind RegReadOp::removeBlockingUses(const MemorySlot &,
                                           const SmallPtrSetImpl<OpOperand *> &,
                                           OpBuilder &,
                                           Value reachingDefinition,
                                           const DataLayout &) {
  getResult().replaceAllUsesWith(reachingDefinition);
  return DeletionKind::Delete;
}

bool RegWriteOp::loadsFrom(const MemorySlot &) { return false; }
bool RegWriteOp::storesTo(const MemorySlot &slot) {
  return getReg() == slot.ptr;
}
Value RegWriteOp::getStored(const MemorySlot &, OpBuilder &, Value,
                            const DataLayout &) {
  return getValue();
}
bool RegWriteOp::canUsesBeRemoved(
    const MemorySlot &slot, const SmallPtrSetImpl<OpOperand *> &blockingUses,
    SmallVectorImpl<OpOperand *> &, const DataLayout &) {
  // The slot may be written, never stored as a value itself.
  return blockingUses.size() == 1 &&
         (*blockingUses.begin())->get() == slot.ptr && getValue() != slot.ptr;
}
DeletionKind
RegWriteOp::removeBlockingUses(const MemorySlot &,
                               const SmallPtrSetImpl<OpOperand *> &,
                               OpBuilder &, Value, const DataLayout &) {
  return DeletionKind::Delete;
}
