//===- NVPTXBackend.cpp - `wooly-cc --target=nvptx:sm_XX` -----------------===//

#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "compiler/target/nvptx/Passes.h"
#include "tools/wooly-cc/Backends.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace wooly::nvptx {

void registerNVPTXBackend() {
  cc::registerBackend(
      {"nvptx",
       "NVIDIA GPUs through LLVM's NVPTX backend (chip: sm_70 ... "
       "sm_121a, default sm_75)",
       {"ptx", "asm", "llvm"},
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
         auto ptx = emitPTX(**llvmModule, options);
         if (!ptx) {
           error = llvm::toString(ptx.takeError());
           return false;
         }
         out << *ptx;
         return true;
       }});
}

} // namespace wooly::nvptx
