//===- WoolyToLLVM.h - Lowering WIS to the LLVM dialect ---------*- C++ -*-===//
//
// The shared half of every backend: WIS (wooly + arith/math/cf/scf) to the
// LLVM dialect, with the per-target parts delegated to a TargetInfo, then to
// LLVM IR.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_COMMON_WOOLYTOLLVM_H
#define WOOLY_COMPILER_TARGET_COMMON_WOOLYTOLLVM_H

#include "compiler/target/common/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace wooly {

/// Adds `!wooly.ptr<space>` -> `!llvm.ptr<addressSpace(space)>` to `converter`.
void addWoolyTypeConversions(mlir::LLVMTypeConverter &converter,
                             const TargetInfo &target);

/// Patterns for the target-neutral wooly ops plus upstream arith, cf and
/// (through the TargetInfo) math to LLVM. Target ops go to the TargetInfo
/// hooks. `layout` (from computeVariableLayout) places module-scope
/// variables and must outlive the patterns.
void populateWoolyToLLVMCommonPatterns(mlir::LLVMTypeConverter &converter,
                                       mlir::RewritePatternSet &patterns,
                                       const TargetInfo &target,
                                       const VariableLayout &layout);

/// Lowers a verified WIS module in place to the LLVM dialect (scf is first
/// lowered to cf). Kernels keep their names and get the unit attribute
/// `wooly.kernel`; every lowered function carries the hidden parameters
/// first. Errors are emitted as diagnostics on the module.
mlir::LogicalResult lowerWISToLLVMDialect(mlir::ModuleOp module,
                                          const TargetInfo &target);

/// LLVM dialect -> LLVM IR. Returns null and emits a diagnostic on failure.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::StringRef name = "wis");

} // namespace wooly

#endif // WOOLY_COMPILER_TARGET_COMMON_WOOLYTOLLVM_H
