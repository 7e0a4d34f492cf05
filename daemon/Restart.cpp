//===- Restart.cpp - woolyd replacing itself with a new process -----------===//

#include "daemon/Restart.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace wooly::daemon {

std::vector<std::string> restartArguments(int argc, char **argv,
                                          const std::string &endpoint) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i + 1 < args.size(); ++i)
    if (args[i] == "--listen") {
      args[i + 1] = endpoint;
      break;
    }
  return args;
}

std::string replaceProcess(const std::string &program,
                           const std::vector<std::string> &args) {
  std::vector<char *> argv;
  for (const std::string &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  // ZeroMQ's sockets are close-on-exec: the new process can bind the same
  // endpoint. Everything else of this process ends here.
  execv(program.c_str(), argv.data());
  return "execv " + program + ": " + std::strerror(errno);
}

std::string ownExecutable() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return "/proc/self/exe";
  return std::string(path, size_t(n));
}

} // namespace wooly::daemon
