//===- Metrics.cpp - Prometheus text exposition ---------------------------===//
//
// Per-server, per-device and per-tenant series (text format 0.0.4).
//
//===----------------------------------------------------------------------===//
#include "controller/Controller.h"

#include <sstream>

namespace wooly::controller {

namespace {

std::string escapeLabel(const std::string &v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class Exposition {
public:
  void family(const char *name, const char *type, const char *help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' '
         << type << '\n';
  }
  void
  sample(const char *name,
         std::initializer_list<std::pair<const char *, std::string>> labels,
         double value) {
    out_ << name;
    if (labels.size()) {
      out_ << '{';
      bool first = true;
      for (const auto &[k, v] : labels) {
        out_ << (first ? "" : ",") << k << "=\"" << escapeLabel(v) << '"';
        first = false;
      }
      out_ << '}';
    }
    out_ << ' ' << value << '\n';
  }
  std::string str() const { return out_.str(); }

private:
  std::ostringstream out_;
};

struct TenantTotals {
  double sessions = 0, memory = 0, kernelSeconds = 0, launches = 0;
  double worstP99Us = 0;
};

} // namespace

std::string Controller::metricsText() {
  std::lock_guard<std::mutex> lock(mutex_);
  Exposition e;
  const auto &servers = registry_.servers();

  e.family("wooly_servers", "gauge", "Registered servers by state.");
  double up = 0, down = 0, draining = 0, restarting = 0;
  for (const auto &[n, r] : servers)
    (!r.up                    ? down
     : r.draining             ? draining
     : r.telemetry.restarting ? restarting
                              : up) += 1;
  e.sample("wooly_servers", {{"state", "up"}}, up);
  e.sample("wooly_servers", {{"state", "draining"}}, draining);
  e.sample("wooly_servers", {{"state", "restarting"}}, restarting);
  e.sample("wooly_servers", {{"state", "down"}}, down);

  e.family("wooly_server_up", "gauge", "1 while heartbeats arrive.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_up", {{"server", n}}, r.up ? 1 : 0);
  e.family("wooly_server_draining", "gauge", "1 while draining.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_draining", {{"server", n}}, r.draining ? 1 : 0);
  e.family("wooly_server_queue_depth", "gauge", "Launches waiting.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_queue_depth", {{"server", n}},
             r.telemetry.queueDepth);
  e.family("wooly_server_sessions", "gauge", "Client sessions.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_sessions", {{"server", n}},
             static_cast<double>(r.telemetry.sessions.size()));
  e.family("wooly_server_heartbeats_total", "counter", "Telemetry received.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_heartbeats_total", {{"server", n}},
             static_cast<double>(r.heartbeats));
  e.family("wooly_server_placements_total", "counter",
           "Clients placed on the server.");
  for (const auto &[n, r] : servers)
    e.sample("wooly_server_placements_total", {{"server", n}},
             static_cast<double>(r.placements));

  e.family("wooly_device_busy_ratio", "gauge", "Busy fraction, 0..1.");
  for (const auto &[n, r] : servers)
    for (const auto &d : r.telemetry.devices)
      e.sample("wooly_device_busy_ratio", {{"server", n}, {"device", d.name}},
               d.busyFraction);
  e.family("wooly_device_memory_used_bytes", "gauge", "Device memory in use.");
  for (const auto &[n, r] : servers)
    for (const auto &d : r.telemetry.devices)
      e.sample("wooly_device_memory_used_bytes",
               {{"server", n}, {"device", d.name}},
               static_cast<double>(d.memoryUsedBytes));
  e.family("wooly_device_memory_total_bytes", "gauge", "Device memory.");
  for (const auto &[n, r] : servers)
    for (const auto &d : r.telemetry.devices)
      e.sample("wooly_device_memory_total_bytes",
               {{"server", n}, {"device", d.name}},
               static_cast<double>(d.memoryTotalBytes));

  std::map<std::string, TenantTotals> tenants;
  for (const auto &[n, r] : servers)
    for (const auto &s : r.telemetry.sessions) {
      auto &t = tenants[s.tenant.empty() ? "default" : s.tenant];
      t.sessions += 1;
      t.memory += static_cast<double>(s.memoryBytes);
      t.kernelSeconds += static_cast<double>(s.kernelTimeNs) / 1e9;
      t.launches += static_cast<double>(s.launches);
      t.worstP99Us = std::max(t.worstP99Us, s.queueDelayP99Us);
    }
  e.family("wooly_tenant_sessions", "gauge", "Sessions per tenant.");
  for (const auto &[t, v] : tenants)
    e.sample("wooly_tenant_sessions", {{"tenant", t}}, v.sessions);
  e.family("wooly_tenant_memory_bytes", "gauge", "Device memory per tenant.");
  for (const auto &[t, v] : tenants)
    e.sample("wooly_tenant_memory_bytes", {{"tenant", t}}, v.memory);
  e.family("wooly_tenant_kernel_seconds_total", "counter",
           "Kernel time per tenant.");
  for (const auto &[t, v] : tenants)
    e.sample("wooly_tenant_kernel_seconds_total", {{"tenant", t}},
             v.kernelSeconds);
  e.family("wooly_tenant_launches_total", "counter", "Launches per tenant.");
  for (const auto &[t, v] : tenants)
    e.sample("wooly_tenant_launches_total", {{"tenant", t}}, v.launches);
  e.family("wooly_tenant_queue_delay_p99_microseconds", "gauge",
           "Worst per-session p99 queueing delay of the tenant.");
  for (const auto &[t, v] : tenants)
    e.sample("wooly_tenant_queue_delay_p99_microseconds", {{"tenant", t}},
             v.worstP99Us);

  e.family("wooly_placements_total", "counter", "Placement decisions.");
  e.sample("wooly_placements_total", {{"result", "placed"}},
           static_cast<double>(placed_));
  e.sample("wooly_placements_total", {{"result", "refused"}},
           static_cast<double>(refused_));
  e.family("wooly_controller_messages_total", "counter",
           "ZeroMQ messages handled, by type.");
  for (const auto &[type, count] : messagesByType_)
    e.sample("wooly_controller_messages_total", {{"type", type}},
             static_cast<double>(count));
  e.family("wooly_controller_rejected_messages_total", "counter",
           "Malformed or unknown messages answered with an error.");
  e.sample("wooly_controller_rejected_messages_total", {},
           static_cast<double>(malformed_.load()));
  return e.str();
}

} // namespace wooly::controller
