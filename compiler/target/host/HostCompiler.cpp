//===- HostCompiler.cpp - WIS to host machine code ------------------------===//

#include "compiler/target/host/HostCompiler.h"
#include "compiler/target/common/RecoverableCodegen.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/HostTargetInfo.h"
#include "compiler/target/host/LocalMemory.h"
#include "compiler/target/host/RegionSplit.h"
#include "compiler/target/host/SharedAtomics.h"
#include "compiler/target/host/BlockEntry.h"
#include "compiler/target/host/CancellationPolls.h"
#include "compiler/target/host/FirstRound.h"

#include "mlir/IR/SymbolTable.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>
#include <set>

using namespace mlir;

namespace wooly::host {
namespace {

/// Whether running `kernel` needs more than block loops: block barriers or
/// warp collectives anywhere it can reach, or a thread-ending op in a device
/// function (a block loop cannot leave a callee early). Such kernels get
/// the fiber entry unless lowerToHostIR can split them into regions.
bool needsFibers(KernelOp kernel, ModuleOp module) {
  std::set<Operation *> seen;
  SmallVector<Operation *> work{kernel};
  while (!work.empty()) {
    Operation *fn = work.pop_back_val();
    if (!seen.insert(fn).second)
      continue;
    bool inKernel = isa<KernelOp>(fn);
    bool found = false;
    fn->walk([&](Operation *op) {
      if (isa<BarrierOp, BarrierReduceOp, WarpSyncOp, ShuffleOp, VoteOp,
              MatchOp, ReduxOp, ActiveMaskOp>(op) ||
          (!inKernel && isa<ExitOp, TrapOp, AssertFailOp>(op)))
        found = true;
      if (auto call = dyn_cast<CallOp>(op))
        if (Operation *callee =
                SymbolTable::lookupSymbolIn(module, call.getCalleeAttr()))
          work.push_back(callee);
    });
    if (found)
      return true;
  }
  return false;
}

HostKernel describeKernel(KernelOp kernel, ModuleOp module,
                          const VariableLayout &layout) {
  HostKernel info;
  info.name = kernel.getSymName().str();
  info.perThread = needsFibers(kernel, module);
  info.staticSharedBytes = static_cast<uint32_t>(layout.sharedBytes);
  if (auto max = kernel.getMaxThreads())
    info.maxThreadsPerBlock = *max;
  uint32_t offset = 0;
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    HostParam param;
    if (auto hidden = kernel.getArgAttrOfType<StringAttr>(i, "wooly.hidden")) {
      param.hidden = hidden.str();
      info.params.push_back(param);
      continue;
    }
    auto byvalSize = kernel.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_size");
    if (byvalSize) {
      param.byValue = true;
      param.size = static_cast<uint32_t>(byvalSize.getInt());
      auto align = kernel.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_align");
      param.align = align ? static_cast<uint32_t>(align.getInt()) : 8;
    } else {
      param.size = static_cast<uint32_t>(std::max<uint64_t>(1, getStorageSize(type)));
      param.align = param.size;
    }
    param.align = std::max<uint32_t>(1, param.align);
    offset = static_cast<uint32_t>(llvm::alignTo(offset, param.align));
    param.offset = offset;
    offset += param.size;
    info.params.push_back(param);
  }
  info.argBufferSize = offset;
  uint64_t local = 0;
  kernel.walk([&](LocalAllocaOp op) { local += op.getSize(); });
  info.localBytesPerThread = static_cast<uint32_t>(local);
  return info;
}

/// The bytes a variable starts with (zeros when uninitialised).
void writeInitializer(GlobalOp var, uint64_t offset, std::string &image) {
  std::optional<Attribute> init = var.getInitializer();
  if (!init)
    return;
  if (auto bytes = dyn_cast<StringAttr>(*init)) {
    std::copy(bytes.getValue().begin(), bytes.getValue().end(),
              image.begin() + offset);
    return;
  }
  auto dense = dyn_cast<DenseElementsAttr>(*init);
  if (!dense)
    return;
  uint64_t elementSize = getStorageSize(var.getElementType());
  uint64_t count = var.getCount();
  ArrayRef<char> raw = dense.getRawData();
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t from = dense.isSplat() ? 0 : i * elementSize;
    if (from + elementSize > raw.size())
      break;
    std::copy(raw.begin() + from, raw.begin() + from + elementSize,
              image.begin() + offset + i * elementSize);
  }
}

/// Removes attributes the LLVM IR export does not know.
void stripWoolyAttributes(ModuleOp module) {
  module.walk([](LLVM::LLVMFuncOp fn) {
    fn->removeAttr("wooly.kernel");
    auto function = cast<FunctionOpInterface>(fn.getOperation());
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      SmallVector<NamedAttribute> attrs(function.getArgAttrs(i));
      for (NamedAttribute attr : attrs)
        if (attr.getName().strref().starts_with("wooly."))
          function.removeArgAttr(i, attr.getName());
    }
  });
  for (NamedAttribute attr : module->getAttrs())
    if (attr.getName().strref().starts_with("wooly."))
      module->removeAttr(attr.getName());
}

