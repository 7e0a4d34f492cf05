//===- FunctionPatterns.cpp - Kernels, functions, calls, variables --------===//
//
// Kernels and device functions become llvm.func with the target's hidden
// parameters first; module-scope variables become LLVM globals or, where the
// target keeps them elsewhere (the host's per-block shared buffer), addresses
// computed by the TargetInfo. Ops that need the hardware go to the hooks.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/common/PatternHelpers.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace wooly::detail {
namespace {

/// The LLVM result type of a WIS function type: void, the single result, or
/// a struct of all results.
Type loweredResultType(const LLVMTypeConverter &converter, FunctionType type) {
  MLIRContext *context = type.getContext();
  if (type.getNumResults() == 0)
    return LLVM::LLVMVoidType::get(context);
  SmallVector<Type> results;
  for (Type t : type.getResults())
    results.push_back(converter.convertType(t));
  if (results.size() == 1)
    return results.front();
  return LLVM::LLVMStructType::getLiteral(context, results);
}

template <typename FuncLikeOp>
struct FunctionLowering : ConvertOpToLLVMPattern<FuncLikeOp> {
  FunctionLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern<FuncLikeOp>(converter), target(target) {}

  LogicalResult
  matchAndRewrite(FuncLikeOp op, typename FuncLikeOp::Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MLIRContext *context = op.getContext();
    const LLVMTypeConverter &converter = *this->getTypeConverter();
    FunctionType type = op.getFunctionType();
    TypeConverter::SignatureConversion signature(type.getNumInputs());
    signature.addInputs(target.hiddenParamTypes(context));
    for (auto [i, input] : llvm::enumerate(type.getInputs())) {
      Type converted = converter.convertType(input);
      if (!converted)
        return rewriter.notifyMatchFailure(op, "unsupported parameter type");
      signature.addInputs(i, converted);
    }
    auto llvmType = LLVM::LLVMFunctionType::get(
        loweredResultType(converter, type), signature.getConvertedTypes());
    bool isKernel = std::is_same_v<FuncLikeOp, KernelOp>;
    auto linkage = isKernel ? LLVM::Linkage::External : LLVM::Linkage::Internal;
    auto lowered = LLVM::LLVMFuncOp::create(rewriter, op.getLoc(),
                                            op.getSymName(), llvmType, linkage);
    unsigned hiddenCount = signature.getConvertedTypes().size() -
                           type.getNumInputs();
    // Keep the byval size/alignment of aggregate parameters for the runtime.
    if (ArrayAttr argAttrs = op.getArgAttrsAttr()) {
      for (auto [i, attrs] : llvm::enumerate(argAttrs)) {
        for (NamedAttribute attr : cast<DictionaryAttr>(attrs))
          if (attr.getName().strref().starts_with("wooly."))
            lowered.setArgAttr(hiddenCount + i, attr.getName(),
                               attr.getValue());
      }
    }
    if (isKernel)
      lowered->setAttr("wooly.kernel", UnitAttr::get(context));
    rewriter.inlineRegionBefore(op.getBody(), lowered.getBody(), lowered.end());
    if (!lowered.getBody().empty() &&
        failed(rewriter.convertRegionTypes(&lowered.getBody(), converter,
                                           &signature)))
      return failure();
    if constexpr (std::is_same_v<FuncLikeOp, KernelOp>)
      target.annotateKernel(op, lowered);
    else if (op.isDeclaration())
      lowered.setLinkage(LLVM::Linkage::External);
    rewriter.eraseOp(op);
    return success();
  }

  const TargetInfo &target;
};

struct ReturnLowering : ConvertOpToLLVMPattern<ReturnOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(ReturnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange values = adaptor.getOperands();
    if (values.size() <= 1) {
      rewriter.replaceOpWithNewOp<LLVM::ReturnOp>(op, values);
      return success();
    }
    SmallVector<Type> types;
    for (Value v : values)
      types.push_back(v.getType());
    auto structType = LLVM::LLVMStructType::getLiteral(op.getContext(), types);
    Value packed = LLVM::PoisonOp::create(rewriter, op.getLoc(), structType);
    for (auto [i, v] : llvm::enumerate(values))
      packed = LLVM::InsertValueOp::create(rewriter, op.getLoc(), packed, v, i);
    rewriter.replaceOpWithNewOp<LLVM::ReturnOp>(op, packed);
    return success();
  }
};

