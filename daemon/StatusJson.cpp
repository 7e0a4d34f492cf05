//===- StatusJson.cpp - The telemetry document ---------------------------===//
#include "daemon/StatusJson.h"
#include "daemon/PriorityNames.h"

#include <cstdio>

namespace wooly::daemon {

std::string jsonEscape(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string formatStatusJson(const StatusReport &r) {
  auto str = [](const std::string &s) { return "\"" + jsonEscape(s) + "\""; };
  auto num = [](uint64_t v) { return std::to_string(v); };
  uint64_t queueDepth = 0;
  for (const SessionUsage &s : r.sessions)
    queueDepth += s.stats.pendingLaunches;
  char busy[32];
  snprintf(busy, sizeof busy, "%.4f", r.busyFraction);
  std::string j = "{";
  j += "\"endpoint\":" + str(r.endpoint);
  j += ",\"device\":{\"name\":" + str(r.device.name) +
       ",\"vendor\":" + str(r.device.vendor) + ",\"arch\":" +
       str(r.device.arch) + ",\"executor\":" + str(r.device.executor) +
       ",\"computeUnits\":" + num(r.device.computeUnits) + "}";
  if (!r.scheduling.empty())
    j += ",\"scheduling\":" + str(r.scheduling);
  j += ",\"memory\":{\"total\":" + num(r.device.totalMemory) +
       ",\"used\":" + num(r.memoryUsed) + "}";
  j += ",\"busy\":" + std::string(busy);
  j += ",\"queueDepth\":" + num(queueDepth);
  j += std::string(",\"draining\":") + (r.draining ? "true" : "false");
  j += std::string(",\"restarting\":") + (r.restarting ? "true" : "false");
  j += ",\"started\":" + num(r.startedAtMs);
  j += ",\"modules\":{\"compiles\":" + num(r.moduleCompiles) +
       ",\"hits\":" + num(r.moduleHits) + "}";
  j += ",\"tenants\":[";
  for (size_t i = 0; i < r.tenants.size(); ++i) {
    const TenantStatus &t = r.tenants[i];
    j += std::string(i ? "," : "") + "{\"tenant\":" + str(t.name) +
         ",\"weight\":" + (t.weight ? num(*t.weight) : "null") +
         ",\"priority\":" +
         (t.priority ? str(priorityClassName(*t.priority)) : "null") +
         ",\"memoryQuota\":" + num(t.memoryQuota) +
         ",\"memoryUsed\":" + num(t.memoryUsed) + "}";
  }
  j += "]";
  j += ",\"sessions\":[";
  for (size_t i = 0; i < r.sessions.size(); ++i) {
    const SessionUsage &s = r.sessions[i];
    if (i)
      j += ",";
    j += "{\"id\":" + num(s.id) + ",\"client\":" + str(s.client) +
         ",\"tenant\":" + str(s.tenant) +
         ",\"memory\":" + num(s.memoryBytes) + ",\"memoryLimit\":" +
         num(s.memoryLimit) + ",\"memoryGuaranteed\":" +
         num(s.memoryGuaranteed) + ",\"allocations\":" + num(s.allocations) +
         ",\"modules\":" + num(s.modules) + ",\"launches\":" +
         num(s.stats.launches) + ",\"kernelNs\":" +
         num(s.stats.kernelNanoseconds) + ",\"queueDelayP50Ns\":" +
         num(s.stats.queueDelayP50Ns) + ",\"queueDelayP99Ns\":" +
         num(s.stats.queueDelayP99Ns) + ",\"pendingLaunches\":" +
         num(s.stats.pendingLaunches) + ",\"weight\":" + num(s.weight) +
         ",\"priority\":" + str(priorityClassName(s.priority));
    if (!s.error.empty())
      j += ",\"error\":" + str(s.error);
    j += "}";
  }
  j += "]}";
  return j;
}

} // namespace wooly::daemon
