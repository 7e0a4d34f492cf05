//===- AMDGPUBackend.cpp - `wooly-cc --target=amdgpu:gfxNNN` --------------===//

#include "compiler/target/amdgpu/AMDGPUPipeline.h"
#include "compiler/target/amdgpu/Passes.h"
#include "compiler/target/gpu/GpuBackendRegistration.h"

namespace wooly::amdgpu {

/// `--emit=asm` is assembly text, `obj` the relocatable object and `hsaco`
/// the linked code object.
static llvm::Error emitMachineCode(llvm::Module &module,
                                   const CodegenOptions &options,
                                   llvm::StringRef emit,
                                   llvm::raw_ostream &out) {
  if (emit == "asm") {
    auto text = emitAssembly(module, options);
    if (!text)
      return text.takeError();
    out << *text;
    return llvm::Error::success();
  }
  auto bytes = emit == "obj" ? emitObject(module, options)
                             : emitCodeObject(module, options);
  if (!bytes)
    return bytes.takeError();
  out.write(bytes->data(), bytes->size());
  return llvm::Error::success();
}

void registerAMDGPUBackend() {
  gpu::registerGpuBackend<CodegenOptions>(
      {"amdgpu",
       "AMD GPUs through LLVM's AMDGPU backend and ld.lld (chip: "
       "gfx90a, gfx942, gfx1100, ..., default gfx942)",
       {"hsaco", "obj", "asm", "llvm"},
       lowerToLLVMIR,
       createTargetMachine,
       emitMachineCode});
}

} // namespace wooly::amdgpu
