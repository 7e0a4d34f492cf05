//===- WoolyOps.cpp - Verifiers and folders of WIS operations -------------===//
//
// Verifiers read like the abstract machine's rules: each check says which rule
// the IR breaks.
//
//===----------------------------------------------------------------------===//

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace wooly;

#define GET_OP_CLASSES
#include "dialects/wooly/WoolyOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

static LogicalResult verifyAlignment(Operation *op, int64_t alignment) {
  if (alignment <= 0 || !llvm::isPowerOf2_64(alignment))
    return op->emitOpError("alignment must be a positive power of two, got ")
           << alignment;
  return success();
}

static AddressSpace spaceOf(Value ptr) {
  return cast<PtrType>(ptr.getType()).getSpace();
}

/// Atomics exist where threads can share memory.
static LogicalResult verifyAtomicSpace(Operation *op, Value ptr) {
  AddressSpace space = spaceOf(ptr);
  if (space != AddressSpace::Global && space != AddressSpace::Shared &&
      space != AddressSpace::Generic)
    return op->emitOpError(
               "atomics need global, shared or generic memory, not ")
           << stringifyAddressSpace(space);
  return success();
}

//===----------------------------------------------------------------------===//
// Module-scope variables and addresses
//===----------------------------------------------------------------------===//

uint64_t GlobalOp::getSizeInBytes() {
  return getStorageSize(getElementType()) * getCount();
}

LogicalResult GlobalOp::verify() {
  Type elementType = getElementType();
  if (!getStorageSize(elementType))
    return emitOpError("element type ")
           << elementType << " cannot be stored in memory";
  // I64Attr reads back unsigned; check the sign on the attribute itself.
  if (getCountAttr().getValue().isNegative())
    return emitOpError("count must not be negative, got ")
           << getCountAttr().getInt();
  if (getCount() == 0 && !getIsExtern())
    return emitOpError("a variable of 0 elements must be extern");
  if (failed(verifyAlignment(*this, getAlignmentAttr().getInt())))
    return failure();
  AddressSpace space = getSpace();
  if (space != AddressSpace::Global && space != AddressSpace::Const &&
      space != AddressSpace::Shared)
    return emitOpError("module-scope variables live in global, const or "
                       "shared memory, not ")
           << stringifyAddressSpace(space);
  std::optional<Attribute> init = getInitializer();
  if (!init)
    return success();
  if (space == AddressSpace::Shared)
    return emitOpError("shared variables cannot be initialized: every block "
                       "gets its own uninitialized copy");
  if (getIsExtern())
    return emitOpError("an extern variable cannot have an initializer");
  if (auto elements = dyn_cast<DenseElementsAttr>(*init)) {
    if (elements.getElementType() != elementType)
      return emitOpError("initializer elements are ")
             << elements.getElementType() << " but the variable holds "
             << elementType;
    if (!elements.isSplat() &&
        static_cast<uint64_t>(elements.getNumElements()) != getCount())
      return emitOpError("initializer has ")
             << elements.getNumElements() << " elements but the variable has "
             << getCount();
    return success();
  }
  if (auto bytes = dyn_cast<StringAttr>(*init)) {
    if (bytes.size() != getSizeInBytes())
      return emitOpError("initializer has ")
             << bytes.size() << " bytes but the variable has "
             << getSizeInBytes();
    return success();
  }
  return emitOpError("initializer must be dense elements or a byte string");
}

LogicalResult
AddressOfOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto global =
      symbolTable.lookupNearestSymbolFrom<GlobalOp>(*this, getGlobalNameAttr());
  if (!global)
    return emitOpError("@")
           << getGlobalName() << " is not a wooly.global in this module";
  AddressSpace space = getResult().getType().getSpace();
  if (space != global.getSpace() && space != AddressSpace::Generic)
    return emitOpError("@") << getGlobalName() << " lives in "
                            << stringifyAddressSpace(global.getSpace())
                            << " memory, not " << stringifyAddressSpace(space);
  return success();
}

LogicalResult LocalAllocaOp::verify() {
  if (getSizeAttr().getInt() <= 0)
    return emitOpError("size must be positive, got ") << getSizeAttr().getInt();
  return verifyAlignment(*this, getAlignmentAttr().getInt());
}

OpFoldResult PtrAddOp::fold(FoldAdaptor adaptor) {
  if (auto offset = dyn_cast_if_present<IntegerAttr>(adaptor.getOffset()))
    if (offset.getValue().isZero())
      return getBase();
  return {};
}

OpFoldResult IntToPtrOp::fold(FoldAdaptor) {
  if (auto back = getValue().getDefiningOp<PtrToIntOp>())
    if (back.getPtr().getType() == getType() &&
        back.getType().getIntOrFloatBitWidth() == 64)
      return back.getPtr();
  return {};
}

OpFoldResult PtrToIntOp::fold(FoldAdaptor) {
  if (auto back = getPtr().getDefiningOp<IntToPtrOp>())
    if (back.getValue().getType() == getType())
      return back.getValue();
  return {};
}

LogicalResult CastSpaceOp::verify() {
  AddressSpace from = spaceOf(getPtr());
  AddressSpace to = getResult().getType().getSpace();
  if ((from == AddressSpace::Generic) == (to == AddressSpace::Generic))
    return emitOpError("converts between generic and one specific space; got ")
           << stringifyAddressSpace(from) << " to "
           << stringifyAddressSpace(to);
  return success();
}

OpFoldResult CastSpaceOp::fold(FoldAdaptor) {
  if (auto inner = getPtr().getDefiningOp<CastSpaceOp>())
    if (inner.getPtr().getType() == getType())
      return inner.getPtr();
  return {};
}

