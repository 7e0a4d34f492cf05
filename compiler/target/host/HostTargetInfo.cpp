//===- HostTargetInfo.cpp - The host CPU as a WIS target ------------------===//

#include "compiler/target/host/HostTargetInfo.h"
#include "compiler/target/host/HostABI.h"

#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace wooly::host {
namespace {

Type ptrType(MLIRContext *context) {
  return LLVM::LLVMPointerType::get(context);
}

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return LLVM::ConstantOp::create(b, loc, b.getI32Type(), b.getI32IntegerAttr(v));
}

Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return LLVM::ConstantOp::create(b, loc, b.getI64Type(), b.getI64IntegerAttr(v));
}

Value fieldAddress(OpBuilder &b, Location loc, Value ctx, unsigned offset) {
  return LLVM::GEPOp::create(b, loc, ptrType(b.getContext()), b.getI8Type(),
                             ctx, ArrayRef<LLVM::GEPArg>{int32_t(offset)},
                             LLVM::GEPNoWrapFlags::inbounds);
}

Value loadField(OpBuilder &b, Location loc, Value ctx, unsigned offset,
                Type type) {
  // Context fields never change while a thread runs.
  return LLVM::LoadOp::create(b, loc, type, fieldAddress(b, loc, ctx, offset),
                              /*alignment=*/4, false, false,
                              /*isInvariant=*/false);
}

/// Calls the runtime function `name`, declaring it on first use.
Value callRuntime(OpBuilder &b, Location loc, Operation *anchor, StringRef name,
                  Type result, ValueRange args) {
  auto module = anchor->getParentOfType<ModuleOp>();
  MLIRContext *context = b.getContext();
  SmallVector<Type> argTypes;
  for (Value v : args)
    argTypes.push_back(v.getType());
  Type resultType = result ? result : LLVM::LLVMVoidType::get(context);
  auto fnType = LLVM::LLVMFunctionType::get(resultType, argTypes);
  if (!SymbolTable::lookupSymbolIn(module, name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    LLVM::LLVMFuncOp::create(b, loc, name, fnType);
  }
  auto call = LLVM::CallOp::create(b, loc, fnType,
                                   FlatSymbolRefAttr::get(context, name), args);
  return result ? call.getResult() : Value();
}

/// PTX's linear thread index in the block: x + ntid.x * (y + ntid.y * z).
Value linearThreadId(OpBuilder &b, Location loc, Value ctx) {
  Type i32 = b.getI32Type();
  Value x = loadField(b, loc, ctx, offsets::tid, i32);
  Value y = loadField(b, loc, ctx, offsets::tid + 4, i32);
  Value z = loadField(b, loc, ctx, offsets::tid + 8, i32);
  Value nx = loadField(b, loc, ctx, offsets::ntid, i32);
  Value ny = loadField(b, loc, ctx, offsets::ntid + 4, i32);
  Value yz = LLVM::AddOp::create(b, loc, y, LLVM::MulOp::create(b, loc, ny, z));
  return LLVM::AddOp::create(b, loc, x, LLVM::MulOp::create(b, loc, nx, yz));
}

/// Ends the current function after a thread-ending runtime call: fibers never
/// come back from those calls; block loops return and check the cancel flag.
void returnFromFunction(ConversionPatternRewriter &rewriter, Operation *op) {
  auto func = op->getParentOfType<LLVM::LLVMFuncOp>();
  Type result = func.getFunctionType().getReturnType();
  if (isa<LLVM::LLVMVoidType>(result)) {
    rewriter.replaceOpWithNewOp<LLVM::ReturnOp>(op, ValueRange{});
    return;
  }
  Value poison = LLVM::PoisonOp::create(rewriter, op->getLoc(), result);
  rewriter.replaceOpWithNewOp<LLVM::ReturnOp>(op, poison);
}

Value toI32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isInteger(32))
    return v;
  return LLVM::ZExtOp::create(b, loc, b.getI32Type(), v);
}

