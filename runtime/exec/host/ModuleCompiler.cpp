//===- ModuleCompiler.cpp - WIS bytes to loaded host code, cached ---------===//

#include "runtime/exec/host/ModuleCompiler.h"
#include "runtime/exec/host/Preemption.h"

#include "compiler/ClientModule.h"
#include "compiler/target/common/RecoverableCodegen.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/HostCompiler.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <set>

namespace wooly::exec::host {

CompiledModule::~CompiledModule() = default;

namespace {

/// Process symbols compiled kernels may use: the C math library (LLVM turns
/// math intrinsics into these calls) and the memory builtins. Nothing else
/// of the server is reachable from client code.
bool isAllowedProcessSymbol(llvm::StringRef name) {
  static const std::set<std::string> allowed = [] {
    std::set<std::string> s = {"memcpy", "memmove", "memset", "__powisf2",
                               "__powidf2", "sincos", "sincosf"};
    for (const char *f :
         {"sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh",
          "tanh", "asinh", "acosh", "atanh", "exp", "exp2", "exp10", "expm1",
          "log", "log2", "log10", "log1p", "pow", "sqrt", "cbrt", "hypot",
          "fmod", "remainder", "erf", "erfc", "lgamma", "tgamma", "ldexp",
          "frexp", "fma", "fmin", "fmax", "floor", "ceil", "trunc", "round",
          "rint", "nearbyint", "roundeven", "copysign", "fabs"}) {
      s.insert(f);
      s.insert(std::string(f) + "f");
    }
    return s;
  }();
  return allowed.count(name.str()) != 0;
}

std::string hostFingerprint() {
  std::string s = llvm::sys::getHostCPUName().str();
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    if (f.second)
      s += "," + f.first().str();
  return s;
}

/// The build of the compiler in this process: size and modification time of
/// the file this code was loaded from (the daemon, the client shim library,
/// a test). A rebuilt compiler never reuses objects an older build left on
/// disk, even when a change to the generated code forgot to bump
/// kAbiVersion; a stat is cheap enough for every process start, where a hash
/// of the file would not be.
std::string compilerBuild() {
  Dl_info info{};
  struct stat st {};
  bool found =
      dladdr(reinterpret_cast<void *>(&compilerBuild), &info) &&
      info.dli_fname && *info.dli_fname && stat(info.dli_fname, &st) == 0;
  if (!found && stat("/proc/self/exe", &st) != 0)
    return "unknown";
  return std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

std::string cacheKey(std::span<const uint8_t> wis, bool fence) {
  static const std::string fingerprint = hostFingerprint() + "|" + compilerBuild();
  uint64_t h = llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(wis.data(), wis.size()));
  // "|poll2": polls that call __wooly_poll and may continue (a yield bit
  // in the cancel word); older objects would stop a block that is only
  // asked to yield, so they must not be reused. "-g34": fenced with the
  // offset guard (kFenceOffsetGuard).
  std::string salt = fingerprint + "|abi" +
                     std::to_string(wooly::host::kAbiVersion) + "|poll2|llvm" +
                     LLVM_VERSION_STRING + (fence ? "|fenced-g34-windows2" : "|open");
  uint64_t s = llvm::xxh3_64bits(llvm::StringRef(salt));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(h),
                static_cast<unsigned long long>(s));
  return buf;
}

Status compileError(const std::string &what, const std::string &details) {
  return Status::error(ErrorCode::CompileError,
                       what + (details.empty() ? "" : ":\n" + details));
}

Status makeJit(const std::string &object, CompiledModule &module) {
  // A disk-cache hit reaches here without compiling: register the target.
  wooly::host::initializeHostCodegen();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return compileError("host JIT unavailable",
                        llvm::toString(builder.takeError()));
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*builder))
                 .create();
  if (!jit)
    return compileError("cannot create the host JIT",
                        llvm::toString(jit.takeError()));
  llvm::orc::JITDylib &dylib = (*jit)->getMainJITDylib();
  llvm::orc::SymbolMap symbols;
  auto runtime = runtimeSymbols();
  // The poll's slow path (Preemption.h) lives beside the executor.
  runtime.push_back({"__wooly_poll", reinterpret_cast<void *>(&__wooly_poll)});
  for (auto [name, address] : runtime)
    symbols[(*jit)->mangleAndIntern(name)] = {
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (llvm::Error e = dylib.define(llvm::orc::absoluteSymbols(symbols)))
    return compileError("cannot define runtime symbols", llvm::toString(std::move(e)));
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix(),
      [](const llvm::orc::SymbolStringPtr &name) {
        return isAllowedProcessSymbol(*name);
      });
  if (!generator)
    return compileError("cannot search process symbols",
                        llvm::toString(generator.takeError()));
  dylib.addGenerator(std::move(*generator));
  if (llvm::Error e = (*jit)->addObjectFile(
          llvm::MemoryBuffer::getMemBufferCopy(object, "wooly-kernels")))
    return compileError("cannot load compiled kernels",
                        llvm::toString(std::move(e)));
  for (CompiledKernel &kernel : module.kernels) {
    // The backend picks the entry (block loops, barrier regions or fibers);
    // the object says which one it built.
    auto block = (*jit)->lookup(wooly::host::kBlockEntryPrefix + kernel.info.name);
    if (block) {
      kernel.info.perThread = false;
      kernel.entry = block->toPtr<EntryFn>();
      continue;
    }
    llvm::consumeError(block.takeError());
    auto thread = (*jit)->lookup(wooly::host::kThreadEntryPrefix + kernel.info.name);
    if (!thread)
      return compileError("cannot link kernel '" + kernel.info.name + "'",
                          llvm::toString(thread.takeError()));
    kernel.info.perThread = true;
    kernel.entry = thread->toPtr<EntryFn>();
  }
  module.jit = std::move(*jit);
  return Status::ok();
}

} // namespace

