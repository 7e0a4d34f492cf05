//===- DeadlineTimer.h - A one-shot timer with a thread of its own -------===//
//
// Runs a callback on its own thread when an absolute steady_clock deadline
// passes. Arming it is a syscall (timerfd_settime), not a wake-up of that
// thread: the connection's batch flusher used to be woken through a
// condition variable at the start of every batch, and that wake-up, landing
// on the caller's core, preempted the caller between its launch and its
// synchronize; on a loaded server the caller then sometimes waited a whole
// scheduler slice for its core (bench/RESULTS.md, daemon, session 6).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_DEADLINETIMER_H
#define WOOLY_RUNTIME_CLIENT_CORE_DEADLINETIMER_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace wooly::client {

class DeadlineTimer {
public:
  /// Starts the timer's thread (named `threadName`), disarmed. `onExpiry`
  /// may run after the deadline it was armed for has been replaced by a
  /// later one or disarmed (a race with arm/disarm): it checks its own state.
  DeadlineTimer(std::function<void()> onExpiry, const char *threadName);
  ~DeadlineTimer(); // stops the thread; no callback runs after it returns
  DeadlineTimer(const DeadlineTimer &) = delete;
  DeadlineTimer &operator=(const DeadlineTimer &) = delete;

  /// Fires once at `when` (replacing any earlier deadline). What the
  /// caller did before arming is visible to the callback it leads to.
  void arm(std::chrono::steady_clock::time_point when);
  void disarm();
  /// Whether the timer and its thread could be made (file descriptors).
  bool ok() const { return timer_ >= 0 && stop_ >= 0; }

private:
  void loop(std::string threadName);
  int timer_ = -1; // timerfd, CLOCK_MONOTONIC (steady_clock's clock)
  int stop_ = -1;  // eventfd that ends the thread
  /// Counts arms: the release by arm() and the acquire before the callback
  /// order the two threads (the timerfd orders them only in the kernel,
  /// outside the C++ memory model and invisible to ThreadSanitizer).
  std::atomic<uint64_t> arms_{0};
  std::function<void()> onExpiry_;
  std::thread thread_;
};

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_DEADLINETIMER_H
