//===- ControllerLink.cpp - Telemetry to wooly-controller -----------------===//
//
// Until the protocol library's ServerAgent is wired in, the daemon reports to
// its controller only through the log; `woolyd --status` has the same data.
//
//===----------------------------------------------------------------------===//
#include "daemon/StatusClient.h"

#include <atomic>
#include <cstdio>

namespace wooly::daemon {

std::function<void(const std::string &)>
controllerTelemetrySink(const std::string &url) {
  fprintf(stderr,
          "woolyd: warning: telemetry to the controller at %s is not built "
          "into this woolyd yet; use `woolyd --listen URL --status`\n",
          url.c_str());
  return nullptr;
}

} // namespace wooly::daemon
