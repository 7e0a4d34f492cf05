//===- StatusJson.h - The telemetry document -----------------------------===//
//
// What the daemon sends the controller every interval and what
// `woolyd --status` prints: the device, its memory and load, and per-session
// usage (memory, kernel time, launches, queueing delay percentiles).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_STATUSJSON_H
#define WOOLY_DAEMON_STATUSJSON_H

#include "daemon/OperatorState.h"
#include "daemon/Session.h"

#include <optional>
#include <string>
#include <vector>

namespace wooly::daemon {

/// What an operator set for a tenant (woolyd --set-share, --set-quota, the
/// controller), and what the tenant's sessions hold.
struct TenantStatus : OperatorState::Tenant {
  uint64_t memoryUsed = 0;
};

struct StatusReport {
  std::string endpoint;
  exec::DeviceInfo device;
  uint64_t memoryUsed = 0;
  double busyFraction = 0;
  uint64_t moduleCompiles = 0, moduleHits = 0;
  bool draining = false; // refusing new sessions (operator or controller)
  bool restarting = false; // an operator's restart waits for the sessions
  uint64_t startedAtMs = 0; // when the server started, Unix ms
  std::string scheduling; // Executor::schedulingNote(); "" = not shown
  std::vector<SessionUsage> sessions;
  std::vector<TenantStatus> tenants; // those an operator set something for
};

std::string formatStatusJson(const StatusReport &report);
std::string jsonEscape(const std::string &s);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_STATUSJSON_H
