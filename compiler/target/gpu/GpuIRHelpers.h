//===- GpuIRHelpers.h - Building blocks of GPU lowerings --------*- C++ -*-===//
//
// The small pieces the NVPTX and AMDGPU TargetInfo hooks both build GPU ops
// from: intrinsic calls, i32 constants, the x/y/z suffix of a dimension,
// one step and the identity of a warp reduction, helper functions declared
// once per module, the by-value kernel parameters each vendor marks with its
// own attribute, module variables the host reaches by name.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUIRHELPERS_H
#define WOOLY_COMPILER_TARGET_GPU_GPUIRHELPERS_H

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <utility>

namespace wooly::gpu {

/// A call of the LLVM intrinsic `name` returning `result`.
mlir::Value callIntrinsic(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type result, llvm::StringRef name,
                          mlir::ValueRange args);

/// A call of the LLVM intrinsic `name` that returns nothing.
void callVoidIntrinsic(mlir::OpBuilder &b, mlir::Location loc,
                       llvm::StringRef name, mlir::ValueRange args);

mlir::Value i32Constant(mlir::OpBuilder &b, mlir::Location loc, int64_t value);

/// Element `index` of an LLVM struct value.
mlir::Value extract(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::Value aggregate, int64_t index);

/// "x", "y" or "z": how intrinsic names spell a dimension.
const char *dimSuffix(Dim dim);

/// `a` combined with `c` by the reduction `kind` (i32 operands).
mlir::Value reduxStep(mlir::OpBuilder &b, mlir::Location loc, ReduxKind kind,
                      mlir::Value a, mlir::Value c);

/// The i32 value that leaves any operand unchanged under `kind`.
int64_t reduxIdentity(ReduxKind kind);

/// Marks every kernel parameter the lowering gave `wooly.byval_size` (an
/// aggregate passed by value) with `attrName` (byval on NVPTX, byref on
/// AMDGPU) of an i8 array of that size, and its `wooly.byval_align`.
void markByValueParameters(mlir::LLVM::LLVMFuncOp lowered,
                           llvm::StringRef attrName);

/// The function `name` of `module`; where it has none, a new one of `type`
/// and `linkage` at the module's start, without a body (`declared` set: a
/// helper's caller builds the body then).
mlir::LLVM::LLVMFuncOp
lookupOrDeclareFunction(mlir::OpBuilder &b, mlir::ModuleOp module,
                        mlir::Location loc, llvm::StringRef name,
                        mlir::LLVM::LLVMFunctionType type,
                        mlir::LLVM::Linkage linkage,
                        bool *declared = nullptr);

/// A string key/value function attribute the backend reads ("nvvm.maxntid",
/// "amdgpu-flat-work-group-size").
using StringAttribute = std::pair<std::string, std::string>;

/// Passes `attributes` through to the LLVM function; nothing if empty.
void setPassthrough(mlir::LLVM::LLVMFuncOp lowered,
                    llvm::ArrayRef<StringAttribute> attributes);

/// Makes module variables in global (1) and const (4) memory external,
/// writable definitions, with `visibility` where the vendor's loader needs
/// one: the host reaches them by name (cudaMemcpyToSymbol,
/// hipModuleGetGlobal) and LLVM never folds their initial values.
void exposeModuleVariables(
    mlir::ModuleOp module,
    std::optional<mlir::LLVM::Visibility> visibility = std::nullopt);

/// The module variable `name`: two u64 in global memory, zero until the
/// executor fills them after loading (the printf and fault slots); made at
/// the module's start on first use.
mlir::LLVM::GlobalOp executorSlot(mlir::OpBuilder &b, mlir::ModuleOp module,
                                  mlir::Location loc, llvm::StringRef name);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUIRHELPERS_H
