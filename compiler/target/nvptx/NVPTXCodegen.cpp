//===- NVPTXCodegen.cpp - LLVM IR to PTX ----------------------------------===//

#include "compiler/target/nvptx/NVPTXCodegen.h"

#include "compiler/target/gpu/GpuCodegen.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <mutex>

extern "C" {
void LLVMInitializeNVPTXTargetInfo();
void LLVMInitializeNVPTXTarget();
void LLVMInitializeNVPTXTargetMC();
void LLVMInitializeNVPTXAsmPrinter();
}

using namespace llvm;

namespace wooly::nvptx {

const std::vector<std::string> &supportedArchitectures() {
  // LLVM 22's NVPTX processor list from sm_70 on (`llc -march=nvptx64
  // -mcpu=help`); the `a`/`f` forms enable the architecture-specific PTX.
  static const std::vector<std::string> archs = {
      "sm_70",  "sm_72",   "sm_75",  "sm_80",   "sm_86",   "sm_87",  "sm_89",
      "sm_90",  "sm_90a",  "sm_100", "sm_100a", "sm_100f", "sm_101", "sm_101a",
      "sm_103", "sm_103a", "sm_120", "sm_120a", "sm_121",  "sm_121a"};
  return archs;
}

Error checkArchitecture(StringRef arch) {
  for (const std::string &known : supportedArchitectures())
    if (arch == known)
      return Error::success();
  return createStringError(inconvertibleErrorCode(),
                           "unsupported NVIDIA architecture '" + arch +
                               "': use one of " +
                               join(supportedArchitectures(), ", "));
}

unsigned computeCapability(StringRef arch) {
  if (!arch.consume_front("sm_"))
    return 0;
  arch = arch.rtrim("af");
  unsigned value = 0;
  if (arch.getAsInteger(10, value))
    return 0;
  return value;
}

static void initializeNVPTX() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

Expected<std::unique_ptr<TargetMachine>>
createTargetMachine(const CodegenOptions &options) {
  if (Error err = checkArchitecture(options.arch))
    return std::move(err);
  initializeNVPTX();
  // LLVM defaults to the lowest PTX ISA that knows the SM (6.3 for sm_75),
  // which lacks instructions WIS uses (tanh.approx: 7.0). PTX 7.8 (CUDA
  // 11.8) is accepted by every driver and ptxas of CUDA 12 and 13; newer
  // SMs keep LLVM's higher default.
  std::string features = computeCapability(options.arch) < 90 ? "+ptx78" : "";
  return gpu::createTargetMachine({"NVPTX", kTriple, options.arch, features,
                                   std::nullopt, options.optLevel});
}

Expected<std::string> emitPTX(Module &module, const CodegenOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  SmallString<0> ptx;
  if (Error err = gpu::emitToBuffer(module, **machine, "NVPTX", options.arch,
                                    options.optLevel,
                                    CodeGenFileType::AssemblyFile, ptx))
    return std::move(err);
  return std::string(ptx.str());
}

} // namespace wooly::nvptx
