//===- RestartTest.cpp - woolyd replacing itself with a new process -------===//

#include "daemon/Restart.h"

#include <catch2/catch.hpp>
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
