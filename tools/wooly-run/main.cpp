//===- main.cpp - wooly-run: run an unmodified CUDA program on Wooly -------===//
//
//   wooly-run [--server URL | --controller URL] [--verbose] PROGRAM [ARGS...]
//
// Puts Wooly's libcudart.so.13 / libcuda.so.1 first on LD_LIBRARY_PATH, passes
// the server choice through WOOLY_SERVER / WOOLY_CONTROLLER (neither: the
// embedded server in the program's own process), runs the program and exits
// with its exit status. --verbose sets WOOLY_LOG=1 (the runtime then says
// which server it uses and every failing call) and reports the run time.
//
//===----------------------------------------------------------------------===//
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <csignal>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t gChild = 0;
/// Signals meant for the program reach it (Ctrl-C, kill, a hang-up).
static void forward(int sig) {
  if (gChild > 0)
    kill(gChild, sig);
}

static int usage(const char *why) {
  if (why)
    fprintf(stderr, "wooly-run: %s\n", why);
  fprintf(stderr, "usage: wooly-run [--server URL | --controller URL] "
                  "[--verbose] PROGRAM [ARGS...]\n");
  return 1;
}

/// The folder holding the shims: $WOOLY_SHIM_DIR, else ../lib/wooly next to
/// this executable (the build tree and an install share that layout).
static std::string shimDirectory() {
  if (const char *d = getenv("WOOLY_SHIM_DIR"); d && *d)
    return d;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return "";
  self[n] = 0;
  std::string dir(self);
  dir = dir.substr(0, dir.rfind('/'));
  return dir + "/../lib/wooly";
}

int main(int argc, char **argv) {
  std::string server, controller;
  bool verbose = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--server" || a == "--controller") {
      if (i + 1 >= argc)
        return usage((a + " needs a URL").c_str());
      (a == "--server" ? server : controller) = argv[++i];
    } else if (a == "--verbose") {
      verbose = true;
    } else if (a == "--help" || a == "-h") {
      usage(nullptr);
      return 0;
    } else if (a == "--") {
      ++i;
      break;
    } else if (a.rfind("--", 0) == 0) {
      return usage(("unknown option '" + a + "'").c_str());
    } else {
      break;
    }
  }
  if (i >= argc)
    return usage("no PROGRAM given");
  if (!server.empty() && !controller.empty())
    return usage("--server and --controller exclude each other");

  std::string shims = shimDirectory();
  struct stat st;
  if (shims.empty() || stat((shims + "/libcudart.so.13").c_str(), &st) != 0) {
    fprintf(stderr,
            "wooly-run: cannot find Wooly's libcudart.so.13 in '%s' (build "
            "the project, or set WOOLY_SHIM_DIR)\n",
            shims.c_str());
    return 1;
  }
  std::string path = shims;
  if (const char *old = getenv("LD_LIBRARY_PATH"); old && *old)
    path += std::string(":") + old;
  setenv("LD_LIBRARY_PATH", path.c_str(), 1);
  if (!server.empty()) {
    setenv("WOOLY_SERVER", server.c_str(), 1);
    unsetenv("WOOLY_CONTROLLER");
  } else if (!controller.empty()) {
    setenv("WOOLY_CONTROLLER", controller.c_str(), 1);
    unsetenv("WOOLY_SERVER");
  }
  if (verbose) {
    setenv("WOOLY_LOG", "1", 1);
    const char *where = getenv("WOOLY_SERVER")       ? getenv("WOOLY_SERVER")
                        : getenv("WOOLY_CONTROLLER") ? getenv("WOOLY_CONTROLLER")
                                                     : "embedded (in-process)";
    fprintf(stderr, "wooly-run: running %s on %s, shims from %s\n", argv[i],
            where, shims.c_str());
  }

  auto start = std::chrono::steady_clock::now();
  pid_t child = fork();
  if (child < 0) {
    perror("wooly-run: fork");
    return 1;
  }
  if (child == 0) {
    // If wooly-run itself dies (kill -9), the program goes with it rather
    // than running on unseen.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
      _exit(127);
    execvp(argv[i], argv + i);
    fprintf(stderr, "wooly-run: cannot run '%s': %s\n", argv[i],
            strerror(errno));
    _exit(127);
  }
  gChild = child;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    signal(sig, forward);
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) {
      perror("wooly-run: waitpid");
      return 1;
    }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  int code;
  if (WIFEXITED(status)) {
    code = WEXITSTATUS(status);
  } else {
    int sig = WTERMSIG(status);
    fprintf(stderr, "wooly-run: %s was killed by signal %d (%s)\n", argv[i],
            sig, strsignal(sig));
    code = 128 + sig;
  }
  if (verbose)
    fprintf(stderr, "wooly-run: %s exited with %d after %.3f s\n", argv[i],
            code, seconds);
  return code;
}
