//===- ControllerLink.cpp - woolyd's registration and telemetry ----------===//
#include "daemon/ControllerLink.h"
#include "daemon/PriorityNames.h"
#include "daemon/StatusJson.h"
#include "runtime/protocol/ControllerClient.h"
#include "runtime/protocol/Keys.h"

#include <algorithm>
#include <unistd.h>

namespace wooly::daemon {

struct ControllerLink::Impl {
  std::unique_ptr<protocol::ServerAgent> agent;
};

protocol::TelemetryMsg toTelemetry(const StatusReport &r,
                                   const std::string &name,
                                   uint64_t sequence) {
  protocol::TelemetryMsg t;
  t.serverName = name;
  t.sequence = sequence;
  t.draining = r.draining;
  t.restarting = r.restarting;
  protocol::DeviceTelemetry d;
  d.name = r.device.name;
  d.vendor = r.device.vendor;
  d.arch = r.device.arch;
  d.memoryTotalBytes = r.device.totalMemory;
  d.memoryUsedBytes = r.memoryUsed;
  d.busyFraction = r.busyFraction;
  t.devices.push_back(d);
  uint64_t depth = 0;
  for (const SessionUsage &s : r.sessions) {
    protocol::SessionUsage u;
    u.sessionId = std::to_string(s.id);
    u.tenant = s.tenant;
    u.memoryBytes = s.memoryBytes;
    u.kernelTimeNs = s.stats.kernelNanoseconds;
    u.launches = s.stats.launches;
    u.queueDelayP50Us = double(s.stats.queueDelayP50Ns) / 1000.0;
    u.queueDelayP99Us = double(s.stats.queueDelayP99Ns) / 1000.0;
    depth += s.stats.pendingLaunches;
    t.sessions.push_back(u);
  }
  t.queueDepth = uint32_t(depth);
  return t;
}

std::unique_ptr<ControllerLink>
ControllerLink::start(zmq::context_t &context, const std::string &url,
                      const std::string &keysDir, Server &server,
                      const exec::DeviceInfo &device,
                      const std::string &registered, std::string &error) {
  protocol::ControllerEndpoint endpoint{url, protocol::ClientSecurity::insecure()};
  std::string publicKey;
  if (!keysDir.empty()) {
    auto security = protocol::ClientSecurity::fromKeysDir(keysDir, true);
    if (!security) {
      error = security.error().message;
      return nullptr;
    }
    endpoint.security = *security;
    // What clients the controller places here check this server against.
    auto own = protocol::loadPublicKey(keysDir + "/server.pub");
    if (!own) {
      error = own.error().message;
      return nullptr;
    }
    publicKey = *own;
  }
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  protocol::RegisterServerMsg reg;
  reg.endpoint = registered;
  reg.serverName = std::string(host) + "/" + reg.endpoint;
  reg.publicKey = publicKey;
  reg.version = "wooly 0.1";
  reg.executors = {device.executor};
  reg.devices.push_back({device.name, device.vendor, device.arch,
                         device.totalMemory, device.computeUnits});
  auto link = std::unique_ptr<ControllerLink>(new ControllerLink);
  link->impl_ = std::make_unique<Impl>();
  std::string name = reg.serverName;
  auto sequence = std::make_shared<uint64_t>(0);
  link->impl_->agent = std::make_unique<protocol::ServerAgent>(
      context, endpoint, reg,
      [&server, name, sequence] {
        return toTelemetry(server.statusReport(), name, ++*sequence);
      },
      [&server](const protocol::OperatorCommand &c) {
        switch (c.kind) {
        case protocol::OperatorCommandKind::Drain:
          server.setDraining(true);
          fprintf(stderr, "woolyd: draining (controller)\n");
          break;
        case protocol::OperatorCommandKind::Undrain:
          server.setDraining(false);
          fprintf(stderr, "woolyd: taking sessions again (controller)\n");
          break;
        case protocol::OperatorCommandKind::SetTenantWeight: {
          // Weights are relative; the scheduler takes integers 1..1000.
          uint32_t w = std::max(
              uint32_t(std::clamp(c.weight, 0.001, 1000.0) + 0.5), 1u);
          std::optional<exec::PriorityClass> cls;
          if (c.priority != protocol::kKeepPriority)
            cls = static_cast<exec::PriorityClass>(c.priority);
          size_t n = server.setTenantShare(c.tenant, w, cls);
          server.setTenantMemoryQuota(c.tenant, c.memoryQuotaBytes);
          std::string quota =
              c.memoryQuotaBytes
                  ? std::to_string(c.memoryQuotaBytes) + " bytes"
                  : std::string("none");
          fprintf(stderr,
                  "woolyd: tenant '%s' weight %u%s%s, memory quota %s "
                  "(controller; %zu sessions)\n",
                  c.tenant.c_str(), w, cls ? ", " : "",
                  cls ? priorityClassName(*cls) : "", quota.c_str(), n);
          break;
        }
        case protocol::OperatorCommandKind::Restart: {
          size_t open = 0;
          std::string why =
              server.requestRestart(c.graceMs, "the controller", open);
          if (!why.empty())
            fprintf(stderr, "woolyd: the controller asked for a restart: %s\n",
                    why.c_str());
          break;
        }
        case protocol::OperatorCommandKind::ClearTenant: {
          size_t n = server.clearTenantShare(c.tenant);
          server.setTenantMemoryQuota(c.tenant, 0);
          fprintf(stderr,
                  "woolyd: tenant '%s' back to each session's own share, no "
                  "memory quota (controller; %zu sessions)\n",
                  c.tenant.c_str(), n);
          break;
        }
        }
      });
  link->impl_->agent->start();
  return link;
}

ControllerLink::~ControllerLink() {
  if (impl_ && impl_->agent)
    impl_->agent->stop();
}

} // namespace wooly::daemon
