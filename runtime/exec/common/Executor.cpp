//===- Executor.cpp - createExecutor and what every executor shares -------===//

#include "runtime/exec/Executor.h"
#include "runtime/exec/common/Factories.h"

namespace wooly::exec {

namespace {
using Factory = Status (*)(const ExecutorOptions &, std::unique_ptr<Executor> &);

struct Kind {
  const char *name;
  Factory factory;
};

// Device executors first: "auto" prefers a GPU and falls back to the host.
std::vector<Kind> linkedKinds() {
  std::vector<Kind> kinds;
#ifdef WOOLY_EXEC_CUDA
  kinds.push_back({"cuda", &createCudaExecutor});
#endif
#ifdef WOOLY_EXEC_HIP
  kinds.push_back({"hip", &createHipExecutor});
#endif
#ifdef WOOLY_EXEC_HOST
  kinds.push_back({"host", &createHostExecutor});
#endif
  return kinds;
}
} // namespace

Status createExecutor(const std::string &kind, const ExecutorOptions &options,
                      std::unique_ptr<Executor> &out) {
  std::vector<Kind> kinds = linkedKinds();
  std::string tried;
  for (const Kind &k : kinds) {
    if (kind != "auto" && kind != k.name)
      continue;
    Status s = k.factory(options, out);
    if (s)
      return s;
    if (kind != "auto")
      return s;
    tried += std::string(tried.empty() ? "" : "; ") + k.name + ": " + s.message;
  }
  if (kind == "auto")
    return Status::error(ErrorCode::DeviceUnavailable,
                         "no executor could start (" +
                             (tried.empty() ? std::string("none linked") : tried) +
                             ")");
  std::string known;
  for (const Kind &k : kinds)
    known += std::string(known.empty() ? "" : ", ") + k.name;
  return Status::error(ErrorCode::InvalidValue,
                       "unknown executor '" + kind + "'; this build has: " +
                           (known.empty() ? "none" : known) + ", auto");
}

std::vector<std::string> availableExecutors() {
  std::vector<std::string> names;
  for (const Kind &k : linkedKinds()) {
    if (std::string(k.name) == "host") {
      names.push_back(k.name);
      continue;
    }
    // A GPU kind is available when its executor starts.
    std::unique_ptr<Executor> probe;
    if (k.factory({}, probe))
      names.push_back(k.name);
  }
  return names;
}

} // namespace wooly::exec