ModuleCompiler::ModuleCompiler(std::string dir)
    : cache(DiskCache::shared(dir.empty() ? DiskCache::defaultDirectory()
                                          : dir)) {}

CompileStats ModuleCompiler::stats() {
  std::lock_guard<std::mutex> lock(mutex);
  CompileStats out = counters;
  out.remembered = loaded.size();
  return out;
}

Status ModuleCompiler::load(std::span<const uint8_t> wis, bool fence,
                            std::shared_ptr<CompiledModule> &out) {
  if (wis.empty())
    return Status::error(ErrorCode::InvalidValue, "empty WIS module");
  std::string key = cacheKey(wis, fence);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = loaded.find(key); it != loaded.end())
      if ((out = it->second.lock())) {
        counters.memoryHits++;
        return Status::ok();
      }
  }

  // Parse and verify: the server trusts nothing a client sends.
  wooly::ClientModule client(wis);
  if (!client.module())
    return compileError(client.failure(), client.diagnostics());
  mlir::ModuleOp module = client.module();
  if (fence) {
    mlir::PassManager pm(&client.context());
    wooly::WoolyFenceAddressesOptions fencing;
    fencing.offsetGuard = kFenceOffsetGuard;
    // Host shared and local pointers are plain addresses: confine them too.
    fencing.confineWindows = true;
    pm.addPass(wooly::createWoolyFenceAddresses(fencing));
    if (mlir::failed(pm.run(module)))
      return compileError("address fencing failed", client.diagnostics());
  }

  auto compiled = std::make_shared<CompiledModule>();
  compiled->fenced = fence;
  wooly::host::HostModuleInfo info = wooly::host::analyzeHostModule(module);
  for (const auto &kernel : info.kernels)
    compiled->kernels.push_back({kernel, nullptr});
  compiled->dynamicSharedOffset = info.dynamicSharedOffset;
  if (fence) {
    if (std::optional<wooly::DataSegment> data = wooly::getDataSegment(module)) {
      compiled->segment.size = data->size;
      compiled->segment.align = data->alignment;
      compiled->segment.init = data->initialBytes;
      std::map<std::string, uint64_t> sizes(data->sizes.begin(), data->sizes.end());
      for (auto &[name, offset] : data->symbols)
        compiled->segment.symbols[name] = {offset, sizes[name]};
    }
  } else {
    compiled->segment.size = info.globalBytes;
    compiled->segment.align = info.globalAlign;
    compiled->segment.init = info.globalInit;
    for (const auto &var : info.variables)
      compiled->segment.symbols[var.name] = {var.offset, var.size};
  }

  std::string object;
  std::string name = "host-" + key + ".o";
  if (std::optional<std::string> cached = cache.read(name)) {
    object = std::move(*cached);
    compiled->fromDiskCache = true;
  } else {
    auto machine = wooly::host::createHostTargetMachine(3);
    if (!machine)
      return compileError("no host target", llvm::toString(machine.takeError()));
    llvm::LLVMContext llvmContext;
    llvm::SmallVector<char, 0> buffer;
    std::string failure;
    // A fatal error inside LLVM fails this compile, not the server. It
    // leaves the step without unwinding: what must be freed then (the IR
    // module) is held outside it.
    std::unique_ptr<llvm::Module> ir;
    std::optional<std::string> crash = wooly::runRecoverable([&] {
      auto lowered =
          wooly::host::lowerToHostIR(module, info, llvmContext, **machine, 3);
      if (!lowered) {
        failure = llvm::toString(lowered.takeError());
        return;
      }
      ir = std::move(*lowered);
      if (llvm::Error e = wooly::host::emitHostCode(
              *ir, **machine, wooly::host::HostEmitKind::Object, buffer))
        failure = llvm::toString(std::move(e));
    });
    if (crash)
      return compileError("host code generation failed", *crash);
    if (!failure.empty())
      return compileError("host code generation failed", failure);
    object.assign(buffer.begin(), buffer.end());
    cache.write(name, object);
  }
  Status s = makeJit(object, *compiled);
  if (!s)
    return s;
  std::lock_guard<std::mutex> lock(mutex);
  if (compiled->fromDiskCache)
    counters.diskHits++;
  else
    counters.compiles++;
  loaded[key] = compiled;
  if (loaded.size() >= sweepAt) {
    std::erase_if(loaded, [](const auto &entry) { return entry.second.expired(); });
    sweepAt = std::max(kFirstSweep, 2 * loaded.size());
  }
  out = std::move(compiled);
  return Status::ok();
}

} // namespace wooly::exec::host
