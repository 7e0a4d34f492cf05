//===- WakeSignal.h - Wake-ups that never wait for the woken -------------===//
//
// What the host executor's threads sleep on while they hold no work: idle
// workers until work is claimable, callers until their work completes.
// Used like a condition variable with the executor's mutex, but the
// notifier never blocks. glibc's pthread_cond_signal/broadcast may wait
// until waiters woken by an earlier signal have run (the group switch in
// __condvar_quiesce_and_switch_g1); a woken worker that is runnable but
// not running (behind a best-effort block, or not yet eligible under
// EEVDF) then held the daemon's session thread inside `enqueue` for up to
// a scheduler slice (bench/RESULTS.md, daemon, 2026-11-26 session 6).
//
// A waiter reads the epoch while it holds the mutex and sleeps on the
// futex until the epoch moves; a notifier changes the state under the
// mutex and moves the epoch (then or after unlocking), so a wake-up
// between the waiter's check and its sleep is never lost.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_WAKESIGNAL_H
#define WOOLY_RUNTIME_EXEC_HOST_WAKESIGNAL_H

#include "runtime/exec/host/Futex.h"

#include <atomic>
#include <climits>
#include <cstdint>
#include <mutex>

namespace wooly::exec::host {

class WakeSignal {
public:
  /// Sleeps until a notify after this call (or spuriously); `lock` is held
  /// on entry and on return, released while sleeping.
  void wait(std::unique_lock<std::mutex> &lock) {
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    uint32_t seen = epoch.load(std::memory_order_seq_cst);
    lock.unlock();
    futexWait(epoch, seen);
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    lock.lock();
  }
  template <typename Done>
  void wait(std::unique_lock<std::mutex> &lock, Done done) {
    while (!done())
      wait(lock);
  }
  /// Wakes one sleeper (a thread between its check and its sleep also
  /// sees the epoch move and stays awake).
  void notifyOne() { notify(1); }
  void notifyAll() { notify(INT_MAX); }

private:
  void notify(int count) {
    epoch.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_seq_cst))
      futexWake(epoch, count);
  }
  std::atomic<uint32_t> epoch{0};
  std::atomic<uint32_t> sleepers{0};
};

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_WAKESIGNAL_H
