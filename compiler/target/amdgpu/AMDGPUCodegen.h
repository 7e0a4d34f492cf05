//===- AMDGPUCodegen.h - LLVM IR to an HSA code object ----------*- C++ -*-===//
//
// The last steps of the amdgpu backend: an LLVM IR module (kernels with the
// amdgpu_kernel calling convention) becomes a relocatable object through the
// AMDGPU TargetMachine, and `ld.lld -shared` links that into the HSA code
// object that hipModuleLoadData loads.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUCODEGEN_H
#define WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUCODEGEN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace wooly::amdgpu {

inline constexpr const char *kTriple = "amdgcn-amd-amdhsa";

/// The processors Wooly generates code for. Each is wave32 (RDNA) or wave64
/// (CDNA); WIS warps are 32 lanes on both (see docs/gpu-backends.md).
const std::vector<std::string> &supportedArchitectures();

/// Error naming the supported list unless `arch` is one of them.
llvm::Error checkArchitecture(llvm::StringRef arch);

/// The hardware wavefront size of a supported processor: 32 or 64.
unsigned wavefrontSize(llvm::StringRef arch);

struct CodegenOptions {
  std::string arch = "gfx942";
  unsigned optLevel = 3;
};

/// A TargetMachine for `options`, the AMDGPU target registered on first use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CodegenOptions &options);

/// Optimizes `module` and emits AMDGPU assembly text.
llvm::Expected<std::string> emitAssembly(llvm::Module &module,
                                         const CodegenOptions &options);

/// Optimizes `module` and emits a relocatable ELF object.
llvm::Expected<std::vector<char>> emitObject(llvm::Module &module,
                                             const CodegenOptions &options);

/// Where `ld.lld` is: $WOOLY_LLD, then ld.lld-22 / ld.lld on PATH, then
/// /usr/lib/llvm-22/bin/ld.lld. Empty if none is found.
std::string findLinker();

/// Links a relocatable object into a shared HSA code object with ld.lld.
llvm::Expected<std::vector<char>> linkCodeObject(llvm::ArrayRef<char> object);

/// emitObject, then linkCodeObject: the `.hsaco` the HIP module API loads.
llvm::Expected<std::vector<char>> emitCodeObject(llvm::Module &module,
                                                 const CodegenOptions &options);

} // namespace wooly::amdgpu

#endif // WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUCODEGEN_H