/// Division that cannot trap: PTX gives an unspecified value for x/0 and
/// wraps INT_MIN/-1, while x86 raises SIGFPE for both.
template <typename ArithOp, typename LLVMOp, bool isSigned>
struct SafeDivision : ConvertOpToLLVMPattern<ArithOp> {
  SafeDivision(LLVMTypeConverter &converter)
      : ConvertOpToLLVMPattern<ArithOp>(converter, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(ArithOp op, typename ArithOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!type.isIntOrIndex() || isa<IndexType>(type))
      return failure();
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    Value zero = LLVM::ConstantOp::create(rewriter, loc, type,
                                          rewriter.getIntegerAttr(type, 0));
    Value one = LLVM::ConstantOp::create(rewriter, loc, type,
                                         rewriter.getIntegerAttr(type, 1));
    Value bad = LLVM::ICmpOp::create(rewriter, loc, LLVM::ICmpPredicate::eq,
                                     rhs, zero);
    if (isSigned) {
      unsigned bits = type.getIntOrFloatBitWidth();
      Value minusOne = LLVM::ConstantOp::create(
          rewriter, loc, type, rewriter.getIntegerAttr(type, -1));
      Value minInt = LLVM::ConstantOp::create(
          rewriter, loc, type,
          rewriter.getIntegerAttr(type, llvm::APInt::getSignedMinValue(bits)));
      Value overflow = LLVM::AndOp::create(
          rewriter, loc,
          LLVM::ICmpOp::create(rewriter, loc, LLVM::ICmpPredicate::eq, rhs,
                               minusOne),
          LLVM::ICmpOp::create(rewriter, loc, LLVM::ICmpPredicate::eq, lhs,
                               minInt));
      // INT_MIN / 1 = INT_MIN (the wrapped answer), INT_MIN % 1 = 0.
      bad = LLVM::OrOp::create(rewriter, loc, bad, overflow);
    }
    Value divisor = LLVM::SelectOp::create(rewriter, loc, bad, one, rhs);
    rewriter.replaceOpWithNewOp<LLVMOp>(op, type, lhs, divisor);
    return success();
  }
};

StringRef typeSuffix(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isInteger(32))
    return "i32";
  if (type.isInteger(64))
    return "i64";
  return "";
}

} // namespace

SmallVector<Type> HostTargetInfo::hiddenParamTypes(MLIRContext *context) const {
  return {ptrType(context)};
}

FailureOr<Value> HostTargetInfo::variableAddress(OpBuilder &b, Location loc,
                                                 StringRef, AddressSpace space,
                                                 uint64_t offset,
                                                 ValueRange hidden) const {
  Value ctx = hidden[0];
  unsigned field =
      space == AddressSpace::Shared ? offsets::shared : offsets::globals;
  Value base = loadField(b, loc, ctx, field, ptrType(b.getContext()));
  return LLVM::GEPOp::create(b, loc, ptrType(b.getContext()), b.getI8Type(),
                             base, ArrayRef<LLVM::GEPArg>{int64_t(offset)})
      .getResult();
}

/// Shared and local pointers are host addresses; as integers they are
/// offsets into the block's shared window / the thread's stack, as PTX's
/// 32-bit `.shared` / `.local` addresses are.
static std::optional<unsigned> windowField(AddressSpace space) {
  if (space == AddressSpace::Shared)
    return offsets::shared;
  if (space == AddressSpace::Local)
    return offsets::localLow;
  return std::nullopt;
}

Value HostTargetInfo::pointerToInt(OpBuilder &b, Location loc, Value ptr,
                                   AddressSpace space, Type intType,
                                   ValueRange hidden) const {
  Value wide = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), ptr);
  if (auto field = windowField(space)) {
    Value base = LLVM::PtrToIntOp::create(
        b, loc, b.getI64Type(),
        loadField(b, loc, hidden[0], *field, ptrType(b.getContext())));
    wide = LLVM::SubOp::create(b, loc, wide, base);
  }
  if (intType.getIntOrFloatBitWidth() < 64)
    wide = LLVM::TruncOp::create(b, loc, intType, wide);
  return wide;
}

Value HostTargetInfo::intToPointer(OpBuilder &b, Location loc, Value value,
                                   AddressSpace space, Type type,
                                   ValueRange hidden) const {
  if (value.getType().getIntOrFloatBitWidth() < 64)
    value = LLVM::ZExtOp::create(b, loc, b.getI64Type(), value);
  if (auto field = windowField(space)) {
    Value base = loadField(b, loc, hidden[0], *field, ptrType(b.getContext()));
    if (space == AddressSpace::Local) {
      // A local address made from an integer is no slot the compiler can
      // confine: keep it within the local area (an access running past its
      // end meets the guard page), never in some stack.
      Value high = LLVM::PtrToIntOp::create(
          b, loc, b.getI64Type(),
          loadField(b, loc, hidden[0], offsets::localHigh,
                    ptrType(b.getContext())));
      Value size = LLVM::SubOp::create(
          b, loc, high, LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), base));
      value = LLVM::UMinOp::create(b, loc, value, size);
    }
    return LLVM::GEPOp::create(b, loc, type, b.getI8Type(), base,
                               ValueRange{value});
  }
  return LLVM::IntToPtrOp::create(b, loc, type, value);
}

