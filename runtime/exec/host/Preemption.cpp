//===- Preemption.cpp - Best-effort blocks that step aside ----------------===//

#include "runtime/exec/host/Preemption.h"
#include "runtime/exec/host/Futex.h"

#include <chrono>
#include <climits>

namespace wooly::exec::host {

namespace {

thread_local PauseControl *boundControl = nullptr;
thread_local std::atomic<bool> *pausableWork = nullptr;
thread_local uint64_t pausedNs = 0;

uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

/// A cancel is not a futex wake (LaunchState::fail only stores), so paused
/// workers also look again on their own now and then.
constexpr long kRecheckNs = 5'000'000;
/// How long a paused worker stays paused after it is no longer wanted.
/// The end of a latency-sensitive launch wakes the thread waiting for it;
/// a best-effort worker that resumes at that very moment competes with it
/// for the core, and won often enough to make the p99 (it is eligible to
/// run when the waiter is not yet, and then keeps the core for its time
/// slice: bench/RESULTS.md, daemon, 2026-11-26). A tenant that launches
/// again at once finds the worker still paused.
constexpr uint64_t kLeaveGraceNs = 100'000;

bool cancelled(std::atomic<uint32_t> &word) {
  return (word.load(std::memory_order_relaxed) & kCancelBit) != 0;
}

} // namespace

void PauseControl::setWanted(int32_t count) {
  int32_t old = want.exchange(count, std::memory_order_acq_rel);
  if (count < old)
    poke();
}

void PauseControl::poke() {
  generation.fetch_add(1, std::memory_order_release);
  futexWake(generation, INT_MAX);
}

void PauseControl::bindWorker(PauseControl *control,
                              std::atomic<bool> *pausable) {
  boundControl = control;
  pausableWork = pausable;
}

namespace {
bool mayPause() {
  return pausableWork && pausableWork->load(std::memory_order_acquire);
}
} // namespace

uint64_t PauseControl::takePausedNs() {
  uint64_t ns = pausedNs;
  pausedNs = 0;
  return ns;
}

bool PauseControl::claimSlot() {
  int32_t p = inPause.load(std::memory_order_relaxed);
  while (p < want.load(std::memory_order_acquire))
    if (inPause.compare_exchange_weak(p, p + 1, std::memory_order_acq_rel))
      return true;
  return false;
}

bool PauseControl::leaveSlot() {
  int32_t p = inPause.load(std::memory_order_relaxed);
  while (p > want.load(std::memory_order_acquire))
    if (inPause.compare_exchange_weak(p, p - 1, std::memory_order_acq_rel))
      return true;
  return false;
}

bool PauseControl::poll(std::atomic<uint32_t> &word) {
  for (;;) {
    uint32_t w = word.load(std::memory_order_relaxed);
    if (w & kCancelBit)
      return true;
    if (!(w & kYieldBit))
      return false;
    // The start time is published before the slot is taken: whoever sees
    // the worker paused (paused(), a trace at the urgent launch's end) must
    // see when it paused. Only where a slot is free: a worker that then
    // loses the race for it leaves its own time, a moment after the
    // winner's.
    uint64_t start = nowNs();
    if (inPause.load(std::memory_order_relaxed) <
        want.load(std::memory_order_acquire))
      lastStartNs.store(start, std::memory_order_relaxed);
    if (claimSlot()) {
      started.fetch_add(1, std::memory_order_relaxed);
      uint64_t leaveAt = 0; // when the grace ends, once no longer wanted
      for (;;) {
        uint32_t seen = generation.load(std::memory_order_acquire);
        if (cancelled(word) || !mayPause()) {
          inPause.fetch_sub(1, std::memory_order_acq_rel);
          break;
        }
        long sleepNs = kRecheckNs;
        if (inPause.load(std::memory_order_acquire) >
            want.load(std::memory_order_acquire)) {
          uint64_t now = nowNs();
          if (!leaveAt)
            leaveAt = now + kLeaveGraceNs;
          if (now >= leaveAt && leaveSlot())
            break;
          sleepNs = static_cast<long>(leaveAt > now ? leaveAt - now : 1000);
        } else {
          leaveAt = 0; // wanted again
        }
        // Sleep, not spin: a thread that stays runnable here, even one
        // that keeps calling sched_yield, may be given the core back
        // before the latency-sensitive threads it steps aside for (an
        // earlier version spun for 200 us first).
        futexWait(generation, seen, sleepNs);
      }
      pausedNs += nowNs() - start;
      // Continue the kernel; if the executor still wants a pause, the bit
      // is still set and the next poll claims again.
      return cancelled(word);
    }
    // Nobody needs this worker to pause: back to the fast path. A slot may
    // have opened between the claim and the clear (the executor raises
    // `want` before it sets bits): then ask again.
    word.fetch_and(~kYieldBit, std::memory_order_relaxed);
    if (inPause.load(std::memory_order_acquire) >=
        want.load(std::memory_order_acquire))
      return cancelled(word);
    word.fetch_or(kYieldBit, std::memory_order_relaxed);
  }
}

} // namespace wooly::exec::host

extern "C" int32_t __wooly_poll(uint32_t *raw) {
  using namespace wooly::exec::host;
  // The word is a LaunchState's std::atomic<uint32_t> (DeviceRuntime sets
  // HostThreadContext::cancel to its address).
  auto &word = *reinterpret_cast<std::atomic<uint32_t> *>(raw);
  if (boundControl && mayPause())
    return boundControl->poll(word) ? 1 : 0;
  // Not a worker that may pause (latency-sensitive work, fibers, a thread
  // outside the pool): drop a stale yield request and go on.
  if (!cancelled(word))
    word.fetch_and(~kYieldBit, std::memory_order_relaxed);
  return cancelled(word) ? 1 : 0;
}
