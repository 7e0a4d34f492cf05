//===- ModuleCompiler.h - WIS bytes to loaded host code, cached -*- C++ -*-===//
//
// Executor-wide: verifies a WIS module, fences it when asked, compiles it
// with the host backend (once per content hash: in memory, and as an object
// file under the cache folder so a second process does not compile again)
// and loads it into an ORC LLJIT. Loaded code is shared by every context
// that loads the same module: all per-context state reaches kernels through
// their thread context and parameters.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_MODULECOMPILER_H
#define WOOLY_RUNTIME_EXEC_HOST_MODULECOMPILER_H

#include "compiler/cache/DiskCache.h"
#include "compiler/target/host/HostCompiler.h"
#include "runtime/exec/host/DeviceRuntime.h"

#include <map>
#include <memory>
#include <mutex>
#include <span>

namespace llvm::orc {
class LLJIT;
}

namespace wooly::exec::host {

/// The offset guard host modules are fenced with (wooly-fence-addresses
/// offset-guard, docs/address-fencing.md): a base within 16 GiB of the
/// arena plus offsets bounded by 16 GiB. Fenced contexts therefore keep
/// twice that, plus slack for an access's width, reserved and inaccessible
/// on each side of their arena (Arena::reserve).
inline constexpr uint64_t kFenceOffsetGuard = 1ull << 34;
// DeviceRuntime.cpp guards each block's shared window with the same bound
// (kSharedGuardBytes): change both together.
inline constexpr uint64_t kArenaGuardBytes = 2 * kFenceOffsetGuard + (1ull << 20);

struct CompiledKernel {
  wooly::host::HostKernel info;
  EntryFn entry = nullptr;
};

/// A module's variables: one segment the context allocates in its arena.
struct VariableSegment {
  uint64_t size = 0, align = 1;
  std::string init;
  std::map<std::string, std::pair<uint64_t, uint64_t>> symbols; // offset, size
};

struct CompiledModule {
  ~CompiledModule();
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::vector<CompiledKernel> kernels;
  VariableSegment segment;
  bool fenced = false;
  uint64_t dynamicSharedOffset = 0;
  bool fromDiskCache = false;
};

struct CompileStats {
  uint64_t compiles = 0, memoryHits = 0, diskHits = 0;
  uint64_t remembered = 0; // entries of the in-memory cache, live or not
};

class ModuleCompiler {
public:
  explicit ModuleCompiler(std::string cacheDir);
  Status load(std::span<const uint8_t> wis, bool fence,
              std::shared_ptr<CompiledModule> &out);
  CompileStats stats();

private:
  DiskCache &cache;
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<CompiledModule>> loaded;
  /// loaded's size at which modules no context holds are dropped from it:
  /// a long-running server sees ever new modules, and each entry keeps its
  /// module's allocation (made together with the control block) alive.
  static constexpr size_t kFirstSweep = 16;
  size_t sweepAt = kFirstSweep;
  CompileStats counters;
};

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_MODULECOMPILER_H