LogicalResult HostTargetInfo::lowerGeometry(Operation *op, ValueRange operands,
                                            ValueRange hidden,
                                            ConversionPatternRewriter &b) const {
  Location loc = op->getLoc();
  Value ctx = hidden[0];
  Type i32 = b.getI32Type();
  auto dimField = [&](unsigned base, Dim dim) {
    return loadField(b, loc, ctx, base + 4 * static_cast<unsigned>(dim), i32);
  };
  Value result;
  if (auto o = dyn_cast<ThreadIdOp>(op))
    result = dimField(offsets::tid, o.getDim());
  else if (auto o = dyn_cast<BlockDimOp>(op))
    result = dimField(offsets::ntid, o.getDim());
  else if (auto o = dyn_cast<BlockIdOp>(op))
    result = dimField(offsets::ctaid, o.getDim());
  else if (auto o = dyn_cast<GridDimOp>(op))
    result = dimField(offsets::nctaid, o.getDim());
  else if (isa<LaneIdOp>(op))
    result = LLVM::AndOp::create(b, loc, linearThreadId(b, loc, ctx),
                                 i32Const(b, loc, 31));
  else if (auto o = dyn_cast<LaneMaskOp>(op)) {
    Value lane = LLVM::AndOp::create(b, loc, linearThreadId(b, loc, ctx),
                                     i32Const(b, loc, 31));
    Value eq = LLVM::ShlOp::create(b, loc, i32Const(b, loc, 1), lane);
    Value lt = LLVM::SubOp::create(b, loc, eq, i32Const(b, loc, 1));
    Value le = LLVM::OrOp::create(b, loc, lt, eq);
    Value ones = i32Const(b, loc, -1);
    switch (o.getKind()) {
    case LaneMask::EQ:
      result = eq;
      break;
    case LaneMask::LT:
      result = lt;
      break;
    case LaneMask::LE:
      result = le;
      break;
    case LaneMask::GT:
      result = LLVM::XOrOp::create(b, loc, le, ones);
      break;
    case LaneMask::GE:
      result = LLVM::XOrOp::create(b, loc, lt, ones);
      break;
    }
  } else if (isa<DynamicSharedOp>(op)) {
    Value base = loadField(b, loc, ctx, offsets::shared, ptrType(b.getContext()));
    result = LLVM::GEPOp::create(
        b, loc, ptrType(b.getContext()), b.getI8Type(), base,
        ArrayRef<LLVM::GEPArg>{int64_t(layout.dynamicSharedOffset)});
  } else if (isa<DynamicSharedSizeOp>(op))
    result = loadField(b, loc, ctx, offsets::dynamicSharedBytes, i32);
  else if (auto o = dyn_cast<HardwareRegOp>(op)) {
    Value v = callRuntime(b, loc, op, "__wooly_hw_reg", i32,
                          {ctx, i32Const(b, loc, static_cast<int>(o.getReg()))});
    Type want = o.getType();
    if (want.getIntOrFloatBitWidth() > 32)
      v = LLVM::ZExtOp::create(b, loc, want, v);
    else if (want.getIntOrFloatBitWidth() < 32)
      v = LLVM::TruncOp::create(b, loc, want, v);
    result = v;
  } else if (auto o = dyn_cast<ClockOp>(op)) {
    Value v = callRuntime(b, loc, op, "__wooly_clock64", b.getI64Type(), {ctx});
    result = o.getType().isInteger(32) ? LLVM::TruncOp::create(b, loc, i32, v)
                                       : v;
  } else if (isa<GlobalTimerOp>(op))
    result = callRuntime(b, loc, op, "__wooly_global_timer", b.getI64Type(),
                         {ctx});
  else if (auto o = dyn_cast<IsSpaceOp>(op)) {
    Value address = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), operands[0]);
    auto within = [&](unsigned lowField, Value high) {
      Value low = LLVM::PtrToIntOp::create(
          b, loc, b.getI64Type(),
          loadField(b, loc, ctx, lowField, ptrType(b.getContext())));
      Value offset = LLVM::SubOp::create(b, loc, address, low);
      Value size = LLVM::SubOp::create(b, loc, high, low);
      return LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, offset, size)
          .getResult();
    };
    switch (o.getSpace()) {
    case AddressSpace::Shared: {
      Value low = LLVM::PtrToIntOp::create(
          b, loc, b.getI64Type(),
          loadField(b, loc, ctx, offsets::shared, ptrType(b.getContext())));
      Value size = loadField(b, loc, ctx, offsets::sharedBytes, b.getI64Type());
      result = within(offsets::shared, LLVM::AddOp::create(b, loc, low, size));
      break;
    }
    case AddressSpace::Local:
      result = within(offsets::localLow,
                      LLVM::PtrToIntOp::create(
                          b, loc, b.getI64Type(),
                          loadField(b, loc, ctx, offsets::localHigh,
                                    ptrType(b.getContext()))));
      break;
    default: {
      // Global/const/param: anything that is neither shared nor local.
      Value low = LLVM::PtrToIntOp::create(
          b, loc, b.getI64Type(),
          loadField(b, loc, ctx, offsets::shared, ptrType(b.getContext())));
      Value size = loadField(b, loc, ctx, offsets::sharedBytes, b.getI64Type());
      Value inShared =
          within(offsets::shared, LLVM::AddOp::create(b, loc, low, size));
      Value inLocal = within(
          offsets::localLow,
          LLVM::PtrToIntOp::create(b, loc, b.getI64Type(),
                                   loadField(b, loc, ctx, offsets::localHigh,
                                             ptrType(b.getContext()))));
      Value either = LLVM::OrOp::create(b, loc, inShared, inLocal);
      result = LLVM::XOrOp::create(
          b, loc, either,
          LLVM::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(true)));
    }
    }
  } else
    return failure();
  b.replaceOp(op, result);
  return success();
}

