//===- GpuLowering.cpp - WIS to the LLVM dialect, errors collected --------===//

#include "compiler/target/gpu/GpuLowering.h"

#include "compiler/target/common/TargetInfo.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuCodegen.h"
#include "compiler/target/gpu/GpuPrintf.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace llvm;

namespace wooly::gpu {

Error lowerToLLVMDialect(mlir::ModuleOp module, const TargetInfo &target,
                         StringRef what) {
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler capture(
      module.getContext(), [&](mlir::Diagnostic &diag) {
        if (diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
          if (!diagnostics.empty())
            diagnostics += "\n";
          diagnostics += diag.str();
          // First lines only: a note may print a whole module.
          for (mlir::Diagnostic &note : diag.getNotes())
            diagnostics +=
                "\n  note: " + StringRef(note.str()).split('\n').first.str();
        }
        return mlir::success();
      });
  // Printf records need their formats; a module the executor annotated
  // before fencing keeps its ids.
  annotatePrintfFormats(module);
  if (mlir::succeeded(lowerWISToLLVMDialect(module, target)))
    return Error::success();
  return createStringError(
      inconvertibleErrorCode(),
      what + ": " +
          (diagnostics.empty() ? std::string("lowering failed") : diagnostics));
}

Expected<std::unique_ptr<Module>> translateForTarget(
    mlir::ModuleOp module, LLVMContext &context, StringRef what,
    function_ref<Expected<std::unique_ptr<TargetMachine>>()> createMachine) {
  std::unique_ptr<Module> llvmModule = translateToLLVMIR(module, context);
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             what + ": translation to LLVM IR failed");
  auto machine = createMachine();
  if (!machine)
    return machine.takeError();
  prepareModule(*llvmModule, **machine);
  return std::move(llvmModule);
}

} // namespace wooly::gpu
