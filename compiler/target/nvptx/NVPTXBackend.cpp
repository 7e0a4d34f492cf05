//===- NVPTXBackend.cpp - `wooly-cc --target=nvptx:sm_XX` -----------------===//

#include "compiler/target/gpu/GpuBackendRegistration.h"
#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "compiler/target/nvptx/Passes.h"

namespace wooly::nvptx {

/// `--emit=ptx` and `--emit=asm` are both the PTX text.
static llvm::Error emitMachineCode(llvm::Module &module,
                                   const CodegenOptions &options,
                                   llvm::StringRef, llvm::raw_ostream &out) {
  auto ptx = emitPTX(module, options);
  if (!ptx)
    return ptx.takeError();
  out << *ptx;
  return llvm::Error::success();
}

void registerNVPTXBackend() {
  gpu::registerGpuBackend<CodegenOptions>(
      {"nvptx",
       "NVIDIA GPUs through LLVM's NVPTX backend (chip: sm_70 ... "
       "sm_121a, default sm_75)",
       {"ptx", "asm", "llvm"},
       lowerToLLVMIR,
       createTargetMachine,
       emitMachineCode,
       [](CodegenOptions &options, const cc::BackendRequest &request) {
         options.pollEveryModule = request.faultPolls;
       }});
}

} // namespace wooly::nvptx
