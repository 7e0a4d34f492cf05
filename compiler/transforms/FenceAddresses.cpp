//===- FenceAddresses.cpp - Confine memory accesses to the session arena --===//
//
// Software fault isolation for kernels: after this pass no global or generic
// access can leave the launching session's arena, whatever address the kernel
// computes. See Passes.td for the contract with the executors.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

namespace wooly {
#define GEN_PASS_DEF_WOOLYFENCEADDRESSES
#include "compiler/transforms/Passes.h.inc"
} // namespace wooly

using namespace mlir;
using namespace wooly;

namespace {

/// The hidden parameters of one function.
struct ArenaValues {
  Value base, mask, dataBase;
};

/// Raw little-endian bytes of a variable's initializer, or failure for shapes
/// whose in-memory layout the attribute does not give directly.
FailureOr<std::string> initializerBytes(GlobalOp global) {
  uint64_t size = global.getSizeInBytes();
  std::optional<Attribute> init = global.getInitializer();
  if (!init)
    return std::string(size, '\0');
  if (auto bytes = dyn_cast<StringAttr>(*init))
    return bytes.getValue().str();
  auto elements = cast<DenseElementsAttr>(*init);
  Type elementType = elements.getElementType();
  if (elementType.isInteger(1))
    return failure(); // bit-packed in the attribute; PTX has no .pred variables
  uint64_t elementSize = getStorageSize(elementType);
  ArrayRef<char> raw = elements.getRawData();
  std::string out;
  out.reserve(size);
  if (elements.isSplat()) {
    for (uint64_t i = 0; i < global.getCount(); ++i)
      out.append(raw.data(), elementSize);
  } else {
    out.assign(raw.data(), raw.size());
  }
  if (out.size() != size)
    return failure();
  return out;
}

class Fencer {
public:
  explicit Fencer(ModuleOp module) : module(module), builder(module) {}

  LogicalResult run() {
    if (module->hasAttr(kDataSegmentAttr))
      return module.emitError("module is already fenced");
    if (failed(layOutDataSegment()))
      return failure();
    for (Operation &op : module.getBody()->getOperations())
      if (auto fn = dyn_cast<FunctionOpInterface>(op))
        if (!fn.isExternal())
          addHiddenParameters(fn);
    bool ok = true;
    module.walk([&](FunctionOpInterface fn) {
      if (fn.isExternal())
        return;
      ok &= succeeded(rewriteFunction(fn));
    });
    if (!ok)
      return failure();
    retypeConstPointers();
    for (GlobalOp global : segmentGlobals)
      global.erase();
    return success();
  }

private:
  /// Places every global/const variable in one segment, in module order.
  LogicalResult layOutDataSegment() {
    uint64_t offset = 0, maxAlign = 16;
    std::string bytes;
    SmallVector<NamedAttribute> symbols, sizes;
    for (auto global : module.getOps<GlobalOp>()) {
      if (global.getSpace() == AddressSpace::Shared)
        continue;
      if (global.getCount() == 0)
        return global.emitError("cannot place the unsized variable @")
               << global.getSymName() << " in the arena";
      FailureOr<std::string> init = initializerBytes(global);
      if (failed(init))
        return global.emitError("cannot lay out the initializer of @")
               << global.getSymName();
      uint64_t align = global.getAlignment();
      maxAlign = std::max(maxAlign, align);
      offset = llvm::alignTo(offset, align);
      bytes.resize(offset, '\0');
      bytes += *init;
      offsets[global.getSymName()] = offset;
      symbols.push_back(builder.getNamedAttr(
          global.getSymName(), builder.getI64IntegerAttr(offset)));
      sizes.push_back(builder.getNamedAttr(
          global.getSymName(), builder.getI64IntegerAttr(init->size())));
      offset += init->size();
      segmentGlobals.push_back(global);
    }
    bytes.resize(offset, '\0');
    module->setAttr(
        kDataSegmentAttr,
        builder.getDictionaryAttr(
            {builder.getNamedAttr("size", builder.getI64IntegerAttr(offset)),
             builder.getNamedAttr("alignment",
                                  builder.getI64IntegerAttr(maxAlign)),
             builder.getNamedAttr("symbols",
                                  builder.getDictionaryAttr(symbols)),
             builder.getNamedAttr("sizes", builder.getDictionaryAttr(sizes)),
             builder.getNamedAttr("init", builder.getStringAttr(bytes))}));
    return success();
  }

  void addHiddenParameters(FunctionOpInterface fn) {
    Type i64 = builder.getI64Type();
    unsigned first = fn.getNumArguments();
    SmallVector<unsigned> indices(3, first);
    SmallVector<Type> types(3, i64);
    SmallVector<DictionaryAttr> attrs;
    for (const char *name : kHiddenArgNames)
      attrs.push_back(builder.getDictionaryAttr(
          builder.getNamedAttr(kHiddenArgAttr, builder.getStringAttr(name))));
    SmallVector<Location> locs(3, fn.getLoc());
    (void)fn.insertArguments(indices, types, attrs, locs);
    if (auto kernel = dyn_cast<KernelOp>(fn.getOperation()))
      kernel->setAttr("wooly.fenced", builder.getUnitAttr());
  }

  LogicalResult rewriteFunction(FunctionOpInterface fn) {
    Block &entry = fn.getFunctionBody().front();
    unsigned n = entry.getNumArguments();
    ArenaValues arena{entry.getArgument(n - 3), entry.getArgument(n - 2),
                      entry.getArgument(n - 1)};
    bool ok = true;
    fn.walk([&](Operation *op) {
      builder.setInsertionPoint(op);
      if (auto call = dyn_cast<CallOp>(op)) {
        call->insertOperands(call->getNumOperands(),
                             {arena.base, arena.mask, arena.dataBase});
        return;
      }
      if (auto addr = dyn_cast<AddressOfOp>(op)) {
        ok &= succeeded(rewriteAddressOf(addr, arena));
        return;
      }
      for (OpOperand *operand : accessedPointers(op))
        fenceOperand(*operand, arena);
    });
    return success(ok);
  }

