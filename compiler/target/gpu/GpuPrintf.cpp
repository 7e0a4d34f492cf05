//===- GpuPrintf.cpp - Device printf into Wooly's printf buffer -----------===//

#include "compiler/target/gpu/GpuPrintf.h"

#include "compiler/target/gpu/GpuDeviceStrings.h"
#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/target/gpu/GpuPrintfABI.h"
#include "compiler/transforms/Passes.h"
#include "runtime/exec/common/DevicePrintf.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <optional>

using namespace mlir;

namespace wooly::gpu {

namespace abi = printf_abi;

namespace {

/// The bytes of a variable's initializer, when they are plain bytes.
std::optional<std::string> initializerBytes(GlobalOp global) {
  std::optional<Attribute> init = global.getInitializer();
  if (!init)
    return std::nullopt;
  if (auto text = dyn_cast<StringAttr>(*init))
    return text.getValue().str();
  auto elements = dyn_cast<DenseElementsAttr>(*init);
  if (!elements || !elements.getElementType().isInteger(8))
    return std::nullopt;
  std::string out;
  for (const APInt &v : elements.getValues<APInt>())
    out += static_cast<char>(v.getZExtValue());
  return out;
}

/// The `wooly.hidden` name of a function argument ("" for none).
StringRef hiddenName(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || !arg.getOwner()->isEntryBlock())
    return {};
  auto fn = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp());
  if (!fn)
    return {};
  auto name =
      fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "wooly.hidden");
  return name ? name.getValue() : StringRef();
}

/// The C string at `offset` in `bytes`, when it is NUL-terminated there.
std::optional<std::string> cString(const std::string &bytes, uint64_t offset) {
  if (offset >= bytes.size())
    return std::nullopt;
  size_t nul = bytes.find('\0', offset);
  if (nul == std::string::npos)
    return std::nullopt; // unterminated: not a C string
  return bytes.substr(offset, nul - offset);
}

