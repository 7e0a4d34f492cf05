//===- ControllerMessages.cpp - Server/client <-> controller messages -----===//
#include "runtime/protocol/ControllerMessages.h"

namespace wooly::protocol {
namespace {

// Smallest encodings of list elements, used to bound list counts.
constexpr size_t kMinString = 4;
constexpr size_t kMinDeviceInfo = 3 * kMinString + 8 + 4;
constexpr size_t kMinDeviceTelemetry = 3 * kMinString + 8 + 8 + 8;
constexpr size_t kMinSessionUsage = 2 * kMinString + 8 * 5;
constexpr size_t kMinOperatorCommand = 1 + kMinString + 8 + 8 + 1;

void write(Writer &w, const DeviceInfo &d) {
  w.string(d.name);
  w.string(d.vendor);
  w.string(d.arch);
  w.u64(d.memoryBytes);
  w.u32(d.computeUnits);
}
void read(Reader &r, DeviceInfo &d) {
  d.name = r.string();
  d.vendor = r.string();
  d.arch = r.string();
  d.memoryBytes = r.u64();
  d.computeUnits = r.u32();
}

void write(Writer &w, const DeviceTelemetry &d) {
  w.string(d.name);
  w.string(d.vendor);
  w.string(d.arch);
  w.u64(d.memoryTotalBytes);
  w.u64(d.memoryUsedBytes);
  w.f64(d.busyFraction);
}
void read(Reader &r, DeviceTelemetry &d) {
  d.name = r.string();
  d.vendor = r.string();
  d.arch = r.string();
  d.memoryTotalBytes = r.u64();
  d.memoryUsedBytes = r.u64();
  d.busyFraction = r.f64();
  if (!(d.busyFraction >= 0.0 && d.busyFraction <= 1.0))
    r.fail("device busy fraction must lie in [0, 1]");
  if (d.memoryUsedBytes > d.memoryTotalBytes)
    r.fail("device memory used exceeds memory total");
}

void write(Writer &w, const SessionUsage &s) {
  w.string(s.sessionId);
  w.string(s.tenant);
  w.u64(s.memoryBytes);
  w.u64(s.kernelTimeNs);
  w.u64(s.launches);
  w.f64(s.queueDelayP50Us);
  w.f64(s.queueDelayP99Us);
}
void read(Reader &r, SessionUsage &s) {
  s.sessionId = r.string();
  s.tenant = r.string();
  s.memoryBytes = r.u64();
  s.kernelTimeNs = r.u64();
  s.launches = r.u64();
  s.queueDelayP50Us = r.f64();
  s.queueDelayP99Us = r.f64();
  // NaN fails both comparisons.
  if (!(s.queueDelayP50Us >= 0.0) || !(s.queueDelayP99Us >= 0.0))
    r.fail("session queueing delays must be non-negative numbers");
}

void write(Writer &w, const OperatorCommand &c) {
  w.u8(static_cast<uint8_t>(c.kind));
  w.string(c.tenant);
  w.f64(c.weight);
  w.u64(c.memoryQuotaBytes);
  w.u8(c.priority);
  if (c.kind == OperatorCommandKind::Restart)
    w.u32(c.graceMs);
}
void read(Reader &r, OperatorCommand &c) {
  uint8_t kind = r.u8();
  if (kind < 1 || kind > 5)
    r.fail("unknown operator command kind " + std::to_string(kind));
  c.kind = static_cast<OperatorCommandKind>(kind);
  c.tenant = r.string();
  c.weight = r.f64();
  c.memoryQuotaBytes = r.u64();
  c.priority = r.u8();
  if (c.kind == OperatorCommandKind::Restart) {
    c.graceMs = r.u32();
    if (c.graceMs > kMaxRestartGraceMs)
      r.fail("a restart's grace period is at most an hour");
  }
  if (!(c.weight > 0.0))
    r.fail("tenant weight must be a positive number");
  if (c.priority > 2 && c.priority != kKeepPriority)
    r.fail("unknown priority class " + std::to_string(c.priority));
}

template <typename T> void writeList(Writer &w, const std::vector<T> &v) {
  w.count(v.size());
  for (const T &e : v)
    write(w, e);
}
template <typename T>
void readList(Reader &r, std::vector<T> &v, size_t minElementBytes) {
  uint32_t n = r.count(minElementBytes);
  v.clear();
  v.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    T e{};
    read(r, e);
    v.push_back(std::move(e));
  }
}

void writeStrings(Writer &w, const std::vector<std::string> &v) {
  w.count(v.size());
  for (const std::string &s : v)
    w.string(s);
}
void readStrings(Reader &r, std::vector<std::string> &v) {
  uint32_t n = r.count(kMinString);
  v.clear();
  for (uint32_t i = 0; i < n && r.ok(); ++i)
    v.push_back(r.string());
}

} // namespace

