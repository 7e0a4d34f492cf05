//===- HostCompiler.cpp - WIS to host machine code ------------------------===//

#include "compiler/target/host/HostCompiler.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/HostTargetInfo.h"
#include "compiler/target/host/LocalMemory.h"
#include "compiler/target/host/RegionSplit.h"

#include "mlir/IR/SymbolTable.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include <mutex>
#include <set>

using namespace mlir;

namespace wooly::host {
namespace {

/// Whether running `kernel` needs the fiber entry: block barriers or warp
/// collectives anywhere it can reach, or a thread-ending op in a device
/// function (a block loop cannot leave a callee early).
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

llvm::Value *fieldPtr(llvm::IRBuilder<> &b, llvm::Value *ctx, unsigned offset) {
  return b.CreateConstInBoundsGEP1_32(b.getInt8Ty(), ctx, offset);
}

/// The kernel's arguments, read from the argument buffer and the context.
llvm::SmallVector<llvm::Value *> kernelArguments(llvm::IRBuilder<> &b,
                                                 llvm::Function *kernel,
                                                 const HostKernel &info,
                                                 llvm::Value *ctx,
                                                 llvm::Value *args) {
  llvm::SmallVector<llvm::Value *> values{ctx};
  for (auto [i, param] : llvm::enumerate(info.params)) {
    llvm::Type *type = kernel->getFunctionType()->getParamType(i + 1);
    if (!param.hidden.empty()) {
      unsigned field = param.hidden == "arena_base"   ? offsets::arenaBase
                       : param.hidden == "arena_mask" ? offsets::arenaMask
                                                      : offsets::dataBase;
      values.push_back(b.CreateLoad(type, fieldPtr(b, ctx, field)));
    } else if (param.byValue) {
      values.push_back(fieldPtr(b, args, param.offset));
    } else {
      llvm::Value *slot = fieldPtr(b, args, param.offset);
      llvm::Value *v = b.CreateAlignedLoad(
          type->isIntegerTy(1) ? b.getInt8Ty() : type, slot,
          llvm::Align(param.align));
      if (type->isIntegerTy(1))
        v = b.CreateICmpNE(v, b.getInt8(0));
      values.push_back(v);
    }
  }
  return values;
}

/// for (i = 0; i < n; ++i) body(i), with the loop blocks created in `fn`.
void buildCountedLoop(llvm::IRBuilder<> &b, llvm::Value *n,
                      llvm::function_ref<void(llvm::Value *)> body,
                      const char *name) {
  llvm::LLVMContext &c = b.getContext();
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock *pre = b.GetInsertBlock();
  llvm::BasicBlock *header = llvm::BasicBlock::Create(c, name, fn);
  llvm::BasicBlock *exit = llvm::BasicBlock::Create(c, std::string(name) + ".end", fn);
  b.CreateCondBr(b.CreateICmpEQ(n, b.getInt32(0)), exit, header);
  b.SetInsertPoint(header);
  llvm::PHINode *i = b.CreatePHI(b.getInt32Ty(), 2, std::string(name) + ".i");
  i->addIncoming(b.getInt32(0), pre);
  body(i);
  llvm::Value *next = b.CreateNUWAdd(i, b.getInt32(1));
  i->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpULT(next, n), header, exit);
  b.SetInsertPoint(exit);
}

void buildRegionEntry(llvm::Module &m, const HostKernel &info,
                      llvm::Function *kernel, llvm::Function *entry);

void buildEntryPoint(llvm::Module &m, const HostKernel &info) {
  llvm::Function *kernel = m.getFunction(info.name);
  if (!kernel)
    return;
  llvm::LLVMContext &c = m.getContext();
  kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
  auto *ptr = llvm::PointerType::get(c, 0);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr},
                                       false);
  std::string name =
      (info.perThread ? kThreadEntryPrefix : kBlockEntryPrefix) + info.name;
  llvm::Function *entry = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
  llvm::Value *ctx = entry->getArg(0);
  llvm::Value *args = entry->getArg(1);
  if (info.perThread) {
    b.CreateCall(kernel, kernelArguments(b, kernel, info, ctx, args));
    b.CreateRetVoid();
    return;
  }

  // One block as loops over its threads. A private copy of the context
  // whose tid the loops write lets SROA turn tid reads into loop counters.
  kernel->addFnAttr(llvm::Attribute::AlwaysInline);
  if (info.regionFrameBytes) {
    buildRegionEntry(m, info, kernel, entry);
    return;
  }
  llvm::Value *local =
      b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), sizeof(HostThreadContext)));
  llvm::cast<llvm::AllocaInst>(local)->setAlignment(llvm::Align(16));
  b.CreateMemCpy(local, llvm::Align(16), ctx, llvm::Align(8),
                 sizeof(HostThreadContext));
  llvm::SmallVector<llvm::Value *> values =
      kernelArguments(b, kernel, info, local, args);
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateLoad(b.getInt32Ty(), fieldPtr(b, ctx, base + 4 * d));
  };
  llvm::Value *nx = dim(offsets::ntid, 0), *ny = dim(offsets::ntid, 1),
              *nz = dim(offsets::ntid, 2);
  llvm::Value *cancel =
      b.CreateLoad(ptr, fieldPtr(b, ctx, offsets::cancel), "cancel");
  llvm::BasicBlock *stop = nullptr;
  buildCountedLoop(b, nz, [&](llvm::Value *z) {
    b.CreateStore(z, fieldPtr(b, local, offsets::tid + 8));
    buildCountedLoop(b, ny, [&](llvm::Value *y) {
      b.CreateStore(y, fieldPtr(b, local, offsets::tid + 4));
      buildCountedLoop(b, nx, [&](llvm::Value *x) {
        b.CreateStore(x, fieldPtr(b, local, offsets::tid));
        b.CreateCall(kernel, values);
      }, "x");
      // A trap or the watchdog stops the block between rows of threads.
      llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), cancel);
      flag->setAtomic(llvm::AtomicOrdering::Monotonic);
      flag->setAlignment(llvm::Align(4));
      if (!stop)
        stop = llvm::BasicBlock::Create(c, "stop", entry);
      llvm::BasicBlock *go = llvm::BasicBlock::Create(c, "row.done", entry);
      b.CreateCondBr(b.CreateICmpNE(flag, b.getInt32(0)), stop, go);
      b.SetInsertPoint(go);
    }, "y");
  }, "z");
  b.CreateRetVoid();
  if (stop) {
    b.SetInsertPoint(stop);
    b.CreateRetVoid();
  }
}

