//===- ModuleCache.h - Verify and compile each WIS module once ------------===//
//
// Keyed by the SHA-256 of the module's bytes (the server serves one device,
// so the device is implicit). The first session to load a module pays for
// verification and compilation inside the executor's loadModule; sessions
// asking for the same module at the same time wait for that one compile
// instead of starting their own, then load the compiled result from the
// executor's cache. A module that failed to compile is remembered with its
// error, so a client cannot make the server recompile bad input in a loop.
// What is remembered is bounded (oldest first out): a long-running server
// whose clients bring ever new modules (generated kernels) must not grow
// without end. A module forgotten is compiled again if it comes back.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_MODULECACHE_H
#define WOOLY_DAEMON_MODULECACHE_H

#include "runtime/exec/Executor.h"

#include <array>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

namespace wooly::daemon {

using Sha256 = std::array<uint8_t, 32>;
Sha256 sha256(std::span<const uint8_t> bytes);
std::string toHex(const Sha256 &hash);

class ModuleCache {
public:
  /// How many compiled or failed modules a woolyd remembers.
  static constexpr size_t kDefaultCapacity = 4096;
  explicit ModuleCache(size_t capacity = kDefaultCapacity)
      : capacity_(capacity) {}

  exec::Status load(exec::Context &context, std::span<const uint8_t> wis,
                    exec::ModuleId &out);

  struct Counters {
    uint64_t compiles = 0; // first loads of a hash (success or failure)
    uint64_t hits = 0;     // loads of a hash already compiled
    uint64_t rejected = 0; // loads refused from the remembered failure
  };
  Counters counters() const;
  /// Modules remembered now (compiled, failed or compiling).
  size_t size() const;

private:
  /// Forgets the oldest settled modules beyond the capacity.
  void trim();

  struct Entry {
    enum State { Compiling, Ready, Failed } state = Compiling;
    exec::Status failure;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<Sha256, Entry> entries_;
  std::deque<Sha256> settled_; // oldest first, each settled entry once
  size_t capacity_;
  Counters counters_;
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_MODULECACHE_H
