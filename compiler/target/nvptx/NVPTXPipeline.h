//===- NVPTXPipeline.h - WIS to PTX, end to end ------------------*- C++
//-*-===//
//
// The nvptx backend as one call: a verified WIS module is lowered to the
// LLVM dialect (common patterns + NVPTXTargetInfo), translated to LLVM IR,
// linked with CUDA's libdevice when it calls libdevice functions, and
// compiled to PTX.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_NVPTXPIPELINE_H
#define WOOLY_COMPILER_TARGET_NVPTX_NVPTXPIPELINE_H

#include "compiler/target/nvptx/NVPTXCodegen.h"

#include "mlir/IR/BuiltinOps.h"

namespace llvm {
class LLVMContext;
} // namespace llvm

namespace wooly::nvptx {

/// Where CUDA's libdevice bitcode is: $WOOLY_LIBDEVICE, then
/// $CUDA_HOME/nvvm/libdevice, /usr/local/cuda/nvvm/libdevice and Debian's
/// /usr/lib/nvidia-cuda-toolkit/libdevice. Empty if none exists.
std::string findLibDevice();

/// Lowers `module` (a verified WIS module; changed in place) to an LLVM IR
/// module for `options.arch`, libdevice linked in where needed. Errors carry
/// the lowering's diagnostics.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
              const CodegenOptions &options);

/// lowerToLLVMIR, then emitPTX.
llvm::Expected<std::string> compileToPTX(mlir::ModuleOp module,
                                         const CodegenOptions &options);

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_NVPTXPIPELINE_H
