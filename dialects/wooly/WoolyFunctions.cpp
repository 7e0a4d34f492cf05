//===- WoolyFunctions.cpp - Kernels, device functions and calls -----------===//

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionImplementation.h"

using namespace mlir;
using namespace wooly;

//===----------------------------------------------------------------------===//
// Shared syntax: `wooly.kernel @name(%a: i32) attributes {...} { ... }`
//===----------------------------------------------------------------------===//

template <typename OpTy>
static ParseResult parseFunctionLike(OpAsmParser &parser,
                                     OperationState &result) {
  auto buildFuncType =
      [](Builder &builder, ArrayRef<Type> argTypes, ArrayRef<Type> results,
         function_interface_impl::VariadicFlag,
         std::string &) { return builder.getFunctionType(argTypes, results); };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      OpTy::getFunctionTypeAttrName(result.name), buildFuncType,
      OpTy::getArgAttrsAttrName(result.name),
      OpTy::getResAttrsAttrName(result.name));
}

template <typename OpTy>
static void printFunctionLike(OpTy op, OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, op, /*isVariadic=*/false, op.getFunctionTypeAttrName(),
      op.getArgAttrsAttrName(), op.getResAttrsAttrName());
}

ParseResult KernelOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseFunctionLike<KernelOp>(parser, result);
}
void KernelOp::print(OpAsmPrinter &p) { printFunctionLike(*this, p); }
ParseResult FuncOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseFunctionLike<FuncOp>(parser, result);
}
void FuncOp::print(OpAsmPrinter &p) { printFunctionLike(*this, p); }

LogicalResult KernelOp::verify() {
  FunctionType type = getFunctionType();
  if (type.getNumResults() != 0)
    return emitOpError("kernels return nothing, but the signature has ")
           << type.getNumResults() << " results";
  if (getBody().empty())
    return emitOpError("a kernel needs a body");
  if (auto maxThreads = getMaxThreads(); maxThreads && *maxThreads <= 0)
    return emitOpError("max_threads must be positive, got ") << *maxThreads;
  if (auto req = getReqBlockSize()) {
    if (req->empty() || req->size() > 3)
      return emitOpError("req_block_size needs 1 to 3 dimensions, got ")
             << req->size();
    for (int32_t d : *req)
      if (d <= 0)
        return emitOpError("req_block_size dimensions must be positive, got ")
               << d;
  }
  if (auto minBlocks = getMinBlocksPerSm(); minBlocks && *minBlocks <= 0)
    return emitOpError("min_blocks_per_sm must be positive, got ")
           << *minBlocks;
  for (auto [i, argType] : llvm::enumerate(type.getInputs())) {
    auto ptr = dyn_cast<PtrType>(argType);
    auto size = getArgAttrOfType<IntegerAttr>(i, "wooly.byval_size");
    if (ptr && ptr.getSpace() == AddressSpace::Param) {
      if (!size || size.getInt() <= 0)
        return emitOpError("parameter #")
               << i
               << " is passed by value as !wooly.ptr<param> and needs a "
                  "positive wooly.byval_size";
    } else if (size) {
      return emitOpError("parameter #")
             << i << " has wooly.byval_size but is not a !wooly.ptr<param>";
    } else if (!getStorageSize(argType)) {
      return emitOpError("parameter #")
             << i << " has type " << argType
             << ", which cannot be passed to a kernel";
    }
  }
  return success();
}

// Entry-block/signature agreement is checked by FunctionOpInterface.
LogicalResult FuncOp::verify() { return success(); }

LogicalResult ReturnOp::verify() {
  auto function = (*this)->getParentOfType<FunctionOpInterface>();
  ArrayRef<Type> results = function.getResultTypes();
  if (getNumOperands() != results.size())
    return emitOpError("returns ")
           << getNumOperands() << " values but the enclosing function has "
           << results.size() << " results";
  for (auto [i, value] : llvm::enumerate(getOperands()))
    if (value.getType() != results[i])
      return emitOpError("operand #")
             << i << " has type " << value.getType()
             << " but the function returns " << results[i];
  return success();
}

//===----------------------------------------------------------------------===//
// CallOp
//===----------------------------------------------------------------------===//

FunctionType CallOp::getCalleeType() {
  return FunctionType::get(getContext(), getOperandTypes(), getResultTypes());
}

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *target =
      symbolTable.lookupNearestSymbolFrom(*this, getCalleeAttr());
  if (!target)
    return emitOpError("calls @") << getCallee() << ", which is not defined";
  if (isa<KernelOp>(target))
    return emitOpError("cannot call kernel @")
           << getCallee() << "; kernels are launched from the host";
  auto fn = dyn_cast<FuncOp>(target);
  if (!fn)
    return emitOpError("@") << getCallee() << " is not a wooly.func";
  FunctionType type = fn.getFunctionType();
  if (!llvm::equal(type.getInputs(), getOperandTypes()))
    return emitOpError("operand types do not match the signature of @")
           << getCallee() << ": " << type;
  if (!llvm::equal(type.getResults(), getResultTypes()))
    return emitOpError("result types do not match the signature of @")
           << getCallee() << ": " << type;
  return success();
}
