//===- StopSignals.h - SIGINT and SIGTERM taken by woolyd's main loop -*- C++ -*-===//
//
// woolyd stops on SIGINT or SIGTERM. A handler that sets a flag loses a
// signal that arrives while woolyd replaces itself after a lost GPU context
// (daemon/Restart.h): the flag goes with the old image, and the new woolyd
// serves on, deaf to the operator who asked it to stop (seen on an H200).
// So the two signals are blocked instead, from before woolyd starts any
// thread (every thread, the driver's included, inherits the mask): a signal
// stays pending until the main loop takes it, and execv keeps both the mask
// and what is pending, so the new image takes it first thing.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_STOPSIGNALS_H
#define WOOLY_DAEMON_STOPSIGNALS_H

#include <chrono>
#include <csignal>

namespace wooly::daemon {

class StopSignals {
public:
  /// Blocks SIGINT and SIGTERM in the calling thread, and so in every
  /// thread it creates from now on. Construct before starting any thread.
  StopSignals();
  /// Unblocks them again (the process's earlier mask).
  ~StopSignals();
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;

  /// Waits up to `timeout` for SIGINT or SIGTERM; true (and the signal
  /// taken) when one came or was pending.
  bool wait(std::chrono::milliseconds timeout);
  /// One already pending, taken without waiting.
  bool pending() { return wait(std::chrono::milliseconds(0)); }
  /// The signal taken last (0: none yet).
  int taken() const { return taken_; }

private:
  sigset_t stop_;
  sigset_t before_;
  int taken_ = 0;
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_STOPSIGNALS_H
