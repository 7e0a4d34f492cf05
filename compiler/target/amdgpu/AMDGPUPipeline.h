//===- AMDGPUPipeline.h - WIS to an HSA code object, end to end -*- C++ -*-===//
//
// The amdgpu backend as one call: a verified WIS module is lowered to the
// LLVM dialect (common patterns + AMDGPUTargetInfo for the processor's wave
// size), translated to LLVM IR (code object v5) and compiled and linked into
// the code object hipModuleLoadData takes.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUPIPELINE_H
#define WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUPIPELINE_H

#include "compiler/target/amdgpu/AMDGPUCodegen.h"

#include "mlir/IR/BuiltinOps.h"

namespace llvm {
class LLVMContext;
} // namespace llvm

namespace wooly::amdgpu {

/// Lowers `module` (a verified WIS module; changed in place) to LLVM IR for
/// `options.arch`. Errors carry the lowering's diagnostics.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
              const CodegenOptions &options);

/// lowerToLLVMIR, then emitCodeObject.
llvm::Expected<std::vector<char>>
compileToCodeObject(mlir::ModuleOp module, const CodegenOptions &options);

} // namespace wooly::amdgpu

#endif // WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUPIPELINE_H
