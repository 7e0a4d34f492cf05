//===- GpuFault.cpp - trap and assert into the fault record ---------------===//

#include "compiler/target/gpu/GpuFault.h"

#include "compiler/target/gpu/GpuFaultABI.h"
#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/transforms/Passes.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace wooly::gpu {

namespace abi = fault_abi;

LogicalResult lowerFaultToRecord(
    Operation *op, ValueRange operands, ConversionPatternRewriter &b,
    const FaultTarget &target,
    const std::function<void(OpBuilder &, Location)> &driverFault) {
  bool isAssert = isa<AssertFailOp>(op);
  if (!isAssert && !isa<TrapOp>(op))
    return failure();
  Location loc = op->getLoc();
  MLIRContext *context = op->getContext();
  auto module = op->getParentOfType<ModuleOp>();
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto global = LLVM::LLVMPointerType::get(context, 1);
  std::optional<std::pair<Value, Value>> arena = arenaOf(op);
  // As for printf's %s: a fenced module's texts are read in its arena.
  if (isAssert && !arena && module->hasAttr(kDataSegmentAttr))
    return op->emitError("assert in a fenced module, but the function has no "
                         "arena parameters to read its message with");
  LLVM::GlobalOp slot = executorSlot(b, module, loc, abi::kGlobalName);
  LLVM::LLVMFuncOp copyString =
      isAssert ? stringCopier(b, module, loc) : LLVM::LLVMFuncOp();

  // here -> (driver | claim); claim -> (fill | stop); fill -> stop.
  b.setInsertionPoint(op);
  Block *here = b.getInsertionBlock();
  Block *rest = b.splitBlock(here, b.getInsertionPoint());
  Region *region = rest->getParent();
  Block *driver = b.createBlock(region, Region::iterator(rest));
  Block *claim = b.createBlock(region, Region::iterator(rest));
  Block *fill = b.createBlock(region, Region::iterator(rest));
  Block *stop = b.createBlock(region, Region::iterator(rest));

  b.setInsertionPointToEnd(here);
  Value record = LLVM::LoadOp::create(
      b, loc, i64, LLVM::AddressOfOp::create(b, loc, slot), 8);
  Value hasRecord = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne,
                                         record, intConstant(b, loc, i64, 0));
  LLVM::CondBrOp::create(b, loc, hasRecord, claim, driver);

  b.setInsertionPointToEnd(driver);
  driverFault(b, loc);
  if (isAssert)
    LLVM::BrOp::create(b, loc, ValueRange{}, rest);
  else
    LLVM::UnreachableOp::create(b, loc);

  // The first fault of the context claims the record; a later one (another
  // thread, another launch of the session) only ends its thread.
  b.setInsertionPointToEnd(claim);
  Value base = LLVM::IntToPtrOp::create(b, loc, global, record);
  auto field = [&](uint64_t offset) {
    return byteAt(b, loc, base, intConstant(b, loc, i64, offset));
  };
  uint32_t kind = isAssert ? abi::kAssert : abi::kTrap;
  auto exchange = LLVM::AtomicCmpXchgOp::create(
      b, loc, field(abi::kKindOffset), intConstant(b, loc, i32, abi::kNone),
      intConstant(b, loc, i32, kind), LLVM::AtomicOrdering::monotonic,
      LLVM::AtomicOrdering::monotonic, target.deviceScope, 4);
  Value won = extract(b, loc, exchange.getRes(), 1);
  LLVM::CondBrOp::create(b, loc, won, fill, stop);

  b.setInsertionPointToEnd(fill);
  SmallVector<Value, 6> place = target.threadPlace(b, loc);
  for (unsigned i = 0; i < 6; ++i)
    LLVM::StoreOp::create(
        b, loc, place[i],
        field((i < 3 ? abi::kBlockOffset : abi::kThreadOffset) + 4 * (i % 3)),
        4);
  if (isAssert) {
    // assert_fail(message, file, line, function)
    LLVM::StoreOp::create(b, loc, operands[2], field(abi::kLineOffset), 4);
    const std::pair<unsigned, uint64_t> texts[] = {
        {0, abi::kMessageOffset}, {1, abi::kFileOffset},
        {3, abi::kFunctionOffset}};
    Value max = intConstant(b, loc, i32, abi::kTextBytes - 1);
    for (auto [operand, offset] : texts) {
      Value pointer = LLVM::PtrToIntOp::create(b, loc, i64, operands[operand]);
      auto [readBase, readMask] =
          stringWindow(b, loc, pointer, arena, target.inSharedOrLocal);
      LLVM::CallOp::create(
          b, loc, copyString,
          ValueRange{field(offset), pointer, max, readBase, readMask});
    }
  }
  LLVM::StoreOp::create(b, loc, intConstant(b, loc, i32, 1),
                        field(abi::kCompleteOffset), 4, /*isVolatile=*/false,
                        /*isNonTemporal=*/false, /*isInvariantGroup=*/false,
                        LLVM::AtomicOrdering::release, target.deviceScope);
  LLVM::BrOp::create(b, loc, ValueRange{}, stop);

  b.setInsertionPointToEnd(stop);
  target.endThread(b, loc);
  LLVM::UnreachableOp::create(b, loc);

  b.setInsertionPoint(op);
  if (isAssert)
    b.eraseOp(op);
  else
    b.replaceOpWithNewOp<LLVM::UnreachableOp>(op); // `rest` is now dead
  return success();
}

} // namespace wooly::gpu