/// The block entry of a region-split kernel: every live thread runs the
/// current region, then the block moves on to the region they all reached.
void buildRegionEntry(llvm::Module &m, const HostKernel &info,
                      llvm::Function *kernel, llvm::Function *entry) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptr = llvm::PointerType::get(c, 0);
  llvm::IRBuilder<> b(&entry->getEntryBlock());
  llvm::Value *ctx = entry->getArg(0);
  llvm::Value *args = entry->getArg(1);
  llvm::Value *local =
      b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), sizeof(HostThreadContext)));
  llvm::cast<llvm::AllocaInst>(local)->setAlignment(llvm::Align(16));
  b.CreateMemCpy(local, llvm::Align(16), ctx, llvm::Align(8),
                 sizeof(HostThreadContext));
  llvm::SmallVector<llvm::Value *> values =
      kernelArguments(b, kernel, info, local, args);
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateLoad(b.getInt32Ty(), fieldPtr(b, ctx, base + 4 * d));
  };
  llvm::Value *nx = dim(offsets::ntid, 0), *ny = dim(offsets::ntid, 1),
              *nz = dim(offsets::ntid, 2);
  llvm::Value *total = b.CreateZExt(b.CreateMul(b.CreateMul(nx, ny), nz), b.getInt64Ty());
  llvm::AllocaInst *frames = b.CreateAlloca(
      b.getInt8Ty(), b.CreateMul(total, b.getInt64(info.regionFrameBytes)));
  frames->setAlignment(llvm::Align(16));
  llvm::AllocaInst *done = b.CreateAlloca(b.getInt8Ty(), total);
  b.CreateMemSet(done, b.getInt8(0), total, llvm::MaybeAlign(1));
  b.CreateStore(frames, fieldPtr(b, local, offsets::scratch));
  llvm::AllocaInst *resume = b.CreateAlloca(b.getInt32Ty());
  llvm::AllocaInst *agreed = b.CreateAlloca(b.getInt32Ty());
  b.CreateStore(b.getInt32(0), resume);
  llvm::Value *cancel = b.CreateLoad(ptr, fieldPtr(b, ctx, offsets::cancel));
  llvm::FunctionCallee divergent = m.getOrInsertFunction(
      "__wooly_divergent_barrier",
      llvm::FunctionType::get(b.getVoidTy(), {ptr}, false));
  const uint32_t none = 0xFFFFFFFEu, finished = 0xFFFFFFFFu;

  llvm::BasicBlock *round = llvm::BasicBlock::Create(c, "round", entry);
  llvm::BasicBlock *stop = llvm::BasicBlock::Create(c, "stop", entry);
  b.CreateBr(round);
  b.SetInsertPoint(round);
  b.CreateStore(b.getInt32(none), agreed);
  b.CreateStore(b.CreateLoad(b.getInt32Ty(), resume), fieldPtr(b, local, offsets::resume));
  buildCountedLoop(b, nz, [&](llvm::Value *z) {
    b.CreateStore(z, fieldPtr(b, local, offsets::tid + 8));
    buildCountedLoop(b, ny, [&](llvm::Value *y) {
      b.CreateStore(y, fieldPtr(b, local, offsets::tid + 4));
      buildCountedLoop(b, nx, [&](llvm::Value *x) {
        b.CreateStore(x, fieldPtr(b, local, offsets::tid));
        auto wide = [&](llvm::Value *v) { return b.CreateZExt(v, b.getInt64Ty()); };
        llvm::Value *t = b.CreateAdd(
            wide(x), b.CreateMul(wide(nx), b.CreateAdd(wide(y), b.CreateMul(wide(ny), wide(z)))));
        llvm::Value *doneSlot = b.CreateGEP(b.getInt8Ty(), done, t);
        llvm::BasicBlock *run = llvm::BasicBlock::Create(c, "run", entry);
        llvm::BasicBlock *next = llvm::BasicBlock::Create(c, "next", entry);
        b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(b.getInt8Ty(), doneSlot), b.getInt8(0)),
                       next, run);
        b.SetInsertPoint(run);
        b.CreateStore(b.getInt32(finished), fieldPtr(b, local, offsets::next));
        b.CreateCall(kernel, values);
        llvm::Value *reached = b.CreateLoad(b.getInt32Ty(), fieldPtr(b, local, offsets::next));
        llvm::BasicBlock *ended = llvm::BasicBlock::Create(c, "ended", entry);
        llvm::BasicBlock *waits = llvm::BasicBlock::Create(c, "waits", entry);
        b.CreateCondBr(b.CreateICmpEQ(reached, b.getInt32(finished)), ended, waits);
        b.SetInsertPoint(ended);
        b.CreateStore(b.getInt8(1), doneSlot);
        b.CreateBr(next);
        b.SetInsertPoint(waits);
        llvm::Value *seen = b.CreateLoad(b.getInt32Ty(), agreed);
        llvm::Value *first = b.CreateICmpEQ(seen, b.getInt32(none));
        llvm::Value *same = b.CreateICmpEQ(seen, reached);
        llvm::BasicBlock *bad = llvm::BasicBlock::Create(c, "divergent", entry);
        llvm::BasicBlock *good = llvm::BasicBlock::Create(c, "agreed", entry);
        b.CreateCondBr(b.CreateOr(first, same), good, bad);
        b.SetInsertPoint(bad);
        b.CreateCall(divergent, {local});
        b.CreateRetVoid();
        b.SetInsertPoint(good);
        b.CreateStore(reached, agreed);
        b.CreateBr(next);
        b.SetInsertPoint(next);
      }, "x");
      llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), cancel);
      flag->setAtomic(llvm::AtomicOrdering::Monotonic);
      flag->setAlignment(llvm::Align(4));
      llvm::BasicBlock *go = llvm::BasicBlock::Create(c, "row.done", entry);
      b.CreateCondBr(b.CreateICmpNE(flag, b.getInt32(0)), stop, go);
      b.SetInsertPoint(go);
    }, "y");
  }, "z");
  llvm::Value *target = b.CreateLoad(b.getInt32Ty(), agreed);
  b.CreateStore(target, resume);
  b.CreateCondBr(b.CreateICmpEQ(target, b.getInt32(none)), stop, round);
  b.SetInsertPoint(stop);
  b.CreateRetVoid();
}

