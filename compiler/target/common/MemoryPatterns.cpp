//===- MemoryPatterns.cpp - Pointers, loads, stores, atomics, fences ------===//

#include "compiler/target/common/PatternHelpers.h"

using namespace mlir;

namespace wooly::detail {

LLVM::AtomicOrdering toLLVMOrdering(MemOrder order) {
  switch (order) {
  case MemOrder::Weak:
    return LLVM::AtomicOrdering::not_atomic;
  case MemOrder::Relaxed:
    return LLVM::AtomicOrdering::monotonic;
  case MemOrder::Acquire:
    return LLVM::AtomicOrdering::acquire;
  case MemOrder::Release:
    return LLVM::AtomicOrdering::release;
  case MemOrder::AcqRel:
    return LLVM::AtomicOrdering::acq_rel;
  case MemOrder::SeqCst:
    return LLVM::AtomicOrdering::seq_cst;
  }
  return LLVM::AtomicOrdering::seq_cst;
}

namespace {

StringRef syncScopeAttr(MLIRContext *context, const TargetInfo &target,
                        MemScope scope) {
  std::string name = target.syncScope(scope);
  return name.empty() ? StringRef() : StringAttr::get(context, name).strref();
}

/// Atomic accesses need natural alignment; PTX requires it too.
unsigned atomicAlignment(Type type, uint64_t declared) {
  uint64_t natural = std::max<uint64_t>(1, getStorageSize(type));
  return static_cast<unsigned>(std::max(declared, natural));
}

struct PtrAddLowering : ConvertOpToLLVMPattern<PtrAddOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(PtrAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Wrapping byte arithmetic, as PTX address arithmetic: no inbounds.
    rewriter.replaceOpWithNewOp<LLVM::GEPOp>(
        op, adaptor.getBase().getType(), rewriter.getI8Type(),
        adaptor.getBase(), ValueRange{adaptor.getOffset()});
    return success();
  }
};

struct IntToPtrLowering : ConvertOpToLLVMPattern<IntToPtrOp> {
  IntToPtrLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(IntToPtrOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, target.intToPointer(rewriter, op.getLoc(), adaptor.getValue(),
                                op.getType().getSpace(),
                                getTypeConverter()->convertType(op.getType()),
                                hiddenArgs(op, target)));
    return success();
  }
  const TargetInfo &target;
};

struct PtrToIntLowering : ConvertOpToLLVMPattern<PtrToIntOp> {
  PtrToIntLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(PtrToIntOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, target.pointerToInt(rewriter, op.getLoc(), adaptor.getPtr(),
                                op.getPtr().getType().getSpace(), op.getType(),
                                hiddenArgs(op, target)));
    return success();
  }
  const TargetInfo &target;
};

struct CastSpaceLowering : ConvertOpToLLVMPattern<CastSpaceOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(CastSpaceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type result = getTypeConverter()->convertType(op.getType());
    if (result == adaptor.getPtr().getType())
      rewriter.replaceOp(op, adaptor.getPtr()); // flat targets: no-op
    else
      rewriter.replaceOpWithNewOp<LLVM::AddrSpaceCastOp>(op, result,
                                                         adaptor.getPtr());
    return success();
  }
};

struct LoadLowering : ConvertOpToLLVMPattern<LoadOp> {
  LoadLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(LoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    LLVM::AtomicOrdering ordering = toLLVMOrdering(op.getOrder());
    // A load cannot release.
    if (ordering == LLVM::AtomicOrdering::release)
      ordering = LLVM::AtomicOrdering::monotonic;
    if (ordering == LLVM::AtomicOrdering::acq_rel)
      ordering = LLVM::AtomicOrdering::acquire;
    bool atomic = ordering != LLVM::AtomicOrdering::not_atomic;
    unsigned alignment = atomic ? atomicAlignment(op.getType(), op.getAlignment())
                                : static_cast<unsigned>(op.getAlignment());
    auto load = LLVM::LoadOp::create(
        rewriter, op.getLoc(), type, adaptor.getPtr(), alignment,
        op.getIsVolatile(), /*isNonTemporal=*/false,
        /*isInvariant=*/false, /*isInvariantGroup=*/false, ordering,
        atomic ? syncScopeAttr(op.getContext(), target, op.getScope())
               : StringRef());
    rewriter.replaceOp(op, load);
    return success();
  }
  const TargetInfo &target;
};

struct StoreLowering : ConvertOpToLLVMPattern<StoreOp> {
  StoreLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(StoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LLVM::AtomicOrdering ordering = toLLVMOrdering(op.getOrder());
    if (ordering == LLVM::AtomicOrdering::acquire)
      ordering = LLVM::AtomicOrdering::monotonic;
    if (ordering == LLVM::AtomicOrdering::acq_rel)
      ordering = LLVM::AtomicOrdering::release;
    bool atomic = ordering != LLVM::AtomicOrdering::not_atomic;
    unsigned alignment =
        atomic ? atomicAlignment(op.getValue().getType(), op.getAlignment())
               : static_cast<unsigned>(op.getAlignment());
    LLVM::StoreOp::create(
        rewriter, op.getLoc(), adaptor.getValue(), adaptor.getPtr(), alignment,
        op.getIsVolatile(), /*isNonTemporal=*/false,
        /*isInvariantGroup=*/false, ordering,
        atomic ? syncScopeAttr(op.getContext(), target, op.getScope())
               : StringRef());
    rewriter.eraseOp(op);
    return success();
  }
  const TargetInfo &target;
};

