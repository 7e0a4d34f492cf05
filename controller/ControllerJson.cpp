//===- ControllerJson.cpp - The fleet as JSON for the API and dashboard ---===//
//
// Field names are the /api/v1 contract (controller/README.md); byte counts are
// integers, fractions are 0..1, times are milliseconds.
//
//===----------------------------------------------------------------------===//
#include "controller/Controller.h"
#include "daemon/PriorityNames.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace wooly::controller {
using nlohmann::json;
using namespace protocol;

namespace {

int64_t msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

const char *stateOf(const ServerRecord &r) {
  if (!r.up)
    return "down";
  if (r.draining)
    return "draining";
  return r.telemetry.restarting ? "restarting" : "up";
}

json candidateJson(const Candidate &c) {
  return {{"server", c.server},
          {"eligible", c.eligible},
          {"score", c.eligible ? json(c.score) : json(nullptr)},
          {"reason", c.reason}};
}

using Servers = std::map<std::string, ServerRecord>;
using PlacementLog = std::vector<std::shared_ptr<const PlacementRecord>>;

json serversJsonOf(const Servers &servers, Clock::time_point now,
                   size_t historySamples) {
  json out = json::array();
  for (const auto &[name, r] : servers) {
    json devices = json::array();
    uint64_t total = 0, used = 0;
    double busy = 0;
    if (r.hasTelemetry && !r.telemetry.devices.empty()) {
      for (const auto &d : r.telemetry.devices) {
        devices.push_back({{"name", d.name},
                           {"vendor", d.vendor},
                           {"arch", d.arch},
                           {"memoryTotal", d.memoryTotalBytes},
                           {"memoryUsed", d.memoryUsedBytes},
                           {"busy", d.busyFraction}});
        total += d.memoryTotalBytes;
        used += d.memoryUsedBytes;
        busy = std::max(busy, d.busyFraction);
      }
    } else {
      for (const auto &d : r.info.devices) {
        devices.push_back({{"name", d.name},
                           {"vendor", d.vendor},
                           {"arch", d.arch},
                           {"memoryTotal", d.memoryBytes},
                           {"memoryUsed", 0},
                           {"busy", 0.0}});
        total += d.memoryBytes;
      }
    }
    json history = json::array();
    size_t skip = r.history.size() > historySamples
                      ? r.history.size() - historySamples
                      : 0;
    for (auto it = r.history.begin() + static_cast<std::ptrdiff_t>(skip);
         it != r.history.end(); ++it) {
      const UtilizationSample &s = *it;
      history.push_back({{"tMs", msBetween(now, s.at)},
                         {"busy", s.busyFraction},
                         {"memoryUsed", s.memoryUsedBytes},
                         {"memoryTotal", s.memoryTotalBytes},
                         {"queueDepth", s.queueDepth}});
    }
    json tenants = json::object();
    for (const auto &[tenant, setting] : r.tenantSettings)
      tenants[tenant] = {{"weight", setting.weight},
                         {"memoryQuota", setting.memoryQuotaBytes}};
    out.push_back({{"name", name},
                   {"endpoint", r.info.endpoint},
                   {"publicKey", r.info.publicKey},
                   {"version", r.info.version},
                   {"executors", r.info.executors},
                   {"state", stateOf(r)},
                   {"up", r.up},
                   {"draining", r.draining},
                   {"lastSeenMsAgo", msBetween(r.lastSeen, now)},
                   {"registeredMsAgo", msBetween(r.registeredAt, now)},
                   {"heartbeats", r.heartbeats},
                   {"timesMarkedDown", r.timesMarkedDown},
                   {"placements", r.placements},
                   {"queueDepth", r.telemetry.queueDepth},
                   {"busy", busy},
                   {"memoryTotal", total},
                   {"memoryUsed", used},
                   {"sessions", r.telemetry.sessions.size()},
                   {"devices", devices},
                   {"tenants", tenants},
                   {"history", history}});
  }
  return out;
}

json devicesJsonOf(const Servers &servers) {
  json out = json::array();
  for (const auto &[name, r] : servers)
    for (size_t i = 0; i < r.info.devices.size(); ++i) {
      const auto &d = r.info.devices[i];
      json dev = {{"server", name},
                  {"index", i},
                  {"name", d.name},
                  {"vendor", d.vendor},
                  {"arch", d.arch},
                  {"computeUnits", d.computeUnits},
                  {"memoryTotal", d.memoryBytes},
                  {"memoryUsed", 0},
                  {"busy", 0.0},
                  {"serverState", stateOf(r)}};
      if (r.hasTelemetry && i < r.telemetry.devices.size()) {
        dev["memoryTotal"] = r.telemetry.devices[i].memoryTotalBytes;
        dev["memoryUsed"] = r.telemetry.devices[i].memoryUsedBytes;
        dev["busy"] = r.telemetry.devices[i].busyFraction;
      }
      out.push_back(dev);
    }
  return out;
}

json sessionsJsonOf(const Servers &servers) {
  json out = json::array();
  for (const auto &[name, r] : servers)
    for (const auto &s : r.telemetry.sessions)
      out.push_back({{"server", name},
                     {"sessionId", s.sessionId},
                     {"tenant", s.tenant.empty() ? "default" : s.tenant},
                     {"memory", s.memoryBytes},
                     {"kernelTimeNs", s.kernelTimeNs},
                     {"launches", s.launches},
                     {"queueDelayP50Us", s.queueDelayP50Us},
                     {"queueDelayP99Us", s.queueDelayP99Us}});
  return out;
}

json recordJson(const PlacementRecord &p, size_t maxCandidates) {
  json candidates = json::array();
  for (const auto &c : p.decision.candidates) {
    if (candidates.size() >= maxCandidates)
      break;
    candidates.push_back(candidateJson(c));
  }
  return json{
      {"id", p.id},
      {"timeMs", std::chrono::duration_cast<std::chrono::milliseconds>(
                     p.at.time_since_epoch())
                     .count()},
      {"request",
       {{"memory", p.request.memoryBytes},
        {"vendor", p.request.vendor},
        {"arch", p.request.arch},
        {"priority", priorityClassName(p.request.priority)},
        {"tenant", p.request.tenant.empty() ? "default" : p.request.tenant},
        {"policy", policyName(p.decision.policy)},
        {"avoid", p.request.avoid.empty() ? json(nullptr) : json(p.request.avoid)}}},
      {"placed", p.decision.placed},
      {"server", p.decision.placed ? json(p.decision.server) : json(nullptr)},
      {"endpoint",
       p.decision.placed ? json(p.decision.endpoint) : json(nullptr)},
      {"explanation", p.decision.explanation},
      {"candidates", candidates},
      {"candidatesOmitted", p.decision.candidates.size() - candidates.size()}};
}

/// `log` holds the newest decisions, newest first.
json placementsJsonOf(const PlacementLog &log, size_t maxCandidates) {
  json out = json::array();
  for (const auto &p : log)
    out.push_back(recordJson(*p, maxCandidates));
  return out;
}

json settingJson(const TenantSetting &s) {
  return {{"weight", s.weight},
          {"memoryQuota", s.memoryQuotaBytes},
          {"priority", s.priority == protocol::kKeepPriority
                           ? json(nullptr)
                           : json(daemon::priorityClassName(
                                 static_cast<exec::PriorityClass>(s.priority)))}};
}

json weightsJsonOf(const Servers &servers,
                   const std::map<std::string, TenantSetting> &fleetSettings) {
  json fleet = json::object();
  for (const auto &[tenant, s] : fleetSettings)
    fleet[tenant] = settingJson(s);
  json perServer = json::object();
  for (const auto &[name, r] : servers) {
    json t = json::object();
    for (const auto &[tenant, s] : r.tenantSettings)
      t[tenant] = settingJson(s);
    perServer[name] = t;
  }
  return {{"fleet", fleet}, {"servers", perServer}};
}

} // namespace