LogicalResult IsSpaceOp::verify() {
  if (getSpace() == AddressSpace::Generic)
    return emitOpError("every address is generic; ask for a specific space");
  return success();
}

//===----------------------------------------------------------------------===//
// Memory access
//===----------------------------------------------------------------------===//

LogicalResult LoadOp::verify() {
  if (failed(verifyAlignment(*this, getAlignmentAttr().getInt())))
    return failure();
  MemOrder order = getOrder();
  if (order == MemOrder::Release || order == MemOrder::AcqRel)
    return emitOpError("a load cannot have ")
           << stringifyMemOrder(order) << " ordering";
  if (getInvariant() && spaceOf(getPtr()) != AddressSpace::Global &&
      spaceOf(getPtr()) != AddressSpace::Generic)
    return emitOpError("invariant loads read global memory");
  if (getInvariant() && getIsVolatile())
    return emitOpError("a load cannot be both invariant and volatile");
  return success();
}

LogicalResult StoreOp::verify() {
  if (failed(verifyAlignment(*this, getAlignmentAttr().getInt())))
    return failure();
  AddressSpace space = spaceOf(getPtr());
  if (space == AddressSpace::Const)
    return emitOpError("const memory is read-only");
  MemOrder order = getOrder();
  if (order == MemOrder::Acquire || order == MemOrder::AcqRel)
    return emitOpError("a store cannot have ")
           << stringifyMemOrder(order) << " ordering";
  return success();
}

LogicalResult AtomicRMWOp::verify() {
  if (failed(verifyAtomicSpace(*this, getPtr())))
    return failure();
  if (getValue().getType() != getResult().getType())
    return emitOpError("result type ")
           << getResult().getType() << " differs from value type "
           << getValue().getType();
  if (getOrder() == MemOrder::Weak)
    return emitOpError("atomics cannot be weak; use relaxed");
  AtomicKind kind = getKind();
  bool isFloatKind = kind == AtomicKind::FAdd || kind == AtomicKind::FMin ||
                     kind == AtomicKind::FMax;
  bool isFloat = isa<FloatType>(getValue().getType());
  if (isFloatKind && !isFloat)
    return emitOpError("atomic ")
           << stringifyAtomicKind(kind) << " needs a float value";
  if (!isFloatKind && kind != AtomicKind::Exch && isFloat)
    return emitOpError("atomic ")
           << stringifyAtomicKind(kind) << " needs an integer value";
  if ((kind == AtomicKind::Inc || kind == AtomicKind::Dec) &&
      !getValue().getType().isInteger(32))
    return emitOpError("atomic inc/dec operate on i32");
  return success();
}

LogicalResult AtomicCASOp::verify() {
  if (failed(verifyAtomicSpace(*this, getPtr())))
    return failure();
  if (getOrder() == MemOrder::Weak)
    return emitOpError("atomics cannot be weak; use relaxed");
  unsigned width = getResult().getType().getIntOrFloatBitWidth();
  if (width != 16 && width != 32 && width != 64)
    return emitOpError("compare-and-swap needs a 16, 32 or 64-bit integer");
  return success();
}

LogicalResult FenceOp::verify() {
  if (getOrder() == MemOrder::Weak || getOrder() == MemOrder::Relaxed)
    return emitOpError("a fence orders memory: use acquire, release, acq_rel "
                       "or seq_cst, not ")
           << stringifyMemOrder(getOrder());
  return success();
}

//===----------------------------------------------------------------------===//
// Synchronization and warp collectives
//===----------------------------------------------------------------------===//

static LogicalResult verifyBarrierId(Operation *op, int32_t id) {
  if (id < 0 || id > 15)
    return op->emitOpError("barrier id must be in 0..15, got ") << id;
  return success();
}

LogicalResult BarrierOp::verify() {
  if (failed(verifyBarrierId(*this, getId())))
    return failure();
  if (getArrive() && !getCount())
    return emitOpError("an arrive-only barrier needs a thread count");
  return success();
}

LogicalResult BarrierReduceOp::verify() {
  if (failed(verifyBarrierId(*this, getId())))
    return failure();
  bool wantsCount = getKind() == BarrierReduction::Popc;
  if (wantsCount != getResult().getType().isInteger(32))
    return emitOpError("barrier reduction ")
           << stringifyBarrierReduction(getKind()) << " gives "
           << (wantsCount ? "i32" : "i1");
  return success();
}

LogicalResult VoteOp::verify() {
  bool isBallot = getMode() == VoteMode::Ballot;
  if (isBallot != getResult().getType().isInteger(32))
    return emitOpError("vote ") << stringifyVoteMode(getMode()) << " gives "
                                << (isBallot ? "i32" : "i1");
  return success();
}

//===----------------------------------------------------------------------===//
// Floating point
//===----------------------------------------------------------------------===//

static unsigned expectedArity(FPOpKind kind) {
  switch (kind) {
  case FPOpKind::Sqrt:
  case FPOpKind::Rcp:
  case FPOpKind::Abs:
  case FPOpKind::Neg:
    return 1;
  case FPOpKind::Fma:
    return 3;
  default:
    return 2;
  }
}

LogicalResult FPOp::verify() {
  unsigned arity = expectedArity(getKind());
  if (getOperands().size() != arity)
    return emitOpError("fp ")
           << stringifyFPOpKind(getKind()) << " takes " << arity
           << " operands, got " << getOperands().size();
  if (getRounding() == Rounding::RNA)
    return emitOpError("rna rounding exists only for conversions");
  return success();
}

LogicalResult ApproxOp::verify() {
  unsigned arity = getKind() == ApproxKind::Div ? 2 : 1;
  if (getOperands().size() != arity)
    return emitOpError("approx ")
           << stringifyApproxKind(getKind()) << " takes " << arity
           << " operands, got " << getOperands().size();
  return success();
}