  /// The pointer operands through which `op` reads or writes memory.
  static SmallVector<OpOperand *> accessedPointers(Operation *op) {
    SmallVector<OpOperand *> out;
    auto add = [&](OpOperand &operand) { out.push_back(&operand); };
    if (auto load = dyn_cast<LoadOp>(op))
      add(load.getPtrMutable());
    else if (auto store = dyn_cast<StoreOp>(op))
      add(store.getPtrMutable());
    else if (auto rmw = dyn_cast<AtomicRMWOp>(op))
      add(rmw.getPtrMutable());
    else if (auto cas = dyn_cast<AtomicCASOp>(op))
      add(cas.getPtrMutable());
    else if (auto prefetch = dyn_cast<PrefetchOp>(op))
      add(prefetch.getPtrMutable());
    else if (auto print = dyn_cast<PrintfOp>(op)) {
      add(print.getFormatMutable());
      add(print.getArgsMutable());
    } else if (auto fail = dyn_cast<AssertFailOp>(op)) {
      add(fail.getMessageMutable());
      add(fail.getFileMutable());
      add(fail.getFunctionMutable());
    }
    return out;
  }

  /// (p & mask) | base as an i64.
  Value fenceInteger(Location loc, Value address, const ArenaValues &arena) {
    Value masked = arith::AndIOp::create(builder, loc, address, arena.mask);
    return arith::OrIOp::create(builder, loc, masked, arena.base);
  }

  void fenceOperand(OpOperand &operand, const ArenaValues &arena) {
    Value ptr = operand.get();
    auto type = cast<PtrType>(ptr.getType());
    AddressSpace space = type.getSpace();
    Location loc = ptr.getLoc();
    Type i64 = builder.getI64Type();
    if (space == AddressSpace::Global || space == AddressSpace::Const) {
      Value address = PtrToIntOp::create(builder, loc, i64, ptr);
      Value fenced = fenceInteger(loc, address, arena);
      operand.set(IntToPtrOp::create(builder, loc, type, fenced));
      return;
    }
    if (space != AddressSpace::Generic)
      return; // shared, local, param: bounded by their own windows
    Value inShared = IsSpaceOp::create(builder, loc, ptr, AddressSpace::Shared);
    Value inLocal = IsSpaceOp::create(builder, loc, ptr, AddressSpace::Local);
    Value keep = arith::OrIOp::create(builder, loc, inShared, inLocal);
    Value address = PtrToIntOp::create(builder, loc, i64, ptr);
    Value fenced = fenceInteger(loc, address, arena);
    Value chosen = arith::SelectOp::create(builder, loc, keep, address, fenced);
    operand.set(IntToPtrOp::create(builder, loc, type, chosen));
  }

  LogicalResult rewriteAddressOf(AddressOfOp addr, const ArenaValues &arena) {
    auto it = offsets.find(addr.getGlobalName());
    if (it == offsets.end())
      return success(); // a shared variable: the block's own window
    Location loc = addr.getLoc();
    Value offset = arith::ConstantIntOp::create(builder, loc, it->second, 64);
    Value address = arith::AddIOp::create(builder, loc, arena.dataBase, offset);
    auto type = cast<PtrType>(addr.getType());
    Value ptr;
    if (type.getSpace() == AddressSpace::Generic) {
      auto global = PtrType::get(builder.getContext(), AddressSpace::Global);
      Value g = IntToPtrOp::create(builder, loc, global, address);
      ptr = CastSpaceOp::create(builder, loc, type, g);
    } else {
      ptr = IntToPtrOp::create(builder, loc, type, address);
    }
    addr.replaceAllUsesWith(ptr);
    addr.erase();
    return success();
  }

  /// Const variables now live in the arena's global memory: every const
  /// pointer becomes a global one (loads keep their meaning).
  void retypeConstPointers() {
    MLIRContext *ctx = module.getContext();
    Type constPtr = PtrType::get(ctx, AddressSpace::Const);
    Type globalPtr = PtrType::get(ctx, AddressSpace::Global);
    auto retype = [&](Value v) {
      if (v.getType() == constPtr)
        v.setType(globalPtr);
    };
    module.walk([&](Operation *op) {
      for (Value result : op->getResults())
        retype(result);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            retype(arg);
      if (auto isSpace = dyn_cast<IsSpaceOp>(op))
        if (isSpace.getSpace() == AddressSpace::Const)
          isSpace.setSpace(AddressSpace::Global);
    });
    module.walk([&](FunctionOpInterface fn) {
      auto replace = [&](ArrayRef<Type> types) {
        return llvm::map_to_vector(
            types, [&](Type t) { return t == constPtr ? globalPtr : t; });
      };
      fn.setType(FunctionType::get(ctx, replace(fn.getArgumentTypes()),
                                   replace(fn.getResultTypes())));
    });
  }

  ModuleOp module;
  OpBuilder builder;
  llvm::StringMap<uint64_t> offsets;
  SmallVector<GlobalOp> segmentGlobals;
};

struct FenceAddressesPass
    : public wooly::impl::WoolyFenceAddressesBase<FenceAddressesPass> {
  void runOnOperation() override {
    if (failed(Fencer(getOperation()).run()))
      signalPassFailure();
  }
};

} // namespace