LogicalResult
HostTargetInfo::lowerSynchronization(Operation *op, ValueRange operands,
                                     ValueRange hidden,
                                     ConversionPatternRewriter &b) const {
  Location loc = op->getLoc();
  Value ctx = hidden[0];
  Type i32 = b.getI32Type();
  if (auto o = dyn_cast<BarrierOp>(op)) {
    Value count = o.getCount() ? operands[0] : i32Const(b, loc, 0);
    callRuntime(b, loc, op, o.getArrive() ? "__wooly_barrier_arrive"
                                          : "__wooly_barrier",
                Type(), {ctx, i32Const(b, loc, o.getId()), count});
    b.eraseOp(op);
    return success();
  }
  if (auto o = dyn_cast<BarrierReduceOp>(op)) {
    Value predicate = toI32(b, loc, operands[0]);
    Value count = o.getCount() ? operands[1] : i32Const(b, loc, 0);
    Value v = callRuntime(
        b, loc, op, "__wooly_barrier_reduce", i32,
        {ctx, i32Const(b, loc, static_cast<int>(o.getKind())), predicate,
         i32Const(b, loc, o.getId()), count});
    if (o.getType().isInteger(1))
      v = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, v,
                               i32Const(b, loc, 0));
    b.replaceOp(op, v);
    return success();
  }
  if (isa<WarpSyncOp>(op)) {
    callRuntime(b, loc, op, "__wooly_warp_sync", Type(), {ctx, operands[0]});
    b.eraseOp(op);
    return success();
  }
  return failure();
}