void optimize(llvm::Module &m, llvm::TargetMachine &machine, unsigned level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = level >= 2;
  tuning.SLPVectorization = level >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel opt = level >= 3   ? llvm::OptimizationLevel::O3
                                : level == 2 ? llvm::OptimizationLevel::O2
                                : level == 1 ? llvm::OptimizationLevel::O1
                                             : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes =
      level == 0 ? builder.buildO0DefaultPipeline(opt)
                 : builder.buildPerModuleDefaultPipeline(opt);
  passes.run(m, mam);
}

} // namespace

HostModuleInfo analyzeHostModule(ModuleOp module) {
  HostModuleInfo info;
  VariableLayout layout = computeVariableLayout(module);
  for (KernelOp kernel : module.getOps<KernelOp>())
    info.kernels.push_back(describeKernel(kernel, module, layout));
  info.globalBytes = layout.globalBytes;
  info.globalAlign = layout.globalAlign;
  info.dynamicSharedOffset = layout.dynamicSharedOffset;
  info.globalInit.assign(layout.globalBytes, '\0');
  for (GlobalOp var : module.getOps<GlobalOp>()) {
    if (var.getSpace() == AddressSpace::Shared)
      continue;
    uint64_t offset = layout.offsets.lookup(var.getSymName());
    info.variables.push_back(
        {var.getSymName().str(), offset, var.getSizeInBytes()});
    writeInitializer(var, offset, info.globalInit);
  }
  return info;
}

void initializeHostCodegen() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel) {
  initializeHostCodegen();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(optLevel >= 2 ? llvm::CodeGenOptLevel::Aggressive
                              : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                              : llvm::CodeGenOptLevel::None);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder->createTargetMachine();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToHostIR(ModuleOp module, const HostModuleInfo &info,
              llvm::LLVMContext &context, llvm::TargetMachine &machine,
              unsigned optLevel) {
  VariableLayout layout = computeVariableLayout(module);
  HostTargetInfo target(layout);
  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << d.getLocation() << ": " << d << "\n";
      return success();
    });
    if (failed(lowerWISToLLVMDialect(module, target)))
      return llvm::createStringError("host lowering failed:\n" + diagnostics);
    stripWoolyAttributes(module);
  }
  std::unique_ptr<llvm::Module> m = translateToLLVMIR(module, context);
  if (!m)
    return llvm::createStringError("LLVM IR export failed:\n" + diagnostics);
  m->setDataLayout(machine.createDataLayout());
  m->setTargetTriple(machine.getTargetTriple());
  // Before anything moves allocas around (region frames, inlining).
  confineLocalMemory(*m);
  lowerSharedAtomics(*m);
  // Kernels with barriers or warp collectives that can be split into
  // regions leave the fibers.
  std::vector<HostKernel> kernels = info.kernels;
  for (HostKernel &kernel : kernels) {
    llvm::Function *fn = m->getFunction(kernel.name);
    RegionLayout region;
    if (kernel.perThread && fn && splitAtCuts(*fn, region)) {
      kernel.perThread = false;
      kernel.region = region;
    }
  }
  // Split kernels placed their escaping slots; the others' leave the stack
  // now.
  moveEscapingLocals(*m);
  // Block-loop kernels with a grid-stride loop: a first round for all
  // threads, then the rest (FirstRound.h); before the polls, so only the
  // rest variant's loop polls.
  for (const HostKernel &kernel : kernels)
    if (!kernel.perThread && !kernel.region.frameBytes)
      if (llvm::Function *fn = m->getFunction(kernel.name))
        splitFirstRound(*fn);
  insertCancellationPolls(*m);
  for (const HostKernel &kernel : kernels)
    buildEntryPoint(*m, kernel);
  std::string cpu = machine.getTargetCPU().str();
  std::string features = machine.getTargetFeatureString().str();
  for (llvm::Function &fn : *m) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", cpu);
    fn.addFnAttr("target-features", features);
    fn.addFnAttr(llvm::Attribute::NoUnwind);
  }
  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(*m, &os))
    return llvm::createStringError("host backend produced invalid IR: " + broken);
  optimize(*m, machine, optLevel);
  return m;
}

llvm::Error emitHostCode(llvm::Module &module, llvm::TargetMachine &machine,
                         HostEmitKind kind, llvm::SmallVectorImpl<char> &out) {
  llvm::legacy::PassManager passes;
  llvm::raw_svector_ostream os(out);
  auto type = kind == HostEmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                           : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(passes, os, nullptr, type))
    return llvm::createStringError("the host target cannot emit this file type");
  // Instruction selection reports what it cannot lower with a fatal error,
  // which fails this compile instead of the process. `passes` owns the
  // machine functions and lives outside the recoverable step, so a failed
  // compile frees them (a fatal error leaves the step without unwinding).
  if (std::optional<std::string> crash =
          wooly::runRecoverable([&] { passes.run(module); }))
    return llvm::createStringError("host code generation failed: " + *crash);
  return llvm::Error::success();
}

} // namespace wooly::host
