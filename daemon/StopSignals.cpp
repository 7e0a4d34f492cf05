//===- StopSignals.cpp - SIGINT and SIGTERM taken by woolyd's main loop ---===//

#include "daemon/StopSignals.h"

#include <cerrno>
#include <ctime>
#include <pthread.h>

namespace wooly::daemon {

StopSignals::StopSignals() {
  sigemptyset(&stop_);
  sigaddset(&stop_, SIGINT);
  sigaddset(&stop_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_, &before_);
}

StopSignals::~StopSignals() {
  // A signal still pending here would be delivered when the mask drops
  // and, with the default action, end the process: take them first.
  while (pending()) {
  }
  pthread_sigmask(SIG_SETMASK, &before_, nullptr);
}

bool StopSignals::wait(std::chrono::milliseconds timeout) {
  auto ms = timeout.count() < 0 ? 0 : timeout.count();
  timespec ts{time_t(ms / 1000), long(ms % 1000) * 1000000L};
  for (;;) {
    int sig = sigtimedwait(&stop_, nullptr, &ts);
    if (sig > 0) {
      taken_ = sig;
      return true;
    }
    // EINTR: another signal's handler ran (SIGPIPE is ignored, but the
    // driver may have its own); the remaining time is not worth tracking
    // for a loop that polls every tenth of a second.
    if (errno != EINTR)
      return false;
  }
}

} // namespace wooly::daemon
