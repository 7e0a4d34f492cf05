//===- Registry.cpp - The fleet as the controller knows it ----------------===//
#include "controller/Registry.h"

#include <algorithm>

namespace wooly::controller {
using namespace protocol;

std::string validateRegistration(const RegisterServerMsg &m) {
  auto printable = [](const std::string &s) {
    return std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  };
  // Names may hold '/' and ':' (woolyd uses "host/tcp://addr:port"); the
  // HTTP API takes them URL-encoded.
  if (m.serverName.empty() || m.serverName.size() > 256 ||
      !printable(m.serverName))
    return "server name must be 1-256 printable ASCII characters";
  if (m.endpoint.find("://") == std::string::npos || !printable(m.endpoint))
    return "endpoint must be a ZeroMQ URL such as tcp://host:7701";
  if (m.devices.empty())
    return "a server must offer at least one device";
  if (m.devices.size() > 64)
    return "at most 64 devices per server";
  for (const auto &d : m.devices)
    if (!printable(d.name) || !printable(d.vendor) || !printable(d.arch))
      return "device names, vendors and archs must be printable";
  return "";
}

RegisterReplyMsg Registry::registerServer(const RegisterServerMsg &m,
                                          Clock::time_point now) {
  RegisterReplyMsg reply;
  reply.heartbeatIntervalMs = static_cast<uint32_t>(heartbeat_.count());
  if (std::string why = validateRegistration(m); !why.empty()) {
    reply.accepted = false;
    reply.message = why;
    return reply;
  }
  auto it = servers_.find(m.serverName);
  if (it != servers_.end() && it->second.up &&
      it->second.info.endpoint != m.endpoint) {
    reply.accepted = false;
    reply.message = "server name " + m.serverName +
                    " is already registered by a live server at " +
                    it->second.info.endpoint + "; pick another name";
    return reply;
  }
  if (it == servers_.end() && servers_.size() >= kMaxServers &&
      !forgetLongestSilent()) {
    reply.accepted = false;
    reply.message = "the controller already tracks " +
                    std::to_string(kMaxServers) +
                    " live servers; deregister some first";
    return reply;
  }
  ServerRecord &r = servers_[m.serverName];
  bool fresh = r.info.serverName.empty();
  r.info = m;
  r.registeredAt = fresh ? now : r.registeredAt;
  refreshView(r);
  r.lastSeen = now;
  r.up = true;
  if (fresh)
    for (const auto &[tenant, setting] : fleetTenantSettings_) {
      r.tenantSettings[tenant] = setting;
      r.pendingCommands.push_back({OperatorCommandKind::SetTenantWeight, tenant,
                                   setting.weight, setting.memoryQuotaBytes,
                                   setting.priority});
    }
  reply.accepted = true;
  reply.message = fresh ? "registered" : "registered again";
  return reply;
}

TelemetryReplyMsg Registry::applyTelemetry(const TelemetryMsg &m,
                                           Clock::time_point now) {
  TelemetryReplyMsg reply;
  ServerRecord *r = find(m.serverName);
  if (!r) {
    reply.status = TelemetryStatus::UnknownServer;
    return reply;
  }
  r->telemetry = m;
  r->hasTelemetry = true;
  r->lastSeen = now;
  r->up = true;
  r->heartbeats++;
  // After a controller restart the server is the one that remembers a drain.
  if (m.draining && !r->draining)
    r->draining = true;
  // Reservations stay until they expire: the client may not have connected
  // yet, and counting it twice for a second errs towards spreading.

  UtilizationSample sample;
  sample.at = now;
  sample.queueDepth = m.queueDepth;
  double busy = 0;
  for (const auto &d : m.devices) {
    busy = std::max(busy, d.busyFraction);
    sample.memoryUsedBytes += d.memoryUsedBytes;
    sample.memoryTotalBytes += d.memoryTotalBytes;
  }
  sample.busyFraction = busy;
  r->history.push_back(sample);
  while (r->history.size() > kHistoryLength)
    r->history.pop_front();

  refreshView(*r);
  reply.commands = std::move(r->pendingCommands);
  r->pendingCommands.clear();
  return reply;
}

bool Registry::deregister(const std::string &name) {
  return servers_.erase(name) != 0;
}

Registry::HealthChanges Registry::checkHealth(Clock::time_point now) {
  HealthChanges changes;
  auto limit = heartbeat_ * missedBeats_;
  for (auto it = servers_.begin(); it != servers_.end();) {
    ServerRecord &r = it->second;
    if (r.up && now - r.lastSeen > limit) {
      r.up = false;
      r.timesMarkedDown++;
      changes.markedDown.push_back(it->first);
    }
    if (!r.up && forgetAfter_.count() > 0 && now - r.lastSeen > forgetAfter_) {
      changes.forgotten.push_back(it->first);
      it = servers_.erase(it);
    } else {
      ++it;
    }
  }
  return changes;
}

bool Registry::forgetLongestSilent() {
  auto victim = servers_.end();
  for (auto it = servers_.begin(); it != servers_.end(); ++it)
    if (!it->second.up && (victim == servers_.end() ||
                           it->second.lastSeen < victim->second.lastSeen))
      victim = it;
  if (victim == servers_.end())
    return false;
  servers_.erase(victim);
  return true;
}

bool Registry::setDraining(const std::string &name, bool draining) {
  ServerRecord *r = find(name);
  if (!r)
    return false;
  r->draining = draining;
  r->pendingCommands.push_back(
      {draining ? OperatorCommandKind::Drain : OperatorCommandKind::Undrain, "",
       1.0, 0});
  return true;
}

bool Registry::requestRestart(const std::string &name, uint32_t graceMs) {
  ServerRecord *r = find(name);
  if (!r)
    return false;
  OperatorCommand restart;
  restart.kind = OperatorCommandKind::Restart;
  restart.graceMs = graceMs;
  r->pendingCommands.push_back(restart);
  return true;
}

bool Registry::setTenantWeight(const std::string &server,
                               const std::string &tenant,
                               TenantSetting &setting) {
  // No class asked for: the one set before stays (servers keep it anyway).
  auto keepClass = [&](const std::map<std::string, TenantSetting> &before,
                       TenantSetting &s) {
    if (s.priority != protocol::kKeepPriority)
      return;
    if (auto it = before.find(tenant); it != before.end())
      s.priority = it->second.priority;
  };
  auto apply = [&](ServerRecord &r) {
    TenantSetting s = setting;
    keepClass(r.tenantSettings, s);
    r.tenantSettings[tenant] = s;
    r.pendingCommands.push_back({OperatorCommandKind::SetTenantWeight, tenant,
                                 s.weight, s.memoryQuotaBytes, s.priority});
    return s;
  };
  if (!server.empty()) {
    ServerRecord *r = find(server);
    if (!r)
      return false;
    setting = apply(*r);
    return true;
  }
  keepClass(fleetTenantSettings_, setting);
  fleetTenantSettings_[tenant] = setting;
  for (auto &[name, r] : servers_)
    apply(r);
  return true;
}

bool Registry::clearTenant(const std::string &server,
                           const std::string &tenant) {
  auto apply = [&](ServerRecord &r) {
    r.tenantSettings.erase(tenant);
    r.pendingCommands.push_back({OperatorCommandKind::ClearTenant, tenant});
  };
  if (!server.empty()) {
    ServerRecord *r = find(server);
    if (!r)
      return false;
    apply(*r);
    return true;
  }
  fleetTenantSettings_.erase(tenant);
  for (auto &[name, r] : servers_)
    apply(r);
  return true;
}

void Registry::reserve(const std::string &name, uint64_t bytes,
                       Clock::time_point now) {
  if (ServerRecord *r = find(name)) {
    r->reservations.push_back({bytes, now + heartbeat_ * 3});
    r->placements++;
  }
}

void Registry::release(const std::string &name, uint64_t bytes) {
  ServerRecord *r = find(name);
  if (!r)
    return;
  auto &list = r->reservations;
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (it->bytes == bytes) {
      list.erase(std::next(it).base());
      return;
    }
}

void Registry::expireReservations(ServerRecord &r, Clock::time_point now) {
  std::erase_if(r.reservations, [&](const ServerRecord::Reservation &res) {
    return res.expires <= now;
  });
}

void Registry::refreshView(ServerRecord &r) {
  ServerView &v = r.view;
  v.name = r.info.serverName;
  v.endpoint = r.info.endpoint;
  v.publicKey = r.info.publicKey;
  v.devices.clear();
  if (r.hasTelemetry && !r.telemetry.devices.empty()) {
    for (const auto &d : r.telemetry.devices)
      v.devices.push_back({d.vendor, d.arch, d.memoryTotalBytes,
                           d.memoryUsedBytes, d.busyFraction});
  } else {
    for (const auto &d : r.info.devices)
      v.devices.push_back({d.vendor, d.arch, d.memoryBytes, 0, 0});
  }
  v.queueDepth = r.hasTelemetry ? r.telemetry.queueDepth : 0;
  v.tenants.clear();
  for (const auto &s : r.telemetry.sessions)
    v.tenants.insert(s.tenant.empty() ? "default" : s.tenant);
}

std::vector<const ServerView *>
Registry::placementViews(Clock::time_point now) {
  std::vector<const ServerView *> views;
  views.reserve(servers_.size());
  for (auto &[name, r] : servers_) {
    expireReservations(r, now);
    ServerView &v = r.view;
    v.up = r.up;
    v.draining = r.draining;
    v.restarting = r.telemetry.restarting;
    v.msSinceHeartbeat = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - r.lastSeen)
            .count());
    v.reservedBytes = 0;
    for (const auto &res : r.reservations)
      v.reservedBytes += res.bytes;
    // Placements not yet visible in telemetry count as sessions too, so a
    // burst of requests does not all land on the same server.
    v.sessions = r.telemetry.sessions.size() + r.reservations.size();
    views.push_back(&v);
  }
  return views;
}

ServerRecord *Registry::find(const std::string &name) {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : &it->second;
}

} // namespace wooly::controller
