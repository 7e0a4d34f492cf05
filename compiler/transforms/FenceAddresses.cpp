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
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

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

constexpr uint64_t kUnbounded = ~uint64_t(0);

uint64_t addBounds(uint64_t a, uint64_t b) {
  return a > kUnbounded - b ? kUnbounded : a + b;
}

uint64_t mulBounds(uint64_t a, uint64_t b) {
  return b != 0 && a > kUnbounded / b ? kUnbounded : a * b;
}

/// A bound on |v| for an i64 offset the pass can see through: constants,
/// sign/zero extensions of narrower integers (PTX's mul.wide and cvt),
/// and products, shifts and sums of those; kUnbounded otherwise.
uint64_t offsetBound(Value v, unsigned depth = 0) {
  if (depth > 8)
    return kUnbounded;
  APInt constant;
  if (matchPattern(v, m_ConstantInt(&constant))) {
    if (constant.getBitWidth() > 64 || constant.isMinSignedValue())
      return kUnbounded;
    return constant.abs().getZExtValue();
  }
  if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
    unsigned width = ext.getIn().getType().getIntOrFloatBitWidth();
    return width < 64 ? uint64_t(1) << (width - 1) : kUnbounded;
  }
  if (auto ext = v.getDefiningOp<arith::ExtUIOp>()) {
    unsigned width = ext.getIn().getType().getIntOrFloatBitWidth();
    return width < 64 ? (uint64_t(1) << width) - 1 : kUnbounded;
  }
  if (auto mul = v.getDefiningOp<arith::MulIOp>())
    return mulBounds(offsetBound(mul.getLhs(), depth + 1),
                     offsetBound(mul.getRhs(), depth + 1));
  if (auto add = v.getDefiningOp<arith::AddIOp>())
    return addBounds(offsetBound(add.getLhs(), depth + 1),
                     offsetBound(add.getRhs(), depth + 1));
  if (auto shift = v.getDefiningOp<arith::ShLIOp>()) {
    APInt amount;
    if (!matchPattern(shift.getRhs(), m_ConstantInt(&amount)) ||
        amount.getZExtValue() > 62)
      return kUnbounded;
    return mulBounds(offsetBound(shift.getLhs(), depth + 1),
                     uint64_t(1) << amount.getZExtValue());
  }
  return kUnbounded;
}

class Fencer {
public:
  Fencer(ModuleOp module, uint64_t offsetGuard, bool confineWindows,
         bool constBank)
      : module(module), builder(module), guard(offsetGuard),
        confineWindows(confineWindows), constBank(constBank) {}

