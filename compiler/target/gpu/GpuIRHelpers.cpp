//===- GpuIRHelpers.cpp - LLVM-dialect building blocks of GPU lowerings ---===//

#include "compiler/target/gpu/GpuIRHelpers.h"

#include <cstdint>

using namespace mlir;

namespace wooly::gpu {

Value callIntrinsic(OpBuilder &b, Location loc, Type result, StringRef name,
                    ValueRange args) {
  return LLVM::CallIntrinsicOp::create(b, loc, result, b.getStringAttr(name),
                                       args)
      .getResult(0);
}

void callVoidIntrinsic(OpBuilder &b, Location loc, StringRef name,
                       ValueRange args) {
  LLVM::CallIntrinsicOp::create(b, loc, b.getStringAttr(name), args);
}

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, b.getI32Type(),
                                  b.getI32IntegerAttr(value));
}

Value extract(OpBuilder &b, Location loc, Value aggregate, int64_t index) {
  return LLVM::ExtractValueOp::create(b, loc, aggregate,
                                      ArrayRef<int64_t>{index});
}

const char *dimSuffix(Dim dim) {
  switch (dim) {
  case Dim::X:
    return "x";
  case Dim::Y:
    return "y";
  case Dim::Z:
    return "z";
  }
  return "x";
}

Value reduxStep(OpBuilder &b, Location loc, ReduxKind kind, Value a, Value c) {
  switch (kind) {
  case ReduxKind::Add:
    return LLVM::AddOp::create(b, loc, a, c);
  case ReduxKind::And:
    return LLVM::AndOp::create(b, loc, a, c);
  case ReduxKind::Or:
    return LLVM::OrOp::create(b, loc, a, c);
  case ReduxKind::Xor:
    return LLVM::XOrOp::create(b, loc, a, c);
  case ReduxKind::Min:
    return LLVM::SMinOp::create(b, loc, a, c);
  case ReduxKind::Max:
    return LLVM::SMaxOp::create(b, loc, a, c);
  case ReduxKind::UMin:
    return LLVM::UMinOp::create(b, loc, a, c);
  case ReduxKind::UMax:
    return LLVM::UMaxOp::create(b, loc, a, c);
  }
  return a;
}

int64_t reduxIdentity(ReduxKind kind) {
  switch (kind) {
  case ReduxKind::Add:
  case ReduxKind::Or:
  case ReduxKind::Xor:
  case ReduxKind::UMax:
    return 0;
  case ReduxKind::And:
  case ReduxKind::UMin:
    return -1;
  case ReduxKind::Min:
    return INT32_MAX;
  case ReduxKind::Max:
    return INT32_MIN;
  }
  return 0;
}

void markByValueParameters(LLVM::LLVMFuncOp lowered, StringRef attrName) {
  auto i8 = IntegerType::get(lowered.getContext(), 8);
  for (unsigned i = 0, e = lowered.getNumArguments(); i < e; ++i) {
    auto size = lowered.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_size");
    if (!size)
      continue;
    lowered.setArgAttr(
        i, attrName,
        TypeAttr::get(LLVM::LLVMArrayType::get(i8, size.getInt())));
    if (auto align =
            lowered.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_align"))
      lowered.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(), align);
  }
}

void setPassthrough(LLVM::LLVMFuncOp lowered,
                    ArrayRef<StringAttribute> attributes) {
  if (attributes.empty())
    return;
  MLIRContext *context = lowered.getContext();
  SmallVector<Attribute> passthrough;
  for (const auto &[key, value] : attributes)
    passthrough.push_back(
        ArrayAttr::get(context, {StringAttr::get(context, key),
                                 StringAttr::get(context, value)}));
  lowered.setPassthroughAttr(ArrayAttr::get(context, passthrough));
}

void exposeModuleVariables(ModuleOp module,
                           std::optional<LLVM::Visibility> visibility) {
  module.walk([&](LLVM::GlobalOp global) {
    unsigned space = global.getAddrSpace();
    if (space != 1 && space != 4)
      return;
    global.setLinkage(LLVM::Linkage::External);
    if (visibility)
      global.setVisibility_(*visibility);
    global.setConstant(false);
  });
}

LLVM::LLVMFuncOp lookupOrDeclareFunction(OpBuilder &b, ModuleOp module,
                                         Location loc, StringRef name,
                                         LLVM::LLVMFunctionType type,
                                         LLVM::Linkage linkage,
                                         bool *declared) {
  auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (declared)
    *declared = !fn;
  if (fn)
    return fn;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(b, loc, name, type, linkage);
}

LLVM::GlobalOp executorSlot(OpBuilder &b, ModuleOp module, Location loc,
                            StringRef name) {
  if (auto existing = module.lookupSymbol<LLVM::GlobalOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto type = LLVM::LLVMArrayType::get(b.getI64Type(), 2);
  return LLVM::GlobalOp::create(
      b, loc, type, /*isConstant=*/false, LLVM::Linkage::External, name,
      b.getZeroAttr(RankedTensorType::get({2}, b.getI64Type())),
      /*alignment=*/8, /*addrSpace=*/1);
}

} // namespace wooly::gpu
