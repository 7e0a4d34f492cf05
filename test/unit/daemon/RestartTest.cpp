//===- RestartTest.cpp - woolyd replacing itself with a new process -------===//

#include "daemon/Restart.h"
#include "daemon/StopRequest.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
  CHECK(executableProblem(ownExecutable()).empty());
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

// The second half of the next test, in a process run from a link to this
// test binary ($WOOLY_TEST_OWN_PATH): its file is replaced while it runs.
TEST_CASE("(run by the upgrade test) a replaced executable",
          "[.upgrade-child]") {
  const char *path = std::getenv("WOOLY_TEST_OWN_PATH");
  REQUIRE(path);
  REQUIRE(ownExecutable() == path);
  // As a package manager upgrades: a new file renamed over the old one.
  std::string next = std::string(path) + ".new";
  int fd = open(next.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0755);
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(rename(next.c_str(), path) == 0);
  char link[4096];
  ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
  REQUIRE(n > 0);
  REQUIRE(std::string(link, size_t(n)) == std::string(path) + " (deleted)");
  CHECK(ownExecutable() == path); // the new file, which a restart runs
  CHECK(executableProblem(path).empty());
  // Removed (an upgrade half done): said, with the path.
  REQUIRE(unlink(path) == 0);
  CHECK(executableProblem(path) ==
        std::string(path) + ": No such file or directory");
}

TEST_CASE("after an upgrade replaced woolyd's file, a restart runs the new "
          "one",
          "[restart]") {
  // This test binary, linked into a directory of its own beside it and run
  // from there, replaces that link as an upgrade would.
  std::string self = ownExecutable();
  std::string dir = self + ".upgrade-XXXXXX";
  REQUIRE(mkdtemp(dir.data()));
  std::string copy = dir + "/woolyd";
  REQUIRE(link(self.c_str(), copy.c_str()) == 0);
  int status = inChild([&] {
    setenv("WOOLY_TEST_OWN_PATH", copy.c_str(), 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    execl(copy.c_str(), copy.c_str(), "[upgrade-child]", nullptr);
    return 99;
  });
  unlink(copy.c_str());
  rmdir(dir.c_str());
  CHECK(status == 0);
}
