//===- HostBackend.cpp - `wooly-cc --target=host` -------------------------===//
//
// Compiled into WoolyTargetHostCC, which only wooly-cc links: it needs
// tools/wooly-cc/Backends.cpp for registerBackend.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/host/HostCompiler.h"
#include "tools/wooly-cc/Backends.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace wooly::host {

void registerHostBackend() {
  cc::registerBackend(
      {"host", "the CPU this runs on (SIMT on a CPU, what the host executor "
               "JIT-compiles)",
       {"llvm", "asm", "obj"},
       [](mlir::ModuleOp module, const cc::BackendRequest &request,
          llvm::raw_ostream &out, std::string &error) {
         unsigned opt = static_cast<unsigned>(std::clamp(request.optLevel, 0, 3));
         auto machine = createHostTargetMachine(opt);
         if (!machine) {
           error = llvm::toString(machine.takeError());
           return false;
         }
         HostModuleInfo info = analyzeHostModule(module);
         llvm::LLVMContext context;
         auto ir = lowerToHostIR(module, info, context, **machine, opt);
         if (!ir) {
           error = llvm::toString(ir.takeError());
           return false;
         }
         if (request.emit == "llvm") {
           (*ir)->print(out, nullptr);
           return true;
         }
         llvm::SmallVector<char, 0> code;
         if (llvm::Error e = emitHostCode(
                 **ir, **machine,
                 request.emit == "obj" ? HostEmitKind::Object
                                       : HostEmitKind::Assembly,
                 code)) {
           error = llvm::toString(std::move(e));
           return false;
         }
         out.write(code.data(), code.size());
         return true;
       }});
}

} // namespace wooly::host
