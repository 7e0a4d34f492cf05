//===- GpuBackendRegistration.h - GPU backends in wooly-cc ------*- C++ -*-===//
//
// `wooly-cc --target=nvptx:sm_XX` and `--target=amdgpu:gfxNNN` do the same
// thing with different functions: options from the request, WIS lowered to
// LLVM IR, `--emit=llvm` printed after optimization, any other kind handed
// to the backend's emitter. registerGpuBackend() is that shape once; only
// the backends' `*CC` libraries (linked into wooly-cc) include it.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUBACKENDREGISTRATION_H
#define WOOLY_COMPILER_TARGET_GPU_GPUBACKENDREGISTRATION_H

#include "compiler/target/gpu/GpuCodegen.h"
#include "tools/wooly-cc/Backends.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <string>
#include <vector>

namespace wooly::gpu {

/// One GPU backend as wooly-cc sees it. `Options` has `arch` (its default
/// is the backend's default chip) and `optLevel`.
template <typename Options> struct GpuBackendSpec {
  std::string name;                   // the --target name
  std::string description;            // one line for --help
  std::vector<std::string> emitKinds; // "llvm" plus the backend's own
  llvm::Expected<std::unique_ptr<llvm::Module>> (*lower)(
      mlir::ModuleOp module, llvm::LLVMContext &context,
      const Options &options);
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> (*createMachine)(
      const Options &options);
  /// Writes `module` as `emit` (any kind but "llvm") to `out`.
  llvm::Error (*emitMachineCode)(llvm::Module &module, const Options &options,
                                 llvm::StringRef emit, llvm::raw_ostream &out);
  /// Sets the options only this backend has from the request; may be null.
  void (*configure)(Options &options, const cc::BackendRequest &request) =
      nullptr;
};

template <typename Options>
void registerGpuBackend(GpuBackendSpec<Options> spec) {
  cc::registerBackend(
      {spec.name, spec.description, spec.emitKinds,
       [spec](mlir::ModuleOp module, const cc::BackendRequest &request,
              llvm::raw_ostream &out, std::string &error) {
         Options options;
         if (!request.chip.empty())
           options.arch = request.chip;
         options.optLevel = static_cast<unsigned>(request.optLevel);
         if (spec.configure)
           spec.configure(options, request);
         llvm::LLVMContext context;
         auto llvmModule = spec.lower(module, context, options);
         if (!llvmModule) {
           error = llvm::toString(llvmModule.takeError());
           return false;
         }
         if (request.emit == "llvm") {
           auto machine = spec.createMachine(options);
           if (!machine) {
             error = llvm::toString(machine.takeError());
             return false;
           }
           optimizeModule(**llvmModule, **machine, options.optLevel);
           (*llvmModule)->print(out, nullptr);
           return true;
         }
         if (llvm::Error err = spec.emitMachineCode(**llvmModule, options,
                                                    request.emit, out)) {
           error = llvm::toString(std::move(err));
           return false;
         }
         return true;
       }});
}

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUBACKENDREGISTRATION_H
