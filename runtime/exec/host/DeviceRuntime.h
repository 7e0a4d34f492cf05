//===- DeviceRuntime.h - Running blocks of host-compiled kernels -*- C++ -*-===//
//
// A BlockRunner (one per worker thread) runs one block of a launch: either
// by calling the kernel's block entry (thread loops, HostABI.h) or by
// running one fiber per thread through the thread entry, switching at
// barriers and warp collectives. The runtime functions the compiled code
// calls (`__wooly_barrier`, `__wooly_shuffle`, `__wooly_trap`, ...) live
// here too. Faults in kernel code (SIGSEGV/SIGBUS/SIGILL/SIGFPE) end the
// launch with LaunchFailure instead of the process.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_DEVICERUNTIME_H
#define WOOLY_RUNTIME_EXEC_HOST_DEVICERUNTIME_H

#include "compiler/target/host/HostABI.h"
#include "runtime/exec/Executor.h"

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace wooly::exec::host {

using ::wooly::host::HostThreadContext;
using EntryFn = void (*)(HostThreadContext *, const uint8_t *);

/// What every block of one launch shares.
struct LaunchState {
  LaunchState();
  uint64_t serial; // unique per launch in this process
  std::atomic<uint32_t> cancel{0};
  std::mutex mutex;
  ErrorCode code = ErrorCode::Success;
  std::string message;
  std::string *printfSink = nullptr; // the context's printf buffer
  std::mutex *printfMutex = nullptr;

  /// Records the first error and tells every block to stop.
  void fail(ErrorCode error, std::string text);
  Status status();
};

struct BlockJob {
  EntryFn entry = nullptr;
  bool perThread = false;
  const uint8_t *args = nullptr;
  Dim3 grid, block;
  uint32_t dynamicSharedBytes = 0;
  uint64_t sharedWindowBytes = 0; // static + dynamic
  uint8_t *globals = nullptr;
  uint64_t arenaBase = 0, arenaMask = 0, dataBase = 0;
  LaunchState *launch = nullptr;
};

class BlockRunner {
public:
  explicit BlockRunner(unsigned workerIndex);
  ~BlockRunner();
  BlockRunner(const BlockRunner &) = delete;
  BlockRunner &operator=(const BlockRunner &) = delete;

  /// Runs block `blockId` of `job`; errors are recorded in job.launch.
  void run(const BlockJob &job, Dim3 blockId);

  struct Impl;

private:
  Impl *impl;
};

/// (Re)installs the handler that turns faults in kernel code into launch
/// errors; cheap enough to call once per launch.
void ensureFaultHandlers();

/// Name and address of every runtime function compiled kernels may call.
std::vector<std::pair<const char *, void *>> runtimeSymbols();

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_DEVICERUNTIME_H
