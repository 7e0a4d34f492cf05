//===- NVPTXCodegen.cpp - LLVM IR to PTX ----------------------------------===//

#include "compiler/target/nvptx/NVPTXCodegen.h"

#include "compiler/target/common/RecoverableCodegen.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

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

static CodeGenOptLevel codegenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return CodeGenOptLevel::None;
  case 1:
    return CodeGenOptLevel::Less;
  case 2:
    return CodeGenOptLevel::Default;
  default:
    return CodeGenOptLevel::Aggressive;
  }
}

Expected<std::unique_ptr<TargetMachine>>
createTargetMachine(const CodegenOptions &options) {
  if (Error err = checkArchitecture(options.arch))
    return std::move(err);
  initializeNVPTX();
  Triple triple(kTriple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "NVPTX target unavailable: " + error);
  TargetOptions targetOptions;
  // LLVM defaults to the lowest PTX ISA that knows the SM (6.3 for sm_75),
  // which lacks instructions WIS uses (tanh.approx: 7.0). PTX 7.8 (CUDA
  // 11.8) is accepted by every driver and ptxas of CUDA 12 and 13; newer
  // SMs keep LLVM's higher default.
  std::string features = computeCapability(options.arch) < 90 ? "+ptx78" : "";
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, options.arch, features, targetOptions, std::nullopt, std::nullopt,
      codegenLevel(options.optLevel)));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create an NVPTX target machine for " +
                                 options.arch);
  return machine;
}

void prepareModule(Module &module, TargetMachine &machine) {
  module.setTargetTriple(machine.getTargetTriple());
  module.setDataLayout(machine.createDataLayout());
}

void optimizeModule(Module &module, TargetMachine &machine, unsigned optLevel) {
  if (optLevel == 0)
    return;
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = optLevel == 1   ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager passes = builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

Expected<std::string> emitPTX(Module &module, const CodegenOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  prepareModule(module, **machine);

  std::string verifyMessage;
  raw_string_ostream verifyStream(verifyMessage);
  if (verifyModule(module, &verifyStream))
    return createStringError(inconvertibleErrorCode(),
                             "invalid LLVM IR for NVPTX: " + verifyMessage);

  std::string ptx;
  bool emitted = false;
  // Instruction selection reports what it cannot lower with a fatal error:
  // a bad kernel must fail its compile, not the server.
  std::optional<std::string> failure = runRecoverable([&] {
    optimizeModule(module, **machine, options.optLevel);
    raw_string_ostream stream(ptx);
    buffer_ostream buffered(stream);
    legacy::PassManager codegen;
    if ((*machine)->addPassesToEmitFile(codegen, buffered, nullptr,
                                        CodeGenFileType::AssemblyFile))
      return;
    codegen.run(module);
    emitted = true;
  });
  if (failure)
    return createStringError(inconvertibleErrorCode(),
                             "the NVPTX backend failed for " + options.arch +
                                 ": " + *failure);
  if (!emitted)
    return createStringError(inconvertibleErrorCode(),
                             "the NVPTX target cannot emit assembly");
  return ptx;
}

} // namespace wooly::nvptx
