//===- LaunchWatchdog.h - Stopping GPU kernels that run too long -*- C++ -*-===//
//
// The GPU executors' side of ExecutorOptions::launchTimeoutMs (woolyd
// --launch-timeout). A GPU kernel cannot be preempted from outside, but the
// cuda executor then compiles every module with the fault slot and loop
// polls (nvptx CodegenOptions::pollEveryModule), so writing "stop" into a
// session's fault record (FaultRecord::stop) ends its kernels at their next
// loop header, and the session gets LaunchTimeout.
//
// Every period the watchdog asks each session for the start of its oldest
// running kernel (LaunchTimer: the host time its stream reached it). A
// kernel that waits for SMs another session's runaway kernel holds looks
// as if it ran, so one pass stops at most one session, the one with the
// oldest start, and every kernel running at that moment gets a full limit
// again from then on.
//
// A kernel still running a limit (at least 1 s) after its session was
// stopped, or found overdue in a session that cannot be stopped (no polls:
// AMD code, WOOLY_GPU_TRAPS=driver; threads stuck at a counted barrier),
// would hold its SMs for good: the watchdog then gives up on the device
// (`giveUp`: the executor is lost, and woolyd restarts, which ends every
// kernel of the process, the other sessions' too).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_LAUNCHWATCHDOG_H
#define WOOLY_RUNTIME_EXEC_GPU_LAUNCHWATCHDOG_H

#include "runtime/exec/gpu/GpuTelemetry.h"

#include <condition_variable>
#include <mutex>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace wooly::exec::gpu {

/// What the watchdog needs of a session (GpuContext).
class WatchedSession {
public:
  virtual ~WatchedSession() = default;
  /// The host start time of the session's oldest running kernel, if any.
  virtual std::optional<uint64_t> oldestRunningStart() = 0;
  /// Stops the session's kernels for running past `limitMs`; false where
  /// they cannot be stopped (compiled without polls).
  virtual bool stopOverdue(uint64_t limitMs) = 0;
};

class LaunchWatchdog {
public:
  /// With `thread`, checks every limit/4 (1 to 100 ms) on a thread of its
  /// own; without, only when check() is called (tests). `giveUp` is told
  /// why, once, when a kernel cannot be stopped.
  LaunchWatchdog(uint64_t limitMs, HostClock clock,
                 std::function<void(const std::string &)> giveUp,
                 bool thread = true);
  ~LaunchWatchdog();
  LaunchWatchdog(const LaunchWatchdog &) = delete;
  LaunchWatchdog &operator=(const LaunchWatchdog &) = delete;

  uint64_t limitMs() const { return limit; }
  void add(WatchedSession *session);
  /// After it returns, no check uses `session` any more.
  void remove(WatchedSession *session);
  /// One pass: stops the session with the oldest overdue kernel, if any.
  void check();

private:
  void loop();

  const uint64_t limit;
  HostClock clock;
  std::mutex mutex;
  std::condition_variable stopRequested;
  bool stopping = false;
  std::set<WatchedSession *> sessions;
  /// Stopped (over for good: its error is sticky) or found unstoppable,
  /// with when: not picked again, so the others' overdue kernels are still
  /// seen; a kernel of theirs from before then still running a grace
  /// period later cannot be stopped.
  std::map<WatchedSession *, uint64_t> done;
  std::function<void(const std::string &)> giveUp;
  bool gaveUp = false;
  uint64_t lastStopNs = 0; // kernels running then got a new limit
  bool warned = false;     // about a session it could not stop
  std::thread worker;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_LAUNCHWATCHDOG_H
