//===- StopRequest.cpp - SIGINT and SIGTERM asking woolyd to stop ---------===//

#include "daemon/StopRequest.h"

#include <csignal>
#include <unistd.h>

namespace wooly::daemon {

namespace {
volatile sig_atomic_t gStop = 0;
volatile sig_atomic_t gRestarting = 0;

void onStopSignal(int) {
  if (gRestarting) {
    // Only async-signal-safe calls here.
    static const char line[] = "woolyd: shutting down (stopped while "
                               "restarting)\n";
    ssize_t ignored = write(STDERR_FILENO, line, sizeof line - 1);
    (void)ignored;
    _exit(0);
  }
  gStop = 1;
}
} // namespace

void installStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stopRequested() { return gStop != 0; }

bool beginRestart() {
  // A signal after this store ends the process in its handler; one before
  // it left the flag, checked next.
  gRestarting = 1;
  if (gStop) {
    gRestarting = 0;
    return false;
  }
  return true;
}

} // namespace wooly::daemon
