//===- Restart.cpp - woolyd replacing itself with a new process -----------===//

#include "daemon/Restart.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
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

void closeOnExecAbove(int lowest) {
  // /proc/self/fd lists exactly the open ones (no guessing a maximum).
  DIR *dir = opendir("/proc/self/fd");
  if (!dir)
    return;
  int own = dirfd(dir);
  while (dirent *entry = readdir(dir)) {
    char *end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (*end || end == entry->d_name || fd <= lowest || fd == own)
      continue;
    int flags = fcntl(int(fd), F_GETFD);
    if (flags >= 0)
      fcntl(int(fd), F_SETFD, flags | FD_CLOEXEC);
  }
  closedir(dir);
}

std::string replaceProcess(const std::string &program,
                           const std::vector<std::string> &args) {
  std::vector<char *> argv;
  for (const std::string &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  // Nothing of this process but stdin, stdout and stderr goes on: ZeroMQ's
  // sockets are close-on-exec already (the new process binds the same
  // endpoint), but a driver's device files may not be, and one left open
  // would keep the lost context, and its memory, alive beside the new one.
  closeOnExecAbove(STDERR_FILENO);
  execv(program.c_str(), argv.data());
  return "execv " + program + ": " + std::strerror(errno);
}

std::string executableProblem(const std::string &path) {
  if (access(path.c_str(), X_OK) != 0)
    return path + ": " + std::strerror(errno);
  return "";
}

std::string ownExecutable() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return "/proc/self/exe";
  std::string own(path, size_t(n));
  // An upgrade replaced the file this process runs (a package manager
  // renames the new one over it): the kernel names the old one
  // "PATH (deleted)", and the path itself holds the new woolyd, the one to
  // run.
  static const std::string deleted = " (deleted)";
  if (own.size() > deleted.size() &&
      own.compare(own.size() - deleted.size(), deleted.size(), deleted) == 0)
    own.resize(own.size() - deleted.size());
  return own;
}

} // namespace wooly::daemon