  LogicalResult run() {
    if (module->hasAttr(kDataSegmentAttr))
      return module.emitError("module is already fenced");
    if (constBank)
      findBankVariables();
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
  /// const-bank: the const variables whose address reaches nothing but
  /// const-space loads stay in the module (on NVIDIA GPUs the const space is
  /// the module instance's constant bank, which a const load cannot leave,
  /// so these loads need no fence and keep the cached, broadcast constant
  /// path). `bankRoot` maps every pointer and address derived from one to
  /// its variable.
  void findBankVariables() {
    llvm::StringMap<SmallVector<Value>> roots;
    llvm::StringSet<> escaped;
    // Every reference to a variable: `wooly.addressof` of a const pointer is
    // a root to follow; any other (a generic addressof from `cvta.const`, or
    // any other op naming it, in attributes or properties) is an escape.
    module.walk([&](Operation *op) {
      if (auto addr = dyn_cast<AddressOfOp>(op)) {
        if (cast<PtrType>(addr.getType()).getSpace() == AddressSpace::Const)
          roots[addr.getGlobalName()].push_back(addr.getResult());
        else
          escaped.insert(addr.getGlobalName());
        return;
      }
      auto escape = [&](SymbolRefAttr ref) {
        escaped.insert(ref.getRootReference().getValue());
      };
      op->getAttrDictionary().walk(escape);
      if (Attribute properties = op->getPropertiesAsAttribute())
        properties.walk(escape);
    });
    // A value derived from two variables (their addresses added, or merged
    // in a block argument) has no single variable to clamp to: neither stays.
    llvm::MapVector<GlobalOp, SmallVector<Value>> candidates;
    llvm::DenseMap<Value, GlobalOp> owner;
    llvm::SmallPtrSet<Operation *, 4> shared;
    for (auto global : module.getOps<GlobalOp>()) {
      StringRef name = global.getSymName();
      if (global.getSpace() != AddressSpace::Const || escaped.contains(name))
        continue;
      SmallVector<Value> derived;
      if (!onlyConstLoads(roots.lookup(name), global.getSizeInBytes(), derived))
        continue;
      for (Value v : derived) {
        auto [it, inserted] = owner.try_emplace(v, global);
        if (!inserted) {
          shared.insert(it->second);
          shared.insert(global);
        }
      }
      candidates[global] = std::move(derived);
    }
    for (auto &[global, derived] : candidates) {
      if (shared.contains(global))
        continue;
      bankVariables.insert(global.getSymName());
      for (Value v : derived)
        bankRoot[v] = global;
    }
  }

  /// A const-bank load: `ptr` stays in its variable. A constant offset
  /// within the variable needs nothing (nvcc's `ld.const [taps+4]`); any
  /// other becomes `v + min(p - v, size - width)` (unsigned), so the load
  /// cannot read past the variable into whatever else the constant bank, or
  /// memory beyond it, holds: isolation must not rest on what the hardware
  /// does with an out-of-range constant address.
  void clampToVariable(OpOperand &operand, GlobalOp global) {
    Value ptr = operand.get();
    auto load = cast<LoadOp>(operand.getOwner());
    uint64_t width = getStorageSize(load.getType());
    uint64_t size = global.getSizeInBytes();
    int64_t offset = 0;
    Value root = ptr;
    bool constant = true;
    while (auto add = root.getDefiningOp<PtrAddOp>()) {
      APInt value;
      if (!matchPattern(add.getOffset(), m_ConstantInt(&value)) ||
          value.getBitWidth() > 64) {
        constant = false;
        break;
      }
      offset += value.getSExtValue();
      root = add.getBase();
    }
    if (constant && root.getDefiningOp<AddressOfOp>() && width &&
        width <= size && offset >= 0 &&
        static_cast<uint64_t>(offset) <= size - width)
      return;
    Location loc = ptr.getLoc();
    Type i64 = builder.getI64Type();
    Value start =
        AddressOfOp::create(builder, loc, ptr.getType(), global.getSymName());
    bankValues.insert(start);
    Value base = PtrToIntOp::create(builder, loc, i64, start);
    Value address = PtrToIntOp::create(builder, loc, i64, ptr);
    Value relative = arith::SubIOp::create(builder, loc, address, base);
    uint64_t last = width && width <= size ? size - width : 0;
    Value limit = arith::ConstantIntOp::create(builder, loc,
                                               static_cast<int64_t>(last), 64);
    Value kept = arith::MinUIOp::create(builder, loc, relative, limit);
    Value clamped = arith::AddIOp::create(builder, loc, base, kept);
    Value inside = IntToPtrOp::create(builder, loc, ptr.getType(), clamped);
    bankValues.insert(inside);
    operand.set(inside);
  }

  /// True when `roots` reach only const-space loads of at most `size`
  /// bytes (the variable's: the clamp keeps each load inside it); `derived`
  /// gets every value on the way. Addresses may go through integers (PTX
  /// computes them in registers: `mov.u64 %rd, taps; add.s64 ...;
  /// ld.const [%rd]`) but must come back as const pointers: a const variable
  /// in the bank has no address a global or generic access could use.
  static bool onlyConstLoads(ArrayRef<Value> roots, uint64_t size,
                             SmallVectorImpl<Value> &derived) {
    SmallVector<Value> work(roots.begin(), roots.end());
    llvm::DenseSet<Value> seen;
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      derived.push_back(v);
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        // A load's only operand is its pointer; a compare (a loop's end
        // address) yields no address.
        if (auto load = dyn_cast<LoadOp>(user)) {
          uint64_t width = getStorageSize(load.getType());
          if (!width || width > size)
            return false; // a width the clamp cannot keep inside
          continue;
        }
        if (isa<arith::CmpIOp>(user))
          continue;
        if (auto add = dyn_cast<PtrAddOp>(user)) {
          if (&use != &add.getBaseMutable())
            return false;
          work.push_back(add.getResult());
          continue;
        }
        if (isa<PtrToIntOp, arith::AddIOp, arith::SubIOp>(user)) {
          work.push_back(user->getResult(0));
          continue;
        }
        if (auto toPtr = dyn_cast<IntToPtrOp>(user)) {
          if (cast<PtrType>(toPtr.getType()).getSpace() != AddressSpace::Const)
            return false;
          work.push_back(toPtr.getResult());
          continue;
        }
        // An integer address carried around a loop.
        auto branch = dyn_cast<BranchOpInterface>(user);
        if (branch && isa<IntegerType>(v.getType())) {
          std::optional<BlockArgument> arg =
              branch.getSuccessorBlockArgument(use.getOperandNumber());
          if (!arg)
            return false;
          work.push_back(*arg);
          continue;
        }
        return false; // stored, passed, returned, cast, prefetched, ...
      }
    }
    return true;
  }

  /// Places every global/const variable in one segment, in module order
  /// (const-bank variables stay in the module).
  LogicalResult layOutDataSegment() {
    uint64_t offset = 0, maxAlign = 16;
    std::string bytes;
    SmallVector<NamedAttribute> symbols, sizes, bank;
    for (auto global : module.getOps<GlobalOp>()) {
      if (global.getSpace() == AddressSpace::Shared)
        continue;
      if (bankVariables.contains(global.getSymName())) {
        bank.push_back(builder.getNamedAttr(
            global.getSymName(),
            builder.getI64IntegerAttr(global.getSizeInBytes())));
        continue;
      }
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
    SmallVector<NamedAttribute> fields = {
        builder.getNamedAttr("size", builder.getI64IntegerAttr(offset)),
        builder.getNamedAttr("alignment", builder.getI64IntegerAttr(maxAlign)),
        builder.getNamedAttr("symbols", builder.getDictionaryAttr(symbols)),
        builder.getNamedAttr("sizes", builder.getDictionaryAttr(sizes)),
        builder.getNamedAttr("init", builder.getStringAttr(bytes))};
    if (!bank.empty())
      fields.push_back(
          builder.getNamedAttr("const_bank", builder.getDictionaryAttr(bank)));
    module->setAttr(kDataSegmentAttr, builder.getDictionaryAttr(fields));
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
      // Only the kernel's own loads, stores and atomics may use the offset
      // form (they may fault in the guard); printf/assert pointers are read
      // by the runtime, which must never fault.
      bool compiledAccess = !isa<PrintfOp, AssertFailOp>(op);
      for (OpOperand *operand : accessedPointers(op))
        fenceOperand(*operand, arena, compiledAccess);
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

  /// The offset-guard form (see Passes.td): `a + o1 + ... + on` with
  /// bounded offsets becomes `ptradd(a', o1 + ... + on)`, where `a'` keeps
  /// `a` when it lies within `guard` of the arena and fences it otherwise.
  /// False when the address has no such offsets.
  bool fenceWithOffsets(OpOperand &operand, const ArenaValues &arena) {
    if (!guard)
      return false;
    Value ptr = operand.get();
    Location loc = ptr.getLoc();
    SmallVector<Value> offsets; // i64, or narrower ptradd offsets
    uint64_t budget = guard;
    auto take = [&](Value offset) {
      uint64_t bound = kUnbounded;
      unsigned width = offset.getType().getIntOrFloatBitWidth();
      if (width == 64)
        bound = offsetBound(offset);
      else if (width < 64)
        bound = uint64_t(1) << (width - 1); // sign-extended, as by GEP
      if (bound > budget)
        return false;
      offsets.push_back(offset);
      budget -= bound;
      return true;
    };
    // Pointer arithmetic (ptradd) first, then integer arithmetic (PTX
    // computes addresses in integer registers).
    Value pointer = ptr;
    while (auto add = pointer.getDefiningOp<PtrAddOp>()) {
      if (!take(add.getOffset()))
        break;
      pointer = add.getBase();
    }
    Value base;
    auto toPtr = pointer.getDefiningOp<IntToPtrOp>();
    if (toPtr && toPtr.getValue().getType().isInteger(64)) {
      base = toPtr.getValue();
      while (auto add = base.getDefiningOp<arith::AddIOp>()) {
        if (take(add.getRhs()))
          base = add.getLhs();
        else if (take(add.getLhs()))
          base = add.getRhs();
        else
          break;
      }
    }
    if (offsets.empty())
      return false;
    if (!base)
      base = PtrToIntOp::create(builder, loc, builder.getI64Type(), pointer);
    auto constant = [&](uint64_t v) {
      return arith::ConstantIntOp::create(builder, loc, static_cast<int64_t>(v),
                                          64);
    };
    // near = (base - (arena_base - guard)) <u (arena_mask + 1 + 2 * guard):
    // unsigned, so one compare covers both sides of the window.
    Value low = arith::SubIOp::create(builder, loc, arena.base, constant(guard));
    Value relative = arith::SubIOp::create(builder, loc, base, low);
    Value span = arith::AddIOp::create(builder, loc, arena.mask,
                                       constant(1 + 2 * guard));
    Value near = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                                       relative, span);
    Value kept = arith::SelectOp::create(builder, loc, near, base,
                                         fenceInteger(loc, base, arena));
    Value offset;
    for (Value o : offsets) {
      if (!o.getType().isInteger(64))
        o = arith::ExtSIOp::create(builder, loc, builder.getI64Type(), o);
      if (offset)
        offset = arith::AddIOp::create(builder, loc, offset, o);
      else
        offset = o;
    }
    Value start = IntToPtrOp::create(builder, loc, ptr.getType(), kept);
    operand.set(PtrAddOp::create(builder, loc, start, offset));
    return true;
  }

  void fenceOperand(OpOperand &operand, const ArenaValues &arena,
                    bool compiledAccess) {
    Value ptr = operand.get();
    auto type = cast<PtrType>(ptr.getType());
    AddressSpace space = type.getSpace();
    Location loc = ptr.getLoc();
    Type i64 = builder.getI64Type();
    if (space == AddressSpace::Const && bankRoot.count(ptr)) {
      // The module's constant bank (const-bank): no arena fence.
      clampToVariable(operand, bankRoot.lookup(ptr));
      return;
    }
    if (space == AddressSpace::Global || space == AddressSpace::Const) {
      if (compiledAccess && fenceWithOffsets(operand, arena))
        return;
      Value address = PtrToIntOp::create(builder, loc, i64, ptr);
      Value fenced = fenceInteger(loc, address, arena);
      operand.set(IntToPtrOp::create(builder, loc, type, fenced));
      return;
    }
    if (space == AddressSpace::Shared || space == AddressSpace::Local) {
      if (!confineWindows)
        return;
      if (!compiledAccess) {
        // The runtime reads printf/assert pointers and must never fault:
        // one outside its window reads the window's start instead.
        redirectToWindow(operand, space);
        return;
      }
      bool exempt = space == AddressSpace::Local ? rootedAtLocalSlot(ptr)
                                                 : sharedWithinGuard(ptr);
      if (!exempt)
        confineToWindow(operand, space);
      return;
    }
    if (space != AddressSpace::Generic)
      return; // param: read-only kernel arguments
    Value inShared = IsSpaceOp::create(builder, loc, ptr, AddressSpace::Shared);
    Value inLocal = IsSpaceOp::create(builder, loc, ptr, AddressSpace::Local);
    Value keep = arith::OrIOp::create(builder, loc, inShared, inLocal);
    Value address = PtrToIntOp::create(builder, loc, i64, ptr);
    Value fenced = fenceInteger(loc, address, arena);
    Value chosen = arith::SelectOp::create(builder, loc, keep, address, fenced);
    operand.set(IntToPtrOp::create(builder, loc, type, chosen));
  }

  /// A local slot plus offsets, possibly through block arguments (a pointer
  /// walking the slot in a loop): the host backend clamps these accesses
  /// into the slot itself (compiler/target/host/LocalMemory.cpp).
  static bool rootedAtLocalSlot(Value ptr) {
    SmallVector<Value> work{ptr};
    llvm::SmallPtrSet<void *, 8> seen;
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (!seen.insert(v.getAsOpaquePointer()).second)
        continue;
      if (v.getDefiningOp<LocalAllocaOp>())
        continue;
      if (auto add = v.getDefiningOp<PtrAddOp>()) {
        work.push_back(add.getBase());
        continue;
      }
      auto arg = dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner()->isEntryBlock())
        return false;
      for (auto it = arg.getOwner()->pred_begin(),
                end = arg.getOwner()->pred_end();
           it != end; ++it) {
        auto branch = dyn_cast<BranchOpInterface>((*it)->getTerminator());
        if (!branch)
          return false;
        SuccessorOperands operands =
            branch.getSuccessorOperands(it.getSuccessorIndex());
        Value incoming = operands[arg.getArgNumber()];
        if (!incoming)
          return false;
        work.push_back(incoming);
      }
    }
    return true;
  }

  /// A shared address the executor's guard already confines: the block's
  /// window start (a shared variable, the dynamic window, or a 32-bit
  /// shared address, which the host adds to the window start) plus offsets
  /// whose bounds sum to at most `guard` (the executor keeps `guard` bytes
  /// inaccessible on both sides of the window). These are the shared
  /// accesses nvcc's PTX makes, and they keep their thread loops free of
  /// checks.
  bool sharedWithinGuard(Value ptr) const {
    if (!guard)
      return false;
    uint64_t total = 0;
    while (auto add = ptr.getDefiningOp<PtrAddOp>()) {
      Value offset = add.getOffset();
      unsigned width = offset.getType().getIntOrFloatBitWidth();
      uint64_t bound = width == 64  ? offsetBound(offset)
                       : width < 64 ? uint64_t(1) << (width - 1)
                                    : kUnbounded;
      total = addBounds(total, bound);
      ptr = add.getBase();
    }
    if (ptr.getDefiningOp<DynamicSharedOp>() || ptr.getDefiningOp<AddressOfOp>())
      return total <= guard;
    if (auto toPtr = ptr.getDefiningOp<IntToPtrOp>()) {
      Value value = toPtr.getValue();
      unsigned width = value.getType().getIntOrFloatBitWidth();
      // Zero-extended onto the window start (HostTargetInfo::intToPointer).
      uint64_t bound = width < 64 ? (uint64_t(1) << width) - 1
                                  : offsetBound(value);
      return addBounds(total, bound) <= guard;
    }
    return false;
  }

  /// p stays when it lies in the thread's `space` window, else becomes
  /// address 16 (as a generic address): the access then faults, since
  /// Linux never maps the first page. Not 0: LLVM takes an access through
  /// null for undefined behaviour and would drop the select.
  void confineToWindow(OpOperand &operand, AddressSpace space) {
    Value ptr = operand.get();
    Location loc = ptr.getLoc();
    auto generic = PtrType::get(builder.getContext(), AddressSpace::Generic);
    Value asGeneric = CastSpaceOp::create(builder, loc, generic, ptr);
    Value inside = IsSpaceOp::create(builder, loc, asGeneric, space);
    Value unmapped = arith::ConstantIntOp::create(builder, loc, 16, 64);
    Value trap = IntToPtrOp::create(builder, loc, generic, unmapped);
    Value chosen = arith::SelectOp::create(builder, loc, inside, asGeneric, trap);
    operand.set(CastSpaceOp::create(builder, loc, ptr.getType(), chosen));
  }

  /// p stays when it lies in the thread's `space` window, else becomes the
  /// window's start (offset 0 of the space: readable).
  void redirectToWindow(OpOperand &operand, AddressSpace space) {
    Value ptr = operand.get();
    Location loc = ptr.getLoc();
    auto generic = PtrType::get(builder.getContext(), AddressSpace::Generic);
    Value asGeneric = CastSpaceOp::create(builder, loc, generic, ptr);
    Value inside = IsSpaceOp::create(builder, loc, asGeneric, space);
    Value zero = arith::ConstantIntOp::create(builder, loc, 0, 64);
    Value start = CastSpaceOp::create(
        builder, loc, generic, IntToPtrOp::create(builder, loc, ptr.getType(), zero));
    Value chosen = arith::SelectOp::create(builder, loc, inside, asGeneric, start);
    operand.set(CastSpaceOp::create(builder, loc, ptr.getType(), chosen));
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
  /// pointer becomes a global one (loads keep their meaning), except those
  /// into the constant bank (const-bank), which never cross a function or
  /// block boundary as pointers (onlyConstLoads).
  void retypeConstPointers() {
    MLIRContext *ctx = module.getContext();
    Type constPtr = PtrType::get(ctx, AddressSpace::Const);
    Type globalPtr = PtrType::get(ctx, AddressSpace::Global);
    auto retype = [&](Value v) {
      if (v.getType() == constPtr && !bankRoot.count(v) &&
          !bankValues.contains(v))
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
  uint64_t guard; // offset-guard: 0 for plain fencing
  bool confineWindows; // check shared/local accesses against their windows
  bool constBank;      // keep load-only const variables in the module
  llvm::StringSet<> bankVariables;
  llvm::DenseMap<Value, GlobalOp> bankRoot; // derived value -> its variable
  llvm::DenseSet<Value> bankValues; // const pointers the retyping must keep
  llvm::StringMap<uint64_t> offsets;
  SmallVector<GlobalOp> segmentGlobals;
};

struct FenceAddressesPass
    : public wooly::impl::WoolyFenceAddressesBase<FenceAddressesPass> {
  using WoolyFenceAddressesBase::WoolyFenceAddressesBase;
  void runOnOperation() override {
    // Offsets are bounded by at most 2^62 (constants are exact): keep the
    // window arithmetic (1 + 2 * guard) in range.
    if (offsetGuard > (uint64_t(1) << 40)) {
      getOperation().emitError("offset-guard is at most 2^40 bytes");
      return signalPassFailure();
    }
    if (failed(Fencer(getOperation(), offsetGuard, confineWindows, constBank)
                   .run()))
      signalPassFailure();
  }
};

} // namespace
