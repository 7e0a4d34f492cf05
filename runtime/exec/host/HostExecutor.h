//===- HostExecutor.h - Kernels on this machine's CPU cores -----*- C++ -*-===//
//
// The host executor: per-context memory arenas, modules compiled by the host
// backend, streams and events with CUDA's asynchronous semantics, and one
// worker pool (one thread per core) that runs blocks of every context's
// launches. Workers take blocks from the highest priority class first and,
// within a class, from the context with the least weighted device time.
// Latency-sensitive launches also have workers of their own (one per core),
// so a latency-sensitive launch overtakes a long best-effort block mid-block:
// best-effort blocks run under SCHED_IDLE (on any worker where a thread may
// leave SCHED_IDLE again, else on workers of their own that stay under it),
// and the OS hands their core to the urgent worker at once; where SCHED_IDLE
// is refused, while latency-sensitive launches want cores, best-effort blocks
// pause at their kernels' poll points and continue afterwards
// (Preemption.h). A watchdog stops
// launches that run longer than ExecutorOptions::launchTimeoutMs (compiled
// loops poll a cancel word).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H
#define WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H

#include "runtime/exec/Executor.h"

#include <functional>

namespace wooly::exec::host {

/// Compile-cache counters of a host executor (for tests and benchmarks).
struct HostCompileCounters {
  uint64_t compiles = 0, memoryHits = 0, diskHits = 0;
  uint64_t remembered = 0; // entries of the in-memory cache, live or not
};
/// Valid only for executors made by createHostExecutor.
HostCompileCounters compileCounters(Executor &hostExecutor);

/// Preemption state of a host executor (for tests and benchmarks): pauses
/// of best-effort workers started so far, and how many are paused now.
struct HostPauseCounters {
  uint64_t pauses = 0;
  int32_t pausedNow = 0;
  /// Whether best-effort blocks pause at all (ExecutorOptions::bestEffortYield).
  bool pausing = true;
  /// Whether best-effort work runs on workers of its own under SCHED_IDLE.
  bool idleWorkers = false;
};
/// Valid only for executors made by createHostExecutor.
HostPauseCounters pauseCounters(Executor &hostExecutor);

/// The life of one latency-sensitive launch in a host executor, for finding
/// where its latency goes (bench/daemon --trace). Times are steady_clock
/// nanoseconds; 0 where the event did not happen.
struct LaunchTrace {
  uint64_t submitNs = 0; ///< queued on its stream
  uint64_t yieldNs = 0;  ///< the yield bit was set on best-effort launches for it
  uint64_t pickNs = 0;   ///< its first block claimed by a worker
  uint64_t startNs = 0;  ///< its first block started to run
  uint64_t endNs = 0;    ///< its last block returned
  uint64_t doneNs = 0;   ///< its completion signalled to waiters
  /// The latest pause of a best-effort worker that started between the
  /// submit and the completion.
  uint64_t pauseStartNs = 0;
  unsigned worker = 0;       ///< the worker that took its first block
  bool urgentWorker = false; ///< ... one of those that take only such work
  int cpu = -1;              ///< the CPU its first block started on
  uint32_t chunks = 0;       ///< claims its blocks were run in
  /// Best-effort workers running blocks and paused when the first block
  /// started.
  int32_t bestEffortRunning = 0, bestEffortPaused = 0;
  /// Context switches of its workers while running its blocks: involuntary
  /// ones mean another thread took the core from it.
  uint64_t involuntarySwitches = 0, voluntarySwitches = 0;
};
/// Calls `hook` (under the executor's lock: keep it short) when a launch
/// of a latency-sensitive context completes; null switches tracing off.
/// Costs nothing while off beyond a null check per launch. Valid only for
/// executors made by createHostExecutor.
void setLaunchTraceHook(Executor &hostExecutor,
                        std::function<void(const LaunchTrace &)> hook);

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTOR_H