/// The NUL-terminated string `format` points at, when it is a constant
/// offset into an initialized module variable: its address (addressof), or
/// in a fenced module its place in the data segment (data_base + offset),
/// through space casts, pointer/integer conversions and the fence itself
/// (the arena mask and base, both sides of its select).
std::optional<std::string> constantFormat(Value format, ModuleOp module,
                                          int depth = 0) {
  uint64_t offset = 0;
  for (; depth < 32; ++depth) {
    APInt constant;
    auto constantOffset = [&](Value v) {
      if (!matchPattern(v, m_ConstantInt(&constant)) || constant.isNegative())
        return false;
      offset += constant.getZExtValue();
      return true;
    };
    Operation *def = format.getDefiningOp();
    if (auto cast = dyn_cast_or_null<CastSpaceOp>(def)) {
      format = cast.getPtr();
    } else if (auto add = dyn_cast_or_null<PtrAddOp>(def)) {
      if (!constantOffset(add.getOffset()))
        return std::nullopt;
      format = add.getBase();
    } else if (auto toPtr = dyn_cast_or_null<IntToPtrOp>(def)) {
      format = toPtr.getValue();
    } else if (auto toInt = dyn_cast_or_null<PtrToIntOp>(def)) {
      format = toInt.getPtr();
    } else if (auto add = dyn_cast_or_null<arith::AddIOp>(def)) {
      if (!constantOffset(add.getRhs()))
        return std::nullopt;
      format = add.getLhs();
    } else if (auto orOp = dyn_cast_or_null<arith::OrIOp>(def)) {
      // The fence: (p & arena_mask) | arena_base.
      auto andOp = orOp.getLhs().getDefiningOp<arith::AndIOp>();
      if (!andOp || hiddenName(orOp.getRhs()) != "arena_base" ||
          hiddenName(andOp.getRhs()) != "arena_mask")
        return std::nullopt;
      format = andOp.getLhs();
    } else if (auto select = dyn_cast_or_null<arith::SelectOp>(def)) {
      // The fence of a generic pointer keeps it or fences it: both sides
      // must name the same string.
      auto kept = constantFormat(select.getTrueValue(), module, depth + 1);
      auto fenced = constantFormat(select.getFalseValue(), module, depth + 1);
      if (!kept || kept != fenced || offset > kept->size())
        return std::nullopt;
      return kept->substr(offset);
    } else if (auto address = dyn_cast_or_null<AddressOfOp>(def)) {
      auto global = module.lookupSymbol<GlobalOp>(address.getGlobalName());
      if (!global)
        return std::nullopt;
      std::optional<std::string> bytes = initializerBytes(global);
      if (!bytes)
        return std::nullopt;
      return cString(*bytes, offset);
    } else if (hiddenName(format) == "data_base") {
      std::optional<DataSegment> segment = getDataSegment(module);
      if (!segment)
        return std::nullopt;
      return cString(segment->initialBytes, offset);
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// (v + align - 1) & -align for a power-of-two `align`.
Value alignUp(OpBuilder &b, Location loc, Value v, int64_t align) {
  Type type = v.getType();
  Value sum = LLVM::AddOp::create(b, loc, v, intConstant(b, loc, type, align - 1));
  return LLVM::AndOp::create(b, loc, sum, intConstant(b, loc, type, -align));
}

} // namespace

std::vector<std::string> annotatePrintfFormats(ModuleOp module) {
  std::vector<std::string> table;
  MLIRContext *context = module.getContext();
  auto record = [&](uint32_t id, StringRef text) {
    if (table.size() <= id)
      table.resize(id + 1);
    table[id] = text.str();
  };
  module.walk([&](PrintfOp op) {
    auto id = op->getAttrOfType<IntegerAttr>(kPrintfIdAttr);
    auto text = op->getAttrOfType<StringAttr>(kPrintfFormatAttr);
    if (id && text)
      record(id.getInt(), text.getValue());
  });
  module.walk([&](PrintfOp op) {
    if (hasConstantFormat(op))
      return;
    std::optional<std::string> text = constantFormat(op.getFormat(), module);
    if (!text)
      return;
    uint32_t id = table.size();
    op->setAttr(kPrintfIdAttr,
                IntegerAttr::get(IntegerType::get(context, 32), id));
    op->setAttr(kPrintfFormatAttr, StringAttr::get(context, *text));
    record(id, *text);
  });
  return table;
}

bool hasConstantFormat(PrintfOp op) {
  return op->getAttrOfType<IntegerAttr>(kPrintfIdAttr) &&
         op->getAttrOfType<StringAttr>(kPrintfFormatAttr);
}

LogicalResult lowerPrintfToBuffer(PrintfOp op, ValueRange operands,
                                  ConversionPatternRewriter &b,
                                  const PrintfTarget &target) {
  if (!hasConstantFormat(op))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  auto module = op->getParentOfType<ModuleOp>();
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto global = LLVM::LLVMPointerType::get(context, 1);
  uint32_t formatId = op->getAttrOfType<IntegerAttr>(kPrintfIdAttr).getInt();
  std::string format =
      op->getAttrOfType<StringAttr>(kPrintfFormatAttr).getValue().str();
  uint64_t argBytes = 0;
  std::vector<exec::PrintfConversion> specs =
      exec::scanPrintfFormat(format, argBytes);
  int32_t count = 0;
  SmallVector<uint64_t> stringOffsets;
  for (const exec::PrintfConversion &spec : specs) {
    if (spec.size)
      ++count;
    if (spec.conversion == 's')
      stringOffsets.push_back(spec.offset);
  }
  Value args = operands[1];
  LLVM::GlobalOp slot = executorSlot(b, module, loc, abi::kGlobalName);
  LLVM::LLVMFuncOp copyString = stringCopier(b, module, loc);
  std::optional<std::pair<Value, Value>> arena = arenaOf(op);
  // A fenced module's strings must be read inside the arena: without the
  // arena parameters there is no safe way to read them.
  if (!arena && !stringOffsets.empty() && module->hasAttr(kDataSegmentAttr))
    return op.emitError("printf in a fenced module, but the function has no "
                        "arena parameters to read its %s strings with");

  // Before the reservation: the buffer, and how long each %s string is.
  Value slotAddress = LLVM::AddressOfOp::create(b, loc, slot);
  Value buffer = LLVM::LoadOp::create(b, loc, i64, slotAddress, 8);
  Value tag = LLVM::LoadOp::create(
      b, loc, i64, byteAt(b, loc, slotAddress, intConstant(b, loc, i64, 8)), 8);
  tag = LLVM::TruncOp::create(b, loc, i32, tag);
  Value nullDst = LLVM::ZeroOp::create(b, loc, global);
  Value maxString = intConstant(b, loc, i32, exec::kPrintfMaxStringBytes);
  struct StringArg {
    Value pointer, base, mask, length, lengthField, entryBytes;
  };
  SmallVector<StringArg> strings;
  Value size =
      intConstant(b, loc, i64, abi::kRecordHeaderBytes + (argBytes + 7) / 8 * 8);
  for (uint64_t offset : stringOffsets) {
    StringArg s;
    s.pointer = LLVM::LoadOp::create(
        b, loc, i64, byteAt(b, loc, args, intConstant(b, loc, i64, offset)), 8);
    std::tie(s.base, s.mask) =
        stringWindow(b, loc, s.pointer, arena, target.inSharedOrLocal);
    s.length = LLVM::CallOp::create(
                   b, loc, copyString,
                   ValueRange{nullDst, s.pointer, maxString, s.base, s.mask})
                   .getResult();
    Value isNull = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq,
                                        s.pointer, intConstant(b, loc, i64, 0));
    s.lengthField = LLVM::SelectOp::create(
        b, loc, isNull,
        intConstant(b, loc, i32, static_cast<int32_t>(abi::kNullString)),
        s.length);
    Value entry =
        LLVM::AddOp::create(b, loc, LLVM::ZExtOp::create(b, loc, i64, s.length),
                            intConstant(b, loc, i64, 4));
    s.entryBytes = alignUp(b, loc, entry, 4);
    size = LLVM::AddOp::create(b, loc, size, s.entryBytes);
    strings.push_back(s);
  }
  size = alignUp(b, loc, size, 8);

  // Blocks: here -> reserve -> (full | write) -> done(result) -> the rest.
  Block *here = b.getInsertionBlock();
  Block *rest = b.splitBlock(here, b.getInsertionPoint());
  Region *region = rest->getParent();
  Block *reserve = b.createBlock(region, Region::iterator(rest));
  Block *full = b.createBlock(region, Region::iterator(rest));
  Block *write = b.createBlock(region, Region::iterator(rest));
  Block *done = b.createBlock(region, Region::iterator(rest), {i32}, {loc});

  b.setInsertionPointToEnd(here);
  Value failed = intConstant(b, loc, i32, -1);
  Value hasBuffer = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne,
                                         buffer, intConstant(b, loc, i64, 0));
  LLVM::CondBrOp::create(b, loc, hasBuffer, reserve, ValueRange{}, done,
                         ValueRange{failed});

  // One atomic add reserves the record; a record past the capacity is
  // dropped and counted (the reservation keeps growing, so every later
  // printf of the launch is dropped too, until the executor drains).
  b.setInsertionPointToEnd(reserve);
  Value header = LLVM::IntToPtrOp::create(b, loc, global, buffer);
  Value old = LLVM::AtomicRMWOp::create(
      b, loc, LLVM::AtomicBinOp::add,
      byteAt(b, loc, header, intConstant(b, loc, i64, abi::kReservedOffset)), size,
      LLVM::AtomicOrdering::monotonic, target.deviceScope, 8);
  Value capacity = LLVM::LoadOp::create(
      b, loc, i32,
      byteAt(b, loc, header, intConstant(b, loc, i64, abi::kCapacityOffset)), 4);
  Value end = LLVM::AddOp::create(b, loc, old, size);
  Value fits =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ule, end,
                           LLVM::ZExtOp::create(b, loc, i64, capacity));
  LLVM::CondBrOp::create(b, loc, fits, write, ValueRange{}, full, ValueRange{});

  b.setInsertionPointToEnd(full);
  LLVM::AtomicRMWOp::create(
      b, loc, LLVM::AtomicBinOp::add,
      byteAt(b, loc, header, intConstant(b, loc, i64, abi::kDroppedOffset)),
      intConstant(b, loc, i32, 1), LLVM::AtomicOrdering::monotonic,
      target.deviceScope, 4);
  LLVM::BrOp::create(b, loc, ValueRange{failed}, done);

  b.setInsertionPointToEnd(write);
  Value record =
      byteAt(b, loc, header,
             LLVM::AddOp::create(b, loc, old,
                                 intConstant(b, loc, i64, abi::kHeaderBytes)));
  auto storeField = [&](Value value, Value at) {
    LLVM::StoreOp::create(b, loc, value, byteAt(b, loc, record, at), 4);
  };
  storeField(LLVM::TruncOp::create(b, loc, i32, size),
             intConstant(b, loc, i64, 0));
  storeField(tag, intConstant(b, loc, i64, 4));
  storeField(intConstant(b, loc, i32, formatId), intConstant(b, loc, i64, 8));
  storeField(intConstant(b, loc, i32, argBytes), intConstant(b, loc, i64, 12));
  // The arguments, one word each: vprintf's buffer aligns each to its size
  // (the padding between them stays zero from the drain).
  for (const exec::PrintfConversion &spec : specs) {
    if (!spec.size)
      continue;
    Type word = b.getIntegerType(8 * spec.size);
    Value value = LLVM::LoadOp::create(
        b, loc, word, byteAt(b, loc, args, intConstant(b, loc, i64, spec.offset)),
        spec.size);
    LLVM::StoreOp::create(
        b, loc, value,
        byteAt(b, loc, record,
               intConstant(b, loc, i64, abi::kRecordHeaderBytes + spec.offset)),
        spec.size);
  }
  Value cursor =
      intConstant(b, loc, i64, abi::kRecordHeaderBytes + (argBytes + 7) / 8 * 8);
  for (const StringArg &s : strings) {
    storeField(s.lengthField, cursor);
    Value text =
        byteAt(b, loc, record,
               LLVM::AddOp::create(b, loc, cursor, intConstant(b, loc, i64, 4)));
    LLVM::CallOp::create(b, loc, copyString,
                         ValueRange{text, s.pointer, s.length, s.base, s.mask});
    cursor = LLVM::AddOp::create(b, loc, cursor, s.entryBytes);
  }
  LLVM::BrOp::create(b, loc, ValueRange{intConstant(b, loc, i32, count)}, done);

  b.setInsertionPointToEnd(done);
  LLVM::BrOp::create(b, loc, ValueRange{}, rest);
  b.replaceOp(op, done->getArgument(0));
  return success();
}

} // namespace wooly::gpu
