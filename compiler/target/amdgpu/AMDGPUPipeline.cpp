//===- AMDGPUPipeline.cpp - WIS to an HSA code object, end to end ---------===//

#include "compiler/target/amdgpu/AMDGPUPipeline.h"

#include "compiler/target/amdgpu/AMDGPUTargetInfo.h"
#include "compiler/target/common/WoolyToLLVM.h"

#include "mlir/IR/Diagnostics.h"

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
  std::string diagnostics;
  {
    mlir::ScopedDiagnosticHandler capture(
        module.getContext(), [&](mlir::Diagnostic &diag) {
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
            if (!diagnostics.empty())
              diagnostics += "\n";
            diagnostics += diag.str();
            // First lines only: a note may print a whole module.
            for (mlir::Diagnostic &note : diag.getNotes())
              diagnostics +=
                  "\n  note: " +
                  llvm::StringRef(note.str()).split('\n').first.str();
          }
          return mlir::success();
        });
    if (mlir::failed(lowerWISToLLVMDialect(module, target)))
      return createStringError(inconvertibleErrorCode(),
                               "amdgpu (" + options.arch + "): " +
                                   (diagnostics.empty()
                                        ? std::string("lowering failed")
                                        : diagnostics));
  }
  exposeModuleVariables(module);
  std::unique_ptr<Module> llvmModule = translateToLLVMIR(module, context);
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "amdgpu: translation to LLVM IR failed");
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  prepareModule(*llvmModule, **machine);
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