/// The watchdog's hook: every loop header polls the launch's cancel flag and
/// leaves the function when it is set, so an infinite loop ends. Loops that
/// provably run at most kUnpolledTrips times are left alone: they end by
/// themselves, and a poll (an atomic load) would keep them from vectorizing.
constexpr unsigned kUnpolledTrips = 4096;
void insertCancellationPolls(llvm::Module &m) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptr = llvm::PointerType::get(c, 0);
  llvm::FunctionCallee cancelled = m.getOrInsertFunction(
      "__wooly_cancelled", llvm::FunctionType::get(llvm::Type::getVoidTy(c),
                                                   {ptr}, false));
  for (llvm::Function &fn : m) {
    if (fn.isDeclaration() || fn.arg_size() == 0 ||
        !fn.getArg(0)->getType()->isPointerTy() ||
        fn.getName().starts_with("__wooly_"))
      continue;
    llvm::DominatorTree tree(fn);
    llvm::LoopInfo loops(tree);
    llvm::TargetLibraryInfoImpl libraryImpl(m.getTargetTriple());
    llvm::TargetLibraryInfo library(libraryImpl, &fn);
    llvm::AssumptionCache assumptions(fn);
    llvm::ScalarEvolution evolution(fn, library, assumptions, tree, loops);
    llvm::SmallVector<llvm::BasicBlock *> headers;
    for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
      unsigned trips = evolution.getSmallConstantMaxTripCount(loop);
      if (trips != 0 && trips <= kUnpolledTrips)
        continue;
      headers.push_back(loop->getHeader());
    }
    for (llvm::BasicBlock *header : headers) {
      llvm::IRBuilder<> b(&*header->getFirstInsertionPt());
      llvm::Value *flagPtr =
          b.CreateLoad(ptr, fieldPtr(b, fn.getArg(0), offsets::cancel));
      llvm::LoadInst *flag = b.CreateLoad(b.getInt32Ty(), flagPtr);
      flag->setAtomic(llvm::AtomicOrdering::Monotonic);
      flag->setAlignment(llvm::Align(4));
      llvm::Instruction *then = llvm::SplitBlockAndInsertIfThen(
          b.CreateICmpNE(flag, b.getInt32(0)), &*b.GetInsertPoint(),
          /*Unreachable=*/true);
      b.SetInsertPoint(then);
      b.CreateCall(cancelled, {fn.getArg(0)});
      if (fn.getReturnType()->isVoidTy())
        b.CreateRetVoid();
      else
        b.CreateRet(llvm::PoisonValue::get(fn.getReturnType()));
      then->eraseFromParent();
    }
  }
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
  // Barrier kernels that can be split into regions leave the fibers.
  std::vector<HostKernel> kernels = info.kernels;
  for (HostKernel &kernel : kernels) {
    llvm::Function *fn = m->getFunction(kernel.name);
    uint64_t frame = 0;
    if (kernel.perThread && fn && splitAtBarriers(*fn, frame)) {
      kernel.perThread = false;
      kernel.regionFrameBytes = frame;
    }
  }
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
  passes.run(module);
  return llvm::Error::success();
}

} // namespace wooly::host
