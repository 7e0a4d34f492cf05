//===- PatternHelpers.h - Shared by the common lowering files ---*- C++ -*-===//
//
// Private to compiler/target/common: the pieces each pattern file needs and
// the per-family populate functions the public entry point calls.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_COMMON_PATTERNHELPERS_H
#define WOOLY_COMPILER_TARGET_COMMON_PATTERNHELPERS_H

#include "compiler/target/common/TargetInfo.h"

#include "mlir/Conversion/LLVMCommon/Pattern.h"

namespace wooly::detail {

/// The hidden leading arguments of the function enclosing `op` (already
/// lowered to llvm.func, since parents convert before their bodies).
mlir::ValueRange hiddenArgs(mlir::Operation *op, const TargetInfo &target);

/// An integer or float constant of `type`.
mlir::Value constantOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                       double value);
mlir::Value intConstant(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, int64_t value);

/// Sign-preserving flush of a subnormal float to zero (PTX `.ftz`).
mlir::Value flushDenormal(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value);

/// LLVM atomic ordering for a WIS ordering (weak -> not atomic).
mlir::LLVM::AtomicOrdering toLLVMOrdering(MemOrder order);

void populateFunctionPatterns(mlir::LLVMTypeConverter &converter,
                              mlir::RewritePatternSet &patterns,
                              const TargetInfo &target,
                              const VariableLayout &layout);
void populateMemoryPatterns(mlir::LLVMTypeConverter &converter,
                            mlir::RewritePatternSet &patterns,
                            const TargetInfo &target);
void populateArithmeticPatterns(mlir::LLVMTypeConverter &converter,
                                mlir::RewritePatternSet &patterns,
                                const TargetInfo &target);

} // namespace wooly::detail

#endif // WOOLY_COMPILER_TARGET_COMMON_PATTERNHELPERS_H