LogicalResult
HostTargetInfo::lowerWarpCollective(Operation *op, ValueRange operands,
                                    ValueRange hidden,
                                    ConversionPatternRewriter &b) const {
  Location loc = op->getLoc();
  Value ctx = hidden[0];
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto low32 = [&](Value v) { return LLVM::TruncOp::create(b, loc, i32, v); };
  auto bit32 = [&](Value v) {
    Value shifted = LLVM::LShrOp::create(b, loc, v, i64Const(b, loc, 32));
    return LLVM::TruncOp::create(b, loc, b.getI1Type(), shifted);
  };
  if (auto o = dyn_cast<ShuffleOp>(op)) {
    Value packed = callRuntime(
        b, loc, op, "__wooly_shuffle", i64,
        {ctx, i32Const(b, loc, static_cast<int>(o.getMode())), operands[0],
         operands[1], operands[2], operands[3]});
    b.replaceOp(op, ValueRange{low32(packed), bit32(packed)});
    return success();
  }
  if (auto o = dyn_cast<VoteOp>(op)) {
    Value v = callRuntime(b, loc, op, "__wooly_vote", i32,
                          {ctx, i32Const(b, loc, static_cast<int>(o.getMode())),
                           toI32(b, loc, operands[0]), operands[1]});
    if (o.getType().isInteger(1))
      v = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, v,
                               i32Const(b, loc, 0));
    b.replaceOp(op, v);
    return success();
  }
  if (auto o = dyn_cast<MatchOp>(op)) {
    Value value = operands[0];
    if (!value.getType().isInteger(64))
      value = LLVM::ZExtOp::create(b, loc, i64, value);
    Value packed = callRuntime(
        b, loc, op, "__wooly_match", i64,
        {ctx, i32Const(b, loc, static_cast<int>(o.getMode())), value,
         operands[1]});
    b.replaceOp(op, ValueRange{low32(packed), bit32(packed)});
    return success();
  }
  if (auto o = dyn_cast<ReduxOp>(op)) {
    Value v = callRuntime(b, loc, op, "__wooly_redux", i32,
                          {ctx, i32Const(b, loc, static_cast<int>(o.getKind())),
                           operands[0], operands[1]});
    b.replaceOp(op, v);
    return success();
  }
  if (isa<ActiveMaskOp>(op)) {
    b.replaceOp(op, callRuntime(b, loc, op, "__wooly_active_mask", i32, {ctx}));
    return success();
  }
  return failure();
}

LogicalResult HostTargetInfo::lowerControl(Operation *op, ValueRange operands,
                                           ValueRange hidden,
                                           ConversionPatternRewriter &b) const {
  Location loc = op->getLoc();
  Value ctx = hidden[0];
  if (isa<TrapOp>(op)) {
    callRuntime(b, loc, op, "__wooly_trap", Type(), {ctx});
    returnFromFunction(b, op);
    return success();
  }
  if (isa<ExitOp>(op)) {
    callRuntime(b, loc, op, "__wooly_exit", Type(), {ctx});
    returnFromFunction(b, op);
    return success();
  }
  if (isa<AssertFailOp>(op)) {
    callRuntime(b, loc, op, "__wooly_assert_fail", Type(),
                {ctx, operands[0], operands[1], operands[2], operands[3]});
    b.eraseOp(op);
    return success();
  }
  if (isa<PrintfOp>(op)) {
    b.replaceOp(op, callRuntime(b, loc, op, "__wooly_printf", b.getI32Type(),
                                {ctx, operands[0], operands[1]}));
    return success();
  }
  if (isa<BreakpointOp>(op)) {
    b.eraseOp(op); // no debugger attached to JIT code
    return success();
  }
  return failure();
}

FailureOr<Value> HostTargetInfo::lowerDirectedRounding(
    OpBuilder &b, Location loc, StringRef what, Rounding rounding,
    ValueRange operands, Type resultType, ValueRange hidden) const {
  // The runtime switches the FPU rounding mode around the one operation.
  std::string name = ("__wooly_fpr_" + what).str();
  if (what == "sitofp" || what == "uitofp" || what == "fptrunc") {
    StringRef from = typeSuffix(operands[0].getType());
    if (from.empty())
      return failure();
    name += ("_" + from).str();
  }
  StringRef to = typeSuffix(resultType);
  if (to.empty() || to.starts_with("i"))
    return failure();
  name += ("_" + to).str();
  SmallVector<Value> args{i32Const(b, loc, static_cast<int>(rounding))};
  llvm::append_range(args, operands);
  Operation *anchor = b.getInsertionBlock()->getParentOp();
  return callRuntime(b, loc, anchor, name, resultType, args);
}

void HostTargetInfo::populateMathPatterns(LLVMTypeConverter &converter,
                                          RewritePatternSet &patterns) const {
  populateMathToLLVMConversionPatterns(converter, patterns);
  patterns.add<SafeDivision<arith::DivSIOp, LLVM::SDivOp, true>,
               SafeDivision<arith::RemSIOp, LLVM::SRemOp, true>,
               SafeDivision<arith::DivUIOp, LLVM::UDivOp, false>,
               SafeDivision<arith::RemUIOp, LLVM::URemOp, false>>(converter);
}

} // namespace wooly::host
