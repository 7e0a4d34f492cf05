//===- HostExecutor.h - Kernels on this machine's CPU cores -----*- C++ -*-===//
//
// The host executor: per-context memory arenas, modules compiled by the host
// backend, streams and events with CUDA's asynchronous semantics, and one
// worker pool (one thread per core) that runs blocks of every context's
// launches. Workers take blocks from the highest priority class first and,
// within a class, from the context with the least weighted device time.
// Latency-sensitive launches also have workers of their own (one per core),
// and while they want cores, best-effort blocks pause at their kernels' poll
// points and continue afterwards (Preemption.h), so a latency-sensitive
// launch overtakes a long best-effort block mid-block. A watchdog stops
// launches that run longer than ExecutorOptions::launchTimeoutMs (compiled
// loops poll a cancel word).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H
#define WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H

#include "runtime/exec/Executor.h"

namespace wooly::exec::host {

/// Compile-cache counters of a host executor (for tests and benchmarks).
struct HostCompileCounters {
  uint64_t compiles = 0, memoryHits = 0, diskHits = 0;
};
/// Valid only for executors made by createHostExecutor.
HostCompileCounters compileCounters(Executor &hostExecutor);

/// Preemption state of a host executor (for tests and benchmarks): pauses
/// of best-effort workers started so far, and how many are paused now.
struct HostPauseCounters {
  uint64_t pauses = 0;
  int32_t pausedNow = 0;
};
/// Valid only for executors made by createHostExecutor.
HostPauseCounters pauseCounters(Executor &hostExecutor);

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H