struct CallLowering : ConvertOpToLLVMPattern<CallOp> {
  CallLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(CallOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> operands(hiddenArgs(op, target));
    llvm::append_range(operands, adaptor.getOperands());
    FunctionType type = op.getCalleeType();
    Type resultType = loweredResultType(*getTypeConverter(), type);
    SmallVector<Type> argTypes;
    for (Value v : operands)
      argTypes.push_back(v.getType());
    auto fnType = LLVM::LLVMFunctionType::get(resultType, argTypes);
    auto call = LLVM::CallOp::create(rewriter, op.getLoc(), fnType,
                                     op.getCalleeAttr(), operands);
    if (type.getNumResults() <= 1) {
      rewriter.replaceOp(op, call->getResults());
      return success();
    }
    SmallVector<Value> results;
    for (unsigned i = 0; i < type.getNumResults(); ++i)
      results.push_back(LLVM::ExtractValueOp::create(rewriter, op.getLoc(),
                                                     call.getResult(), i));
    rewriter.replaceOp(op, results);
    return success();
  }
  const TargetInfo &target;
};

/// `exit` in a kernel is a return; in a device function the target ends the
/// thread.
struct ExitLowering : ConvertOpToLLVMPattern<ExitOp> {
  ExitLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(ExitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto func = op->getParentOfType<LLVM::LLVMFuncOp>();
    if (func && func->hasAttr("wooly.kernel")) {
      rewriter.replaceOpWithNewOp<LLVM::ReturnOp>(op, ValueRange{});
      return success();
    }
    return target.lowerControl(op, adaptor.getOperands(),
                               hiddenArgs(op, target), rewriter);
  }
  const TargetInfo &target;
};

struct GlobalLowering : ConvertOpToLLVMPattern<GlobalOp> {
  GlobalLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(GlobalOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    AddressSpace space = op.getSpace();
    if (!target.variablesAsGlobals(space)) {
      rewriter.eraseOp(op);
      return success();
    }
    Type element = getTypeConverter()->convertType(op.getElementType());
    Attribute value;
    if (std::optional<Attribute> init = op.getInitializer()) {
      if (auto dense = dyn_cast<DenseElementsAttr>(*init)) {
        auto shape = RankedTensorType::get(
            {static_cast<int64_t>(op.getCount())}, op.getElementType());
        value = dense.isSplat()
                    ? DenseElementsAttr::get(shape,
                                             dense.getSplatValue<Attribute>())
                    : dense.reshape(shape);
        if (element != op.getElementType())
          value = {}; // not representable: leave zero-initialised below
      } else if (auto bytes = dyn_cast<StringAttr>(*init)) {
        element = rewriter.getI8Type();
        value = bytes;
      }
    }
    uint64_t count = op.getCount();
    if (isa_and_nonnull<StringAttr>(value))
      count = cast<StringAttr>(value).size();
    auto arrayType = LLVM::LLVMArrayType::get(element, count);
    bool external = op.getIsExtern() && space == AddressSpace::Shared;
    if (!value && !external && space != AddressSpace::Shared)
      value = rewriter.getZeroAttr(RankedTensorType::get(
          {static_cast<int64_t>(count)}, element));
    auto linkage = external ? LLVM::Linkage::External : LLVM::Linkage::Internal;
    auto global = LLVM::GlobalOp::create(
        rewriter, op.getLoc(), arrayType, space == AddressSpace::Const,
        linkage, op.getSymName(), value, op.getAlignment(),
        target.addressSpace(space));
    if (space == AddressSpace::Shared && !external)
      global.setLinkage(LLVM::Linkage::Internal);
    rewriter.replaceOp(op, global);
    return success();
  }
  const TargetInfo &target;
};

struct AddressOfLowering : ConvertOpToLLVMPattern<AddressOfOp> {
  AddressOfLowering(LLVMTypeConverter &converter, const TargetInfo &target,
                    const VariableLayout &layout)
      : ConvertOpToLLVMPattern(converter), target(target), layout(layout) {}
  LogicalResult
  matchAndRewrite(AddressOfOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    StringRef name = op.getGlobalName();
    auto space = layout.spaces.find(name);
    if (space == layout.spaces.end())
      return rewriter.notifyMatchFailure(op, "unknown variable");
    FailureOr<Value> address =
        target.variableAddress(rewriter, op.getLoc(), name, space->second,
                               layout.offsets.lookup(name),
                               hiddenArgs(op, target));
    if (failed(address))
      return failure();
    Value result = *address;
    // addressof yields the variable's own space or generic.
    Type wanted = getTypeConverter()->convertType(op.getType());
    if (result.getType() != wanted)
      result = LLVM::AddrSpaceCastOp::create(rewriter, op.getLoc(), wanted,
                                             result);
    rewriter.replaceOp(op, result);
    return success();
  }
  const TargetInfo &target;
  const VariableLayout &layout;
};