const char *priorityClassName(PriorityClass p) {
  switch (p) {
  case PriorityClass::Batch:
    return "batch";
  case PriorityClass::Normal:
    return "normal";
  case PriorityClass::Interactive:
    return "interactive";
  }
  return "unknown";
}

void write(Writer &w, const RegisterServerMsg &m) {
  w.string(m.serverName);
  w.string(m.endpoint);
  w.string(m.publicKey);
  w.string(m.version);
  writeStrings(w, m.executors);
  writeList(w, m.devices);
}
void read(Reader &r, RegisterServerMsg &m) {
  m.serverName = r.string();
  m.endpoint = r.string();
  m.publicKey = r.string();
  m.version = r.string();
  readStrings(r, m.executors);
  readList(r, m.devices, kMinDeviceInfo);
}

void write(Writer &w, const RegisterReplyMsg &m) {
  w.boolean(m.accepted);
  w.string(m.message);
  w.u32(m.heartbeatIntervalMs);
}
void read(Reader &r, RegisterReplyMsg &m) {
  m.accepted = r.boolean();
  m.message = r.string();
  m.heartbeatIntervalMs = r.u32();
}

void write(Writer &w, const TelemetryMsg &m) {
  w.string(m.serverName);
  w.u64(m.sequence);
  w.u32(m.queueDepth);
  w.boolean(m.draining);
  writeList(w, m.devices);
  writeList(w, m.sessions);
  if (m.restarting)
    w.boolean(true);
}
void read(Reader &r, TelemetryMsg &m) {
  m.serverName = r.string();
  m.sequence = r.u64();
  m.queueDepth = r.u32();
  m.draining = r.boolean();
  readList(r, m.devices, kMinDeviceTelemetry);
  readList(r, m.sessions, kMinSessionUsage);
  if (r.remaining() != 0)
    m.restarting = r.boolean();
}

void write(Writer &w, const TelemetryReplyMsg &m) {
  w.u8(static_cast<uint8_t>(m.status));
  writeList(w, m.commands);
}
void read(Reader &r, TelemetryReplyMsg &m) {
  uint8_t status = r.u8();
  if (status > 1)
    r.fail("unknown telemetry status " + std::to_string(status));
  m.status = static_cast<TelemetryStatus>(status);
  readList(r, m.commands, kMinOperatorCommand);
}

void write(Writer &w, const DeregisterMsg &m) { w.string(m.serverName); }
void read(Reader &r, DeregisterMsg &m) { m.serverName = r.string(); }
void write(Writer &w, const DeregisterReplyMsg &m) { w.boolean(m.known); }
void read(Reader &r, DeregisterReplyMsg &m) { m.known = r.boolean(); }

void write(Writer &w, const PlacementRequestMsg &m) {
  w.u64(m.memoryBytes);
  w.string(m.vendor);
  w.string(m.arch);
  w.u8(static_cast<uint8_t>(m.priority));
  w.string(m.tenant);
  w.string(m.policy);
  if (!m.avoid.empty())
    w.string(m.avoid);
}
void read(Reader &r, PlacementRequestMsg &m) {
  m.memoryBytes = r.u64();
  m.vendor = r.string();
  m.arch = r.string();
  uint8_t p = r.u8();
  if (p > 2)
    r.fail("unknown priority class " + std::to_string(p));
  m.priority = static_cast<PriorityClass>(p);
  m.tenant = r.string();
  m.policy = r.string();
  if (r.remaining() != 0)
    m.avoid = r.string();
}

void write(Writer &w, const PlacementReplyMsg &m) {
  w.string(m.serverName);
  w.string(m.endpoint);
  w.string(m.serverPublicKey);
  w.u64(m.decisionId);
  w.string(m.explanation);
}
void read(Reader &r, PlacementReplyMsg &m) {
  m.serverName = r.string();
  m.endpoint = r.string();
  m.serverPublicKey = r.string();
  m.decisionId = r.u64();
  m.explanation = r.string();
}

void write(Writer &, const FleetStatusRequestMsg &) {}
void read(Reader &, FleetStatusRequestMsg &) {}
void write(Writer &w, const FleetStatusReplyMsg &m) { w.string(m.json); }
void read(Reader &r, FleetStatusReplyMsg &m) { m.json = r.string(); }

} // namespace wooly::protocol