json Controller::placementJson(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto &p : placements_)
    if (p->id == id)
      return recordJson(*p, SIZE_MAX);
  return nullptr;
}

// Snapshots are copied under the lock and turned into JSON outside it: with
// a thousand servers the JSON takes tens of milliseconds, and the ZeroMQ
// loop (telemetry, placements) must not wait for it.

json Controller::serversJson(size_t historySamples) {
  Servers servers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    servers = registry_.servers();
  }
  return serversJsonOf(servers, Clock::now(), historySamples);
}

json Controller::devicesJson() {
  Servers servers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    servers = registry_.servers();
  }
  return devicesJsonOf(servers);
}

json Controller::sessionsJson() {
  Servers servers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    servers = registry_.servers();
  }
  return sessionsJsonOf(servers);
}

json Controller::placementsJson(size_t limit, size_t maxCandidates) {
  PlacementLog log;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = placements_.rbegin();
         it != placements_.rend() && log.size() < limit; ++it)
      log.push_back(*it);
  }
  return placementsJsonOf(log, maxCandidates);
}

json Controller::weightsJson() {
  Servers servers;
  std::map<std::string, TenantSetting> fleetSettings;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    servers = registry_.servers();
    fleetSettings = registry_.fleetTenantSettings();
  }
  return weightsJsonOf(servers, fleetSettings);
}

json Controller::fleetJson(size_t historySamples) {
  Servers servers;
  std::map<std::string, TenantSetting> fleetSettings;
  PlacementLog log;
  uint64_t placed, refused;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    servers = registry_.servers();
    fleetSettings = registry_.fleetTenantSettings();
    for (auto it = placements_.rbegin();
         it != placements_.rend() && log.size() < 20; ++it)
      log.push_back(*it);
    placed = placed_;
    refused = refused_;
  }
  auto now = Clock::now();
  return {{"controller",
           {{"endpoint", endpoint_->boundEndpoint()},
            {"policy", policyName(options_.policy)},
            {"heartbeatMs", options_.heartbeat.count()},
            {"uptimeMs", msBetween(started_, now)},
            {"placed", placed},
            {"refused", refused}}},
          {"servers", serversJsonOf(servers, now, historySamples)},
          {"devices", devicesJsonOf(servers)},
          {"sessions", sessionsJsonOf(servers)},
          {"placements", placementsJsonOf(log, 0)},
          {"weights", weightsJsonOf(servers, fleetSettings)}};
}

} // namespace wooly::controller
