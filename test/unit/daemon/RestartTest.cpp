//===- RestartTest.cpp - woolyd replacing itself with a new process -------===//

#include "daemon/Restart.h"
#include "daemon/StopRequest.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
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

TEST_CASE("SIGTERM and SIGINT ask a serving woolyd to stop",
          "[restart][signals]") {
  CHECK(inChild([] {
          wooly::daemon::installStopHandlers();
          if (wooly::daemon::stopRequested())
            return 1;
          raise(SIGTERM);
          if (!wooly::daemon::stopRequested())
            return 2;
          // Asked to stop first: woolyd stops instead of restarting.
          return wooly::daemon::beginRestart() ? 3 : 0;
        }) == 0);
  CHECK(inChild([] {
          wooly::daemon::installStopHandlers();
          raise(SIGINT);
          return wooly::daemon::stopRequested() ? 0 : 1;
        }) == 0);
}

TEST_CASE("a stop signal while woolyd restarts ends it at once",
          "[restart][signals]") {
  // The flag would go with the old image at execv.
  CHECK(inChild([] {
          wooly::daemon::installStopHandlers();
          if (!wooly::daemon::beginRestart())
            return 1;
          raise(SIGTERM); // the handler exits with 0
          return 9;
        }) == 0);
  // Without the handlers (a new image not serving yet: execv leaves the
  // default actions; here Catch2's own handler goes first) the signal's
  // default action ends the process.
  CHECK(inChild([] {
          signal(SIGTERM, SIG_DFL);
          raise(SIGTERM);
          return 0;
        }) == 100 + SIGTERM);
}

TEST_CASE("the new process gets no file of the old one but stdin, stdout "
          "and stderr",
          "[restart]") {
  // A descriptor opened without O_CLOEXEC, as a driver's device file may
  // be: closed across the replacement.
  CHECK(inChild([] {
          int fd = open("/dev/null", O_RDONLY);
          if (fd < 3)
            return 1;
          std::string path = "/proc/self/fd/" + std::to_string(fd);
          replaceProcess("/bin/sh",
                         {"sh", "-c", "test ! -e " + path + " && test -e /proc/self/fd/2"});
          return 9;
        }) == 0);
}
