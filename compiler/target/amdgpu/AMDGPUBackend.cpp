//===- AMDGPUBackend.cpp - `wooly-cc --target=amdgpu:gfxNNN` --------------===//

#include "compiler/target/amdgpu/AMDGPUPipeline.h"
#include "compiler/target/amdgpu/Passes.h"
#include "tools/wooly-cc/Backends.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace wooly::amdgpu {

void registerAMDGPUBackend() {
  cc::registerBackend(
      {"amdgpu",
       "AMD GPUs through LLVM's AMDGPU backend and ld.lld (chip: "
       "gfx90a, gfx942, gfx1100, ..., default gfx942)",
       {"hsaco", "obj", "asm", "llvm"},
       [](mlir::ModuleOp module, const cc::BackendRequest &request,
          llvm::raw_ostream &out, std::string &error) {
         CodegenOptions options;
         if (!request.chip.empty())
           options.arch = request.chip;
         options.optLevel = static_cast<unsigned>(request.optLevel);
         llvm::LLVMContext context;
         auto llvmModule = lowerToLLVMIR(module, context, options);
         if (!llvmModule) {
           error = llvm::toString(llvmModule.takeError());
           return false;
         }
         if (request.emit == "llvm") {
           optimizeModule(**llvmModule, **createTargetMachine(options),
                          options.optLevel);
           (*llvmModule)->print(out, nullptr);
           return true;
         }
         if (request.emit == "asm") {
           auto text = emitAssembly(**llvmModule, options);
           if (!text) {
             error = llvm::toString(text.takeError());
             return false;
           }
           out << *text;
           return true;
         }
         auto bytes = request.emit == "obj"
                          ? emitObject(**llvmModule, options)
                          : emitCodeObject(**llvmModule, options);
         if (!bytes) {
           error = llvm::toString(bytes.takeError());
           return false;
         }
         out.write(bytes->data(), bytes->size());
         return true;
       }});
}

} // namespace wooly::amdgpu
