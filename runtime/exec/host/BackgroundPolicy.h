//===- BackgroundPolicy.h - Best-effort work under SCHED_IDLE ----*- C++ -*-===//
//
// How the host executor's workers put best-effort blocks under the OS's
// idle policy, and where they may.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_BACKGROUNDPOLICY_H
#define WOOLY_RUNTIME_EXEC_HOST_BACKGROUNDPOLICY_H

#include "runtime/exec/Executor.h"

namespace wooly::exec::host {

/// Runs best-effort thread blocks under SCHED_IDLE, so that on busy cores
/// other threads woken onto their core take it: the urgent worker with a
/// latency-sensitive block, the thread waiting for that launch, the
/// daemon's I/O and session threads. Nice 15 (used before) was not enough:
/// Linux (EEVDF) lets a thread that has just got the core keep it for its
/// time slice (~1.5 ms on 2 cores) even against a waking thread of higher
/// priority, and a scheduler trace of the 2-vCPU build VM showed the
/// latency-sensitive tail made of exactly that (bench/RESULTS.md, daemon,
/// 2026-11-26). A waking normal thread preempts a SCHED_IDLE one without
/// that protection, and a core that runs only SCHED_IDLE threads counts as
/// idle when the OS places a woken thread. Not a strict priority: EEVDF
/// picks among eligible threads, and a normal thread that has just run may
/// not be eligible while a SCHED_IDLE one is (seen in traces; pausing
/// instead, where this works, measured worse: bench/RESULTS.md, daemon,
/// session 6). The price: best-effort blocks get almost no CPU while other
/// programs on the machine want it (3 shares against 15 for a nice-19
/// thread; nice 15 had 36), which is what best effort means on a server
/// shared with anything.
///
/// A worker that demotes itself also raises its nice value to 19: a
/// thread that only changes its policy keeps the core (its priority number
/// stays 120, so Linux does not reschedule), and a thread woken onto that
/// core meanwhile (while the worker took the scheduler lock at normal
/// priority) waited for the next tick, up to 4 ms (scheduler traces,
/// 2026-11-26 session 6). A higher nice value is a lower priority, so the
/// core is rescheduled at once. Under SCHED_IDLE the nice value does not
/// change the thread's share.
///
/// A worker switches for each best-effort chunk only where it may return
/// to its normal policy and nice value afterwards (root, or an RLIMIT_NICE
/// that reaches its nice value): `usableHere()`. Elsewhere best-effort work
/// gets workers of its own that `enterForGood()` (HostExecutor,
/// ExecutorOptions::BestEffortYield).
class BackgroundPolicy {
public:
  /// Whether a thread may leave SCHED_IDLE and nice 19 again here (asked
  /// on the thread that creates the workers: they inherit its policy and
  /// nice value).
  static bool usableHere();
  /// Whether a thread may enter SCHED_IDLE at all (Linux allows it without
  /// privileges; a sandbox may not), tried on a thread of its own.
  static bool entryAllowed();
  /// Puts the calling thread under SCHED_IDLE at nice 19 for the rest of
  /// its life (a best-effort worker where it could not come back).
  static void enterForGood();

  /// A worker's policy: `usable` from usableHere(), or false to leave the
  /// thread as it is.
  explicit BackgroundPolicy(bool usable);
  /// Best-effort work under SCHED_IDLE at nice 19, other work as before.
  void forClass(PriorityClass priority);

private:
  void set(bool idle);
  bool usable;
  bool background = false;
  int normalNice = 0;
};

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_BACKGROUNDPOLICY_H
