//===- GpuCodegen.cpp - LLVM IR to machine code, for any GPU target -------===//

#include "compiler/target/gpu/GpuCodegen.h"

#include "compiler/target/common/RecoverableCodegen.h"
#include "compiler/target/gpu/CallLoopsRolled.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

namespace wooly::gpu {

CodeGenOptLevel codegenLevel(unsigned optLevel) {
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
createTargetMachine(const TargetMachineRequest &request) {
  Triple triple(request.triple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             request.vendor + " target unavailable: " + error);
  TargetOptions targetOptions;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, request.cpu, request.features, targetOptions, request.relocation,
      std::nullopt, codegenLevel(request.optLevel)));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create an " + request.vendor +
                                 " target machine for " + request.cpu);
  return machine;
}

void prepareModule(Module &module, TargetMachine &machine) {
  module.setTargetTriple(machine.getTargetTriple());
  module.setDataLayout(machine.createDataLayout());
}

void internalizeDeviceFunctions(Module &module) {
  for (Function &fn : module) {
    CallingConv::ID cc = fn.getCallingConv();
    if (fn.isDeclaration() || cc == CallingConv::PTX_Kernel ||
        cc == CallingConv::AMDGPU_KERNEL)
      continue;
    fn.setLinkage(GlobalValue::InternalLinkage);
  }
}

void optimizeModule(Module &module, TargetMachine &machine, unsigned optLevel) {
  if (optLevel == 0)
    return;
  internalizeDeviceFunctions(module);
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
  builder.registerVectorizerStartEPCallback(
      [](FunctionPassManager &passes, OptimizationLevel) {
        passes.addPass(CallLoopsRolledPass());
      });
  OptimizationLevel level = optLevel == 1   ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager passes = builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

Error emitToBuffer(Module &module, TargetMachine &machine, StringRef vendor,
                   StringRef arch, unsigned optLevel, CodeGenFileType kind,
                   SmallVectorImpl<char> &out) {
  prepareModule(module, machine);
  std::string verifyMessage;
  raw_string_ostream verifyStream(verifyMessage);
  if (verifyModule(module, &verifyStream))
    return createStringError(inconvertibleErrorCode(), "invalid LLVM IR for " +
                                                           vendor + ": " +
                                                           verifyMessage);
  bool emitted = false;
  // Instruction selection reports what it cannot lower with a fatal error:
  // a bad kernel must fail its compile, not the server. The pass manager
  // lives outside the recoverable step: a fatal error jumps out of it
  // without unwinding, and the machine functions it owns (hundreds of KiB)
  // would leak with every such compile; destroyed here, they do not.
  raw_svector_ostream stream(out);
  legacy::PassManager codegen;
  std::optional<std::string> failure = runRecoverable([&] {
    optimizeModule(module, machine, optLevel);
    if (machine.addPassesToEmitFile(codegen, stream, nullptr, kind))
      return;
    codegen.run(module);
    emitted = true;
  });
  if (failure)
    return createStringError(inconvertibleErrorCode(),
                             "the " + vendor + " backend failed for " + arch +
                                 ": " + *failure);
  if (!emitted)
    return createStringError(inconvertibleErrorCode(),
                             "the " + vendor + " target cannot emit " +
                                 (kind == CodeGenFileType::AssemblyFile
                                      ? "assembly"
                                      : "this file type"));
  return Error::success();
}

} // namespace wooly::gpu
