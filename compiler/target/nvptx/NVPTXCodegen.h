//===- NVPTXCodegen.h - LLVM IR to PTX through the NVPTX backend -*- C++
//-*-===//
//
// The last step of the nvptx backend: an LLVM IR module (kernels already
// marked as PTX kernels) becomes PTX text for one `sm_XX`, which the CUDA
// executor hands to cuModuleLoadDataEx and which `ptxas` accepts.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_NVPTXCODEGEN_H
#define WOOLY_COMPILER_TARGET_NVPTX_NVPTXCODEGEN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace wooly::nvptx {

/// The target triple every nvptx module uses (64-bit addresses).
inline constexpr const char *kTriple = "nvptx64-nvidia-cuda";

/// The SM architectures the backend accepts: what LLVM 22's NVPTX backend
/// knows from sm_70 on (Volta and newer have independent thread scheduling,
/// which the `*.sync` warp ops of WIS need).
const std::vector<std::string> &supportedArchitectures();

/// Error naming the supported list unless `arch` is one of them.
llvm::Error checkArchitecture(llvm::StringRef arch);

/// The compute capability of an `sm_XX[a|f]` name as major*10+minor (90 for
/// sm_90a), or 0 if the name is malformed.
unsigned computeCapability(llvm::StringRef arch);

struct CodegenOptions {
  std::string arch = "sm_75"; // nvcc 13's default
  unsigned optLevel = 3;      // 0..3
  /// Give every module the fault slot and its loops the fault polls, not
  /// only modules that can trap (FaultPolls.h): what lets the cuda
  /// executor's launch watchdog stop any kernel.
  bool pollEveryModule = false;
};

/// A TargetMachine for `options`, the NVPTX target registered on first use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CodegenOptions &options);

/// Optimizes `module` and emits PTX assembly for `options.arch`.
llvm::Expected<std::string> emitPTX(llvm::Module &module,
                                    const CodegenOptions &options);

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_NVPTXCODEGEN_H
