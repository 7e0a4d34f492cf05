//===- Lowering.cpp - The WIS -> LLVM driver and TargetInfo defaults ------===//

#include "compiler/target/common/PatternHelpers.h"
#include "compiler/target/common/WoolyToLLVM.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace wooly {

TargetInfo::~TargetInfo() = default;

FailureOr<Value> TargetInfo::variableAddress(OpBuilder &builder, Location loc,
                                             StringRef name,
                                             AddressSpace space, uint64_t,
                                             ValueRange) const {
  auto type = LLVM::LLVMPointerType::get(builder.getContext(),
                                         addressSpace(space));
  return LLVM::AddressOfOp::create(builder, loc, type, name).getResult();
}

Value TargetInfo::pointerToInt(OpBuilder &b, Location loc, Value ptr,
                               AddressSpace, Type intType, ValueRange) const {
  Value wide = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), ptr);
  if (intType.getIntOrFloatBitWidth() < 64)
    wide = LLVM::TruncOp::create(b, loc, intType, wide);
  return wide;
}

Value TargetInfo::intToPointer(OpBuilder &b, Location loc, Value value,
                               AddressSpace, Type ptrType, ValueRange) const {
  if (value.getType().getIntOrFloatBitWidth() < 64)
    value = LLVM::ZExtOp::create(b, loc, b.getI64Type(), value);
  return LLVM::IntToPtrOp::create(b, loc, ptrType, value);
}

FailureOr<Value> TargetInfo::lowerApprox(OpBuilder &b, Location loc,
                                         ApproxKind kind,
                                         ValueRange operands) const {
  // The IEEE functions are at least as accurate as PTX's approximations.
  Value x = operands[0];
  Type type = x.getType();
  switch (kind) {
  case ApproxKind::Sin:
    return LLVM::SinOp::create(b, loc, x).getResult();
  case ApproxKind::Cos:
    return LLVM::CosOp::create(b, loc, x).getResult();
  case ApproxKind::Ex2:
    return LLVM::Exp2Op::create(b, loc, x).getResult();
  case ApproxKind::Lg2:
    return LLVM::Log2Op::create(b, loc, x).getResult();
  case ApproxKind::Rcp:
    return LLVM::FDivOp::create(b, loc, detail::constantOf(b, loc, type, 1.0), x)
        .getResult();
  case ApproxKind::Rsqrt:
    return LLVM::FDivOp::create(b, loc, detail::constantOf(b, loc, type, 1.0),
                                LLVM::SqrtOp::create(b, loc, x))
        .getResult();
  case ApproxKind::Sqrt:
    return LLVM::SqrtOp::create(b, loc, x).getResult();
  case ApproxKind::Tanh:
    return LLVM::TanhOp::create(b, loc, x).getResult();
  case ApproxKind::Div:
    return LLVM::FDivOp::create(b, loc, x, operands[1]).getResult();
  }
  return failure();
}

void TargetInfo::populateMathPatterns(LLVMTypeConverter &converter,
                                      RewritePatternSet &patterns) const {
  populateMathToLLVMConversionPatterns(converter, patterns);
}

VariableLayout computeVariableLayout(ModuleOp module) {
  VariableLayout layout;
  uint64_t maxSharedAlign = 16;
  SmallVector<GlobalOp> externShared;
  for (GlobalOp var : module.getOps<GlobalOp>()) {
    StringRef name = var.getSymName();
    layout.spaces[name] = var.getSpace();
    uint64_t align = std::max<uint64_t>(1, var.getAlignment());
    if (var.getSpace() == AddressSpace::Shared) {
      if (var.getIsExtern()) {
        externShared.push_back(var);
        maxSharedAlign = std::max(maxSharedAlign, align);
        continue;
      }
      layout.sharedBytes = llvm::alignTo(layout.sharedBytes, align);
      layout.offsets[name] = layout.sharedBytes;
      layout.sharedBytes += var.getSizeInBytes();
      maxSharedAlign = std::max(maxSharedAlign, align);
    } else {
      layout.globalBytes = llvm::alignTo(layout.globalBytes, align);
      layout.offsets[name] = layout.globalBytes;
      layout.globalBytes += std::max<uint64_t>(var.getSizeInBytes(), 1);
      layout.globalAlign = std::max(layout.globalAlign, align);
    }
  }
  // Dynamic shared memory follows the static variables; every extern shared
  // declaration names its start.
  layout.dynamicSharedOffset = llvm::alignTo(layout.sharedBytes, maxSharedAlign);
  for (GlobalOp var : externShared)
    layout.offsets[var.getSymName()] = layout.dynamicSharedOffset;
  return layout;
}

void addWoolyTypeConversions(LLVMTypeConverter &converter,
                             const TargetInfo &target) {
  converter.addConversion([&target](PtrType type) -> Type {
    return LLVM::LLVMPointerType::get(type.getContext(),
                                      target.addressSpace(type.getSpace()));
  });
}

void populateWoolyToLLVMCommonPatterns(LLVMTypeConverter &converter,
                                       RewritePatternSet &patterns,
                                       const TargetInfo &target,
                                       const VariableLayout &layout) {
  detail::populateFunctionPatterns(converter, patterns, target, layout);
  detail::populateMemoryPatterns(converter, patterns, target);
  detail::populateArithmeticPatterns(converter, patterns, target);
  arith::populateArithToLLVMConversionPatterns(converter, patterns);
  cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
  target.populateMathPatterns(converter, patterns);
}

LogicalResult lowerWISToLLVMDialect(ModuleOp module, const TargetInfo &target) {
  MLIRContext *context = module.getContext();
  context->loadDialect<LLVM::LLVMDialect>();

  // scf first (structured control flow once raised), in its own step.
  {
    RewritePatternSet patterns(context);
    populateSCFToControlFlowConversionPatterns(patterns);
    ConversionTarget legal(*context);
    legal.addIllegalDialect<scf::SCFDialect>();
    legal.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, legal, std::move(patterns))))
      return failure();
  }

  // The dialect conversion leaves blocks without predecessors alone, and
  // unoptimized WIS (wooly-cc -O0) still has them, e.g. after a PTX `ret`
  // that ends the kernel early: drop them so nothing stays unconverted.
  {
    IRRewriter rewriter(context);
    (void)eraseUnreachableBlocks(rewriter, module->getRegions());
  }

  VariableLayout layout = computeVariableLayout(module);
  LowerToLLVMOptions options(context);
  LLVMTypeConverter converter(context, options);
  addWoolyTypeConversions(converter, target);
  RewritePatternSet patterns(context);
  populateWoolyToLLVMCommonPatterns(converter, patterns, target, layout);

  LLVMConversionTarget legal(*context);
  legal.addLegalOp<ModuleOp>();
  legal.addIllegalDialect<WoolyDialect, arith::ArithDialect,
                          math::MathDialect, cf::ControlFlowDialect>();
  if (failed(applyFullConversion(module, legal, std::move(patterns))))
    return module.emitError() << "cannot lower WIS to LLVM for target '"
                              << target.name() << "'";
  module->setAttr("wooly.static_shared_bytes",
                  IntegerAttr::get(IntegerType::get(context, 64),
                                   layout.sharedBytes));
  return success();
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                StringRef name) {
  MLIRContext *mlirContext = module.getContext();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  mlirContext->appendDialectRegistry(registry);
  return translateModuleToLLVMIR(module, context, name);
}

} // namespace wooly
