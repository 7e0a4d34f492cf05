//===- RestartTest.cpp - woolyd replacing itself with a new process -------===//

#include "daemon/Restart.h"
#include "daemon/StopSignals.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <functional>
#include <sys/wait.h>
#include <unistd.h>

using namespace wooly::daemon;

TEST_CASE("a restarted woolyd listens where the old one was bound",
          "[restart]") {
  const char *argv[] = {"woolyd", "--executor", "cuda", "--listen",
                        "tcp://127.0.0.1:*", "--insecure"};
  auto args = restartArguments(6, const_cast<char **>(argv),
                               "tcp://127.0.0.1:41234");
  CHECK(args == std::vector<std::string>{"woolyd", "--executor", "cuda",
                                         "--listen", "tcp://127.0.0.1:41234",
                                         "--insecure"});
  // Only the value after --listen changes, wherever it is.
  const char *other[] = {"woolyd", "--listen", "ipc:///tmp/w.sock"};
  CHECK(restartArguments(3, const_cast<char **>(other), "ipc:///tmp/w.sock") ==
        std::vector<std::string>{"woolyd", "--listen", "ipc:///tmp/w.sock"});
}

TEST_CASE("replacing the process runs the new program in it", "[restart]") {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    replaceProcess("/bin/sh", {"sh", "-c", "exit 42"});
    _exit(1); // only if execv failed
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
  // A program that is not there: the reason, and this process goes on.
  std::string why = replaceProcess("/nonexistent/woolyd", {"woolyd"});
  CHECK(why.find("/nonexistent/woolyd") != std::string::npos);
  CHECK(ownExecutable().find("daemon-core") != std::string::npos);
}

namespace {
/// Runs `body` in a child process (signal masks and pending signals stay
/// out of this one); its exit status.
int inChild(const std::function<int()> &body) {
  pid_t child = fork();
  if (child == 0)
    _exit(body());
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}
} // namespace

TEST_CASE("SIGTERM and SIGINT wait for woolyd's loop to take them",
          "[restart][signals]") {
  CHECK(inChild([] {
          wooly::daemon::StopSignals stop;
          if (stop.pending())
            return 1;
          if (stop.wait(std::chrono::milliseconds(20)))
            return 2;
          kill(getpid(), SIGTERM); // blocked: pending, not fatal
          if (!stop.wait(std::chrono::milliseconds(1000)) ||
              stop.taken() != SIGTERM)
            return 3;
          raise(SIGINT);
          if (!stop.pending() || stop.taken() != SIGINT)
            return 4;
          return stop.pending() ? 5 : 0; // each is taken once
        }) == 0);
}

TEST_CASE("a stop signal that comes while woolyd replaces itself reaches "
          "the new process",
          "[restart][signals]") {
  // The new program inherits the blocked mask and the pending SIGTERM
  // (bit 14 of the process's shared pending set).
  CHECK(inChild([] {
          wooly::daemon::StopSignals stop;
          kill(getpid(), SIGTERM);
          replaceProcess("/bin/grep", {"grep", "-q", "^ShdPnd:.*4000$",
                                       "/proc/self/status"});
          return 9;
        }) == 0);
  // Without StopSignals the signal ends the process at once.
  CHECK(inChild([] {
          kill(getpid(), SIGTERM);
          return 0;
        }) == 100 + SIGTERM);
}
