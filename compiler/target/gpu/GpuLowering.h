//===- GpuLowering.h - WIS to the LLVM dialect, errors kept -----*- C++ -*-===//
//
// Both GPU backends lower WIS with the common patterns and their
// TargetInfo, and hand the lowering's diagnostics back as one llvm::Error
// (a server replies with it; wooly-cc prints it), then translate the result
// to LLVM IR laid out for their target machine.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H
#define WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace wooly {
class TargetInfo;
} // namespace wooly

namespace wooly::gpu {

/// lowerWISToLLVMDialect(module, target), its error diagnostics (with the
/// first line of each note) joined into an error prefixed "`what`: ".
llvm::Error lowerToLLVMDialect(mlir::ModuleOp module, const TargetInfo &target,
                               llvm::StringRef what);

/// translateToLLVMIR(module, context), then the triple and data layout of the
/// machine `createMachine` makes. Errors name `what` ("nvptx").
llvm::Expected<std::unique_ptr<llvm::Module>> translateForTarget(
    mlir::ModuleOp module, llvm::LLVMContext &context, llvm::StringRef what,
    llvm::function_ref<llvm::Expected<std::unique_ptr<llvm::TargetMachine>>()>
        createMachine);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H