/// Ops whose lowering is entirely the target's: one pattern per op type,
/// dispatching to the hook of its family.
enum class Family { Geometry, Synchronization, Warp, Control };

template <typename OpTy, Family family>
struct TargetHookLowering : ConvertOpToLLVMPattern<OpTy> {
  TargetHookLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern<OpTy>(converter), target(target) {}
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange operands = adaptor.getOperands();
    ValueRange hidden = hiddenArgs(op, target);
    LogicalResult result = failure();
    switch (family) {
    case Family::Geometry:
      result = target.lowerGeometry(op, operands, hidden, rewriter);
      break;
    case Family::Synchronization:
      result = target.lowerSynchronization(op, operands, hidden, rewriter);
      break;
    case Family::Warp:
      result = target.lowerWarpCollective(op, operands, hidden, rewriter);
      break;
    case Family::Control:
      result = target.lowerControl(op, operands, hidden, rewriter);
      break;
    }
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "not supported on this target");
    return success();
  }
  const TargetInfo &target;
};

struct LocalAllocaLowering : ConvertOpToLLVMPattern<LocalAllocaOp> {
  LocalAllocaLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(LocalAllocaOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Allocas go to the entry block so they are static stack slots.
    auto func = op->getParentOfType<LLVM::LLVMFuncOp>();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&func.getBody().front());
    Location loc = op.getLoc();
    Value size = intConstant(rewriter, loc, rewriter.getI64Type(),
                             static_cast<int64_t>(op.getSize()));
    unsigned space = target.addressSpace(AddressSpace::Local);
    auto ptrType = LLVM::LLVMPointerType::get(op.getContext(), space);
    Value slot = LLVM::AllocaOp::create(rewriter, loc, ptrType,
                                        rewriter.getI8Type(), size,
                                        op.getAlignment());
    Type wanted = getTypeConverter()->convertType(op.getType());
    if (wanted != ptrType)
      slot = LLVM::AddrSpaceCastOp::create(rewriter, loc, wanted, slot);
    rewriter.replaceOp(op, slot);
    return success();
  }
  const TargetInfo &target;
};

} // namespace

ValueRange hiddenArgs(Operation *op, const TargetInfo &target) {
  auto func = op->getParentOfType<LLVM::LLVMFuncOp>();
  if (!func || func.getBody().empty())
    return {};
  size_t count = target.hiddenParamTypes(op->getContext()).size();
  return func.getBody().front().getArguments().take_front(count);
}

void populateFunctionPatterns(LLVMTypeConverter &converter,
                              RewritePatternSet &patterns,
                              const TargetInfo &target,
                              const VariableLayout &layout) {
  patterns.add<FunctionLowering<KernelOp>, FunctionLowering<FuncOp>,
               CallLowering, ExitLowering, GlobalLowering,
               LocalAllocaLowering>(converter, target);
  patterns.add<ReturnLowering>(converter);
  patterns.add<AddressOfLowering>(converter, target, layout);
  patterns.add<
      TargetHookLowering<ThreadIdOp, Family::Geometry>,
      TargetHookLowering<BlockDimOp, Family::Geometry>,
      TargetHookLowering<BlockIdOp, Family::Geometry>,
      TargetHookLowering<GridDimOp, Family::Geometry>,
      TargetHookLowering<LaneIdOp, Family::Geometry>,
      TargetHookLowering<LaneMaskOp, Family::Geometry>,
      TargetHookLowering<DynamicSharedOp, Family::Geometry>,
      TargetHookLowering<DynamicSharedSizeOp, Family::Geometry>,
      TargetHookLowering<HardwareRegOp, Family::Geometry>,
      TargetHookLowering<ClockOp, Family::Geometry>,
      TargetHookLowering<GlobalTimerOp, Family::Geometry>,
      TargetHookLowering<IsSpaceOp, Family::Geometry>,
      TargetHookLowering<BarrierOp, Family::Synchronization>,
      TargetHookLowering<BarrierReduceOp, Family::Synchronization>,
      TargetHookLowering<WarpSyncOp, Family::Synchronization>,
      TargetHookLowering<ShuffleOp, Family::Warp>,
      TargetHookLowering<VoteOp, Family::Warp>,
      TargetHookLowering<MatchOp, Family::Warp>,
      TargetHookLowering<ReduxOp, Family::Warp>,
      TargetHookLowering<ActiveMaskOp, Family::Warp>,
      TargetHookLowering<TrapOp, Family::Control>,
      TargetHookLowering<AssertFailOp, Family::Control>,
      TargetHookLowering<PrintfOp, Family::Control>,
      TargetHookLowering<BreakpointOp, Family::Control>>(converter, target);
}

} // namespace wooly::detail