struct PrefetchLowering : ConvertOpToLLVMPattern<PrefetchOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(PrefetchOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // A hint only; dropping it is always correct (and never faults).
    rewriter.eraseOp(op);
    return success();
  }
};

LLVM::AtomicBinOp toLLVMBinOp(AtomicKind kind) {
  switch (kind) {
  case AtomicKind::Exch:
    return LLVM::AtomicBinOp::xchg;
  case AtomicKind::Add:
    return LLVM::AtomicBinOp::add;
  case AtomicKind::FAdd:
    return LLVM::AtomicBinOp::fadd;
  case AtomicKind::And:
    return LLVM::AtomicBinOp::_and;
  case AtomicKind::Or:
    return LLVM::AtomicBinOp::_or;
  case AtomicKind::Xor:
    return LLVM::AtomicBinOp::_xor;
  case AtomicKind::Min:
    return LLVM::AtomicBinOp::min;
  case AtomicKind::Max:
    return LLVM::AtomicBinOp::max;
  case AtomicKind::UMin:
    return LLVM::AtomicBinOp::umin;
  case AtomicKind::UMax:
    return LLVM::AtomicBinOp::umax;
  // PTX inc/dec are exactly LLVM's wrapping counters:
  // inc: old >= v ? 0 : old + 1; dec: (old == 0 || old > v) ? v : old - 1.
  case AtomicKind::Inc:
    return LLVM::AtomicBinOp::uinc_wrap;
  case AtomicKind::Dec:
    return LLVM::AtomicBinOp::udec_wrap;
  case AtomicKind::FMin:
    return LLVM::AtomicBinOp::fmin;
  case AtomicKind::FMax:
    return LLVM::AtomicBinOp::fmax;
  }
  return LLVM::AtomicBinOp::xchg;
}

/// Read-modify-write needs an atomic ordering; PTX's default is relaxed.
LLVM::AtomicOrdering rmwOrdering(MemOrder order) {
  LLVM::AtomicOrdering ordering = toLLVMOrdering(order);
  return ordering == LLVM::AtomicOrdering::not_atomic
             ? LLVM::AtomicOrdering::monotonic
             : ordering;
}

struct AtomicRMWLowering : ConvertOpToLLVMPattern<AtomicRMWOp> {
  AtomicRMWLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(AtomicRMWOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rmw = LLVM::AtomicRMWOp::create(
        rewriter, op.getLoc(), toLLVMBinOp(op.getKind()), adaptor.getPtr(),
        adaptor.getValue(), rmwOrdering(op.getOrder()),
        syncScopeAttr(op.getContext(), target, op.getScope()),
        atomicAlignment(op.getValue().getType(), 1));
    rewriter.replaceOp(op, rmw);
    return success();
  }
  const TargetInfo &target;
};

struct AtomicCASLowering : ConvertOpToLLVMPattern<AtomicCASOp> {
  AtomicCASLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(AtomicCASOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LLVM::AtomicOrdering success = rmwOrdering(op.getOrder());
    LLVM::AtomicOrdering failure = success;
    if (failure == LLVM::AtomicOrdering::acq_rel)
      failure = LLVM::AtomicOrdering::acquire;
    if (failure == LLVM::AtomicOrdering::release)
      failure = LLVM::AtomicOrdering::monotonic;
    auto cas = LLVM::AtomicCmpXchgOp::create(
        rewriter, op.getLoc(), adaptor.getPtr(), adaptor.getExpected(),
        adaptor.getDesired(), success, failure,
        syncScopeAttr(op.getContext(), target, op.getScope()),
        atomicAlignment(op.getExpected().getType(), 1));
    rewriter.replaceOpWithNewOp<LLVM::ExtractValueOp>(op, cas.getResult(), 0);
    return mlir::success();
  }
  const TargetInfo &target;
};

struct FenceLowering : ConvertOpToLLVMPattern<FenceOp> {
  FenceLowering(LLVMTypeConverter &converter, const TargetInfo &target)
      : ConvertOpToLLVMPattern(converter), target(target) {}
  LogicalResult
  matchAndRewrite(FenceOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LLVM::AtomicOrdering ordering = toLLVMOrdering(op.getOrder());
    // LLVM has no relaxed fence; PTX's membar is sequentially consistent.
    if (ordering == LLVM::AtomicOrdering::not_atomic ||
        ordering == LLVM::AtomicOrdering::monotonic)
      ordering = LLVM::AtomicOrdering::seq_cst;
    LLVM::FenceOp::create(rewriter, op.getLoc(), ordering,
                          syncScopeAttr(op.getContext(), target, op.getScope()));
    rewriter.eraseOp(op);
    return success();
  }
  const TargetInfo &target;
};

} // namespace

void populateMemoryPatterns(LLVMTypeConverter &converter,
                            RewritePatternSet &patterns,
                            const TargetInfo &target) {
  patterns.add<PtrAddLowering, CastSpaceLowering, PrefetchLowering>(converter);
  patterns.add<IntToPtrLowering, PtrToIntLowering, LoadLowering, StoreLowering, AtomicRMWLowering,
               AtomicCASLowering, FenceLowering>(converter, target);
}

} // namespace wooly::detail
