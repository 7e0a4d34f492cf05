//===- Preemption.h - Best-effort blocks that step aside --------*- C++ -*-===//
//
// The host executor runs whole thread blocks; a best-effort block already on
// a core delays a latency-sensitive block beside it, even at a low OS
// priority (the OS may let a running thread finish its slice before a woken
// one gets the core; only a thread that is not runnable surely leaves it).
// Compiled kernels poll the launch's cancel word (HostThreadContext::cancel)
// at long loop headers and between rows of threads
// (compiler/target/host/CancellationPolls.cpp). The word carries two
// requests:
//   kCancelBit  stop the launch (watchdog, trap, fault: LaunchState::fail);
//   kYieldBit   a worker running this launch may be wanted off its core.
// The poll's fast path (word == 0) is one relaxed load and a branch. On a
// nonzero word it calls __wooly_poll, which pauses the calling worker while
// the executor wants that many best-effort workers out of the way
// (PauseControl) and then returns 0, so the kernel continues where it
// stopped; it returns nonzero only when the launch is cancelled.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_PREEMPTION_H
#define WOOLY_RUNTIME_EXEC_HOST_PREEMPTION_H

#include <atomic>
#include <cstdint>

namespace wooly::exec::host {

inline constexpr uint32_t kCancelBit = 1; // what LaunchState::fail stores
inline constexpr uint32_t kYieldBit = 2;

/// How many pausable workers of one executor should be paused now. The
/// executor decides the number (under its lock); the workers themselves
/// claim and give back pause slots at their poll points, so exactly that
/// many pause, whichever launches they run.
class PauseControl {
public:
  /// Sets the number of workers that should be paused. Lowering it wakes
  /// the paused workers; as many as are no longer wanted leave the pause
  /// after a grace of 100 us (raising it again before that keeps them).
  /// Raising it needs the yield bit on the launches the workers run
  /// (requestYield), or nobody reaches the slow path to claim the slot.
  void setWanted(int32_t count);
  int32_t wanted() const { return want.load(std::memory_order_relaxed); }
  int32_t paused() const { return inPause.load(std::memory_order_acquire); }
  /// Pauses started so far (tests and benchmarks).
  uint64_t pauses() const { return started.load(std::memory_order_relaxed); }
  /// steady_clock nanoseconds at which the latest pause started (traces);
  /// written before the pause shows in paused().
  uint64_t lastPauseNs() const {
    return lastStartNs.load(std::memory_order_relaxed);
  }
  /// Wakes every paused worker to look at its launch again (after a
  /// cancel: LaunchState::fail does not know about paused workers).
  void poke();

  static void requestYield(std::atomic<uint32_t> &word) {
    word.fetch_or(kYieldBit, std::memory_order_relaxed);
  }

  /// The calling worker's binding for the poll: the control it answers to
  /// and the flag that says whether the work it runs now may pause
  /// (best-effort block loops; never latency-sensitive work, which would
  /// wait for itself). The executor may clear the flag while the worker is
  /// paused (the context became latency-sensitive); it pokes, and the
  /// worker leaves its pause.
  static void bindWorker(PauseControl *control, std::atomic<bool> *pausable);
  /// Nanoseconds this thread spent paused since the last call.
  static uint64_t takePausedNs();

  /// The slow path of a poll; `word` is the launch's cancel word.
  /// Returns true when the launch is cancelled.
  bool poll(std::atomic<uint32_t> &word);

private:
  bool claimSlot();
  bool leaveSlot();

  std::atomic<int32_t> want{0};
  std::atomic<int32_t> inPause{0};
  std::atomic<uint32_t> generation{0}; // futex word paused workers sleep on
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> lastStartNs{0};
};

} // namespace wooly::exec::host

/// What compiled code calls on a nonzero cancel word (registered for the
/// JIT by ModuleCompiler). Returns nonzero when the launch must stop.
extern "C" int32_t __wooly_poll(uint32_t *word);

#endif // WOOLY_RUNTIME_EXEC_HOST_PREEMPTION_H
