//===- NVPTXPipeline.cpp - WIS to PTX, end to end -------------------------===//

#include "compiler/target/nvptx/NVPTXPipeline.h"

#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuFaultABI.h"
#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/target/gpu/GpuLowering.h"
#include "compiler/target/nvptx/FaultPolls.h"
#include "compiler/target/nvptx/NVPTXTargetInfo.h"
#include "compiler/target/nvptx/PackHalfPairs.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>

using namespace llvm;

namespace wooly::nvptx {

std::string findLibDevice() {
  if (const char *env = std::getenv("WOOLY_LIBDEVICE"); env && *env)
    return env;
  SmallVector<std::string> dirs;
  if (const char *cuda = std::getenv("CUDA_HOME"); cuda && *cuda)
    dirs.push_back(std::string(cuda) + "/nvvm/libdevice");
  dirs.push_back("/usr/local/cuda/nvvm/libdevice");
  dirs.push_back("/usr/lib/nvidia-cuda-toolkit/libdevice");
  for (const std::string &dir : dirs) {
    SmallString<256> path(dir);
    sys::path::append(path, "libdevice.10.bc");
    if (sys::fs::exists(path))
      return std::string(path);
  }
  return {};
}

/// Links the libdevice functions `module` calls (__nv_*) into it and makes
/// them internal, so only what is used survives optimization.
static Error linkLibDevice(Module &module) {
  std::vector<std::string> needed;
  for (Function &fn : module)
    if (fn.isDeclaration() && fn.getName().starts_with("__nv_"))
      needed.push_back(fn.getName().str());
  if (needed.empty())
    return Error::success();
  std::string path = findLibDevice();
  if (path.empty())
    return createStringError(
        inconvertibleErrorCode(),
        "this module calls " + needed.front() +
            " from CUDA's libdevice, which was not found: install the CUDA "
            "toolkit or set WOOLY_LIBDEVICE to libdevice.10.bc");
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(), "cannot read " + path);
  auto library =
      parseBitcodeFile((*buffer)->getMemBufferRef(), module.getContext());
  if (!library)
    return library.takeError();
  (*library)->setTargetTriple(module.getTargetTriple());
  (*library)->setDataLayout(module.getDataLayout());
  if (Linker::linkModules(module, std::move(*library),
                          Linker::Flags::LinkOnlyNeeded))
    return createStringError(inconvertibleErrorCode(),
                             "linking libdevice (" + path + ") failed");
  for (Function &fn : module)
    if (!fn.isDeclaration() && fn.getName().starts_with("__nv_"))
      fn.setLinkage(GlobalValue::InternalLinkage);
  // libdevice asks __nvvm_reflect("__CUDA_FTZ"): WIS makes ftz explicit per
  // operation, so the library runs without flushing.
  module.addModuleFlag(Module::Override, "nvvm-reflect-ftz", uint32_t(0));
  return Error::success();
}

Expected<std::unique_ptr<Module>> lowerToLLVMIR(mlir::ModuleOp module,
                                                LLVMContext &context,
                                                const CodegenOptions &options) {
  if (Error err = checkArchitecture(options.arch))
    return std::move(err);
  NVPTXTargetInfo target(computeCapability(options.arch));
  if (Error err = gpu::lowerToLLVMDialect(module, target,
                                          "nvptx (" + options.arch + ")"))
    return std::move(err);
  // A module that cannot trap has no fault slot yet: the polls need one.
  if (options.pollEveryModule) {
    mlir::OpBuilder b(module.getContext());
    gpu::executorSlot(b, module, module.getLoc(), gpu::fault_abi::kGlobalName);
  }
  fenceOrderedAtomicRMW(module);
  exposeModuleVariables(module);
  auto translated = gpu::translateForTarget(
      module, context, "nvptx", [&] { return createTargetMachine(options); });
  if (!translated)
    return translated.takeError();
  std::unique_ptr<Module> llvmModule = std::move(*translated);
  // Before libdevice is linked: its (bounded) loops need no polls.
  insertFaultPolls(*llvmModule);
  if (Error err = linkLibDevice(*llvmModule))
    return std::move(err);
  // Before the optimizer, which cleans up after it (the dead scalar halves).
  packHalfPairs(*llvmModule);
  return llvmModule;
}

Expected<std::string> compileToPTX(mlir::ModuleOp module,
                                   const CodegenOptions &options) {
  LLVMContext context;
  auto llvmModule = lowerToLLVMIR(module, context, options);
  if (!llvmModule)
    return llvmModule.takeError();
  return emitPTX(**llvmModule, options);
}

} // namespace wooly::nvptx
