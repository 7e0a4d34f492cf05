//===- AMDGPUPipeline.cpp - WIS to an HSA code object, end to end ---------===//

#include "compiler/target/amdgpu/AMDGPUPipeline.h"

#include "compiler/target/amdgpu/AMDGPUTargetInfo.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuLowering.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace llvm;

namespace wooly::amdgpu {

Expected<std::unique_ptr<Module>> lowerToLLVMIR(mlir::ModuleOp module,
                                                LLVMContext &context,
                                                const CodegenOptions &options) {
  if (Error err = checkArchitecture(options.arch))
    return std::move(err);
  AMDGPUTargetInfo target(wavefrontSize(options.arch));
  if (Error err = gpu::lowerToLLVMDialect(module, target,
                                          "amdgpu (" + options.arch + ")"))
    return std::move(err);
  initializeNamedBarriers(module);
  exposeModuleVariables(module);
  auto translated = gpu::translateForTarget(
      module, context, "amdgpu", [&] { return createTargetMachine(options); });
  if (!translated)
    return translated.takeError();
  std::unique_ptr<Module> llvmModule = std::move(*translated);
  // Code object v5: the implicit kernel arguments the geometry lowering
  // reads (block counts, group sizes) sit where v5 puts them.
  llvmModule->addModuleFlag(Module::Error, "amdhsa_code_object_version", 500);
  return llvmModule;
}

Expected<std::vector<char>> compileToCodeObject(mlir::ModuleOp module,
                                                const CodegenOptions &options) {
  LLVMContext context;
  auto llvmModule = lowerToLLVMIR(module, context, options);
  if (!llvmModule)
    return llvmModule.takeError();
  return emitCodeObject(**llvmModule, options);
}

} // namespace wooly::amdgpu
