//===- GpuDeviceStrings.cpp - Reading C strings in GPU kernels ------------===//

#include "compiler/target/gpu/GpuDeviceStrings.h"

#include "compiler/target/gpu/GpuIRHelpers.h"

using namespace mlir;

namespace wooly::gpu {

/// An i32/i64 constant.
Value intConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

/// `ptr + offset` bytes.
Value byteAt(OpBuilder &b, Location loc, Value ptr, Value offset) {
  return LLVM::GEPOp::create(b, loc, ptr.getType(), b.getI8Type(), ptr,
                             ValueRange{offset});
}

/// i32 __wooly_printf_string(ptr<1> dst, i64 src, i32 max, i64 base,
/// i64 mask): the length of the string at `src` (at most `max` bytes; 0 for
/// a null `src`), copied to `dst` unless it is null. Each byte is read at
/// ((src + i) & mask) | base, so a fenced kernel's string stays in its
/// arena byte by byte (mask = ~0, base = 0 when it need not).
LLVM::LLVMFuncOp stringCopier(ConversionPatternRewriter &b, ModuleOp module,
                              Location loc) {
  MLIRContext *context = module.getContext();
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), i64 = b.getI64Type();
  auto global = LLVM::LLVMPointerType::get(context, 1);
  auto generic = LLVM::LLVMPointerType::get(context, 0);
  bool declared = false;
  auto fn = lookupOrDeclareFunction(
      b, module, loc, "__wooly_printf_string",
      LLVM::LLVMFunctionType::get(i32, {global, i64, i32, i64, i64}),
      LLVM::Linkage::Internal, &declared);
  if (!declared)
    return fn;
  OpBuilder::InsertionGuard guard(b); // the body's blocks move it
  Region &body = fn.getBody();
  Block *entry = b.createBlock(&body, body.end(), {global, i64, i32, i64, i64},
                               SmallVector<Location>(5, loc));
  Block *loop = b.createBlock(&body, body.end(), {i32}, {loc});
  Block *read = b.createBlock(&body, body.end());
  Block *store = b.createBlock(&body, body.end());
  Block *next = b.createBlock(&body, body.end());
  Block *exit = b.createBlock(&body, body.end(), {i32}, {loc});
  Value dst = entry->getArgument(0), src = entry->getArgument(1),
        max = entry->getArgument(2), base = entry->getArgument(3),
        mask = entry->getArgument(4);

  b.setInsertionPointToEnd(entry);
  Value zero32 = intConstant(b, loc, i32, 0);
  Value isNull = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, src,
                                      intConstant(b, loc, i64, 0));
  LLVM::CondBrOp::create(b, loc, isNull, exit, ValueRange{zero32}, loop,
                         ValueRange{zero32});

  b.setInsertionPointToEnd(loop);
  Value i = loop->getArgument(0);
  Value more = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, i, max);
  LLVM::CondBrOp::create(b, loc, more, read, ValueRange{}, exit, ValueRange{i});

  b.setInsertionPointToEnd(read);
  Value at =
      LLVM::AddOp::create(b, loc, src, LLVM::ZExtOp::create(b, loc, i64, i));
  at = LLVM::OrOp::create(b, loc, LLVM::AndOp::create(b, loc, at, mask), base);
  Value byte = LLVM::LoadOp::create(
      b, loc, i8, LLVM::IntToPtrOp::create(b, loc, generic, at));
  Value end = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, byte,
                                   intConstant(b, loc, i8, 0));
  LLVM::CondBrOp::create(b, loc, end, exit, ValueRange{i}, store, ValueRange{});

  b.setInsertionPointToEnd(store);
  Value hasDst = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, dst,
                                      LLVM::ZeroOp::create(b, loc, global));
  Block *write = b.createBlock(&body, Region::iterator(next));
  b.setInsertionPointToEnd(store);
  LLVM::CondBrOp::create(b, loc, hasDst, write, next);
  b.setInsertionPointToEnd(write);
  LLVM::StoreOp::create(
      b, loc, byte, byteAt(b, loc, dst, LLVM::ZExtOp::create(b, loc, i64, i)));
  LLVM::BrOp::create(b, loc, ValueRange{}, next);

  b.setInsertionPointToEnd(next);
  LLVM::BrOp::create(
      b, loc,
      ValueRange{LLVM::AddOp::create(b, loc, i, intConstant(b, loc, i32, 1))},
      loop);

  b.setInsertionPointToEnd(exit);
  LLVM::ReturnOp::create(b, loc, exit->getArgument(0));
  return fn;
}

/// The arena base and mask of the enclosing fenced function, if it is one.
std::optional<std::pair<Value, Value>> arenaOf(Operation *op) {
  auto fn = op->getParentOfType<LLVM::LLVMFuncOp>();
  if (!fn || fn.getBody().empty())
    return std::nullopt;
  Value base, mask;
  Block &entry = fn.getBody().front();
  for (unsigned i = 0, e = fn.getNumArguments();
       i < e && i < entry.getNumArguments(); ++i) {
    auto name = fn.getArgAttrOfType<StringAttr>(i, "wooly.hidden");
    if (!name)
      continue;
    if (name.getValue() == "arena_base")
      base = entry.getArgument(i);
    else if (name.getValue() == "arena_mask")
      mask = entry.getArgument(i);
  }
  if (!base || !mask)
    return std::nullopt;
  return std::make_pair(base, mask);
}

std::pair<Value, Value>
stringWindow(OpBuilder &b, Location loc, Value pointer,
             std::optional<std::pair<Value, Value>> arena,
             const InSharedOrLocal &inSharedOrLocal) {
  Type i64 = b.getI64Type();
  Value base = intConstant(b, loc, i64, 0);
  Value mask = intConstant(b, loc, i64, -1);
  if (!arena)
    return {base, mask};
  auto generic = LLVM::LLVMPointerType::get(b.getContext(), 0);
  Value keep = inSharedOrLocal(
      b, loc, LLVM::IntToPtrOp::create(b, loc, generic, pointer));
  return {LLVM::SelectOp::create(b, loc, keep, base, arena->first),
          LLVM::SelectOp::create(b, loc, keep, mask, arena->second)};
}

} // namespace wooly::gpu
