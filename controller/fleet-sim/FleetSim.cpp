//===- FleetSim.cpp - wooly-fleet-sim: a load generator for the controller ===//
//
// NOT a woolyd stand-in: it runs no kernels. It is a real ZeroMQ process that
// speaks the real controller protocol (through the same ServerAgent woolyd
// uses) with load figures you choose, so the controller's placement, health
// tracking and restart handling can be tested and benchmarked with many
// servers on one machine.
//
//   wooly-fleet-sim serve --controller URL [--insecure|--keys DIR]
//       [--name NAME] [--servers N] [--listen URL] [--vendor V] [--arch A]
//       [--device-name S] [--memory SIZE] [--memory-used SIZE]
//       [--compute-units N] [--busy F] [--jitter F] [--queue-depth N]
//       [--sessions N] [--tenant T] [--heartbeat-ms N]
//     Registers N simulated servers (NAME, or NAME-1..NAME-N), each with its
//     own socket bound at --listen (default tcp://127.0.0.1:*) that answers
//     Ping and refuses everything else; sends telemetry every heartbeat and
//     applies Drain/Undrain/SetTenantWeight commands. Stops on SIGINT/SIGTERM.
//
//   wooly-fleet-sim place --controller URL [--insecure|--keys DIR]
//       [--count N] [--rate PER_SECOND] [--memory SIZE] [--tenant T]
//       [--vendor V] [--arch A] [--priority batch|normal|interactive]
//       [--policy spread|binpack]
//     Asks for N placements and prints one line each:
//       placed SERVER ENDPOINT      or      refused WHY
//
//===----------------------------------------------------------------------===//
#include "daemon/ByteSize.h"
#include "runtime/protocol/ControllerClient.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

using namespace wooly::protocol;
using namespace std::chrono_literals;

namespace {

std::atomic<bool> stopRequested{false};
void onSignal(int) { stopRequested = true; }

int usageError(const std::string &message) {
  std::fprintf(stderr,
               "wooly-fleet-sim: error: %s\n(see the header of "
               "controller/fleet-sim/FleetSim.cpp for usage)\n",
               message.c_str());
  return 1;
}

bool parseSize(const std::string &text, uint64_t &out) {
  return wooly::daemon::parseByteSize(text, out);
}

struct Args {
  std::map<std::string, std::string> values;
  bool insecure = false;
  std::string error;

  std::string get(const std::string &key, const std::string &fallback) const {
    auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
};

Args parseArgs(int argc, char **argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--insecure") {
      a.insecure = true;
      continue;
    }
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) {
      a.error = "unexpected argument \"" + k + "\"";
      return a;
    }
    a.values[k.substr(2)] = argv[++i];
  }
  return a;
}

Result<ClientSecurity> securityFrom(const Args &a) {
  std::string keys = a.get("keys", "");
  if (keys.empty()) {
    if (!a.insecure)
      return makeError(ErrorCode::InvalidValue,
                       "choose --keys DIR or --insecure");
    return ClientSecurity::insecure();
  }
  return ClientSecurity::fromKeysDir(keys, true);
}

/// One simulated server: a bound socket that answers Ping, and the
/// ServerAgent that reports its made-up load.
struct SimServer {
  RegisterServerMsg registration;
  std::unique_ptr<ServerEndpoint> endpoint;
  std::unique_ptr<ServerAgent> agent;
  std::mutex mutex;
  bool draining = false;
  // A Restart command: reported as restarting until then, as if the
  // sessions took that long to end (at most 2 s of the grace period).
  std::chrono::steady_clock::time_point restartingUntil;
  std::map<std::string, OperatorCommand> tenantSettings;
  uint64_t sequence = 0;
  double busy = 0;
};

int serve(const Args &a) {
  auto security = securityFrom(a);
  if (!security)
    return usageError(security.error().message);
  std::string controllerUrl = a.get("controller", "");
  if (controllerUrl.empty())
    return usageError("--controller URL is required");
  uint64_t memory = 16ull << 30, memoryUsed = 0;
  if (!parseSize(a.get("memory", "16GiB"), memory) ||
      !parseSize(a.get("memory-used", "0"), memoryUsed) || memoryUsed > memory)
    return usageError(
        "--memory/--memory-used want sizes like 16GiB, used <= total");
  double busyBase = std::atof(a.get("busy", "0.1").c_str());
  double jitter = std::atof(a.get("jitter", "0.05").c_str());
  if (busyBase < 0 || busyBase > 1 || jitter < 0 || jitter > 1)
    return usageError("--busy and --jitter must lie in [0, 1]");
  int count = std::atoi(a.get("servers", "1").c_str());
  int queueDepth = std::atoi(a.get("queue-depth", "0").c_str());
  int sessions = std::atoi(a.get("sessions", "0").c_str());
  if (count < 1 || count > 2000 || queueDepth < 0 || sessions < 0 ||
      sessions > 1000)
    return usageError(
        "--servers 1-2000, --queue-depth >= 0, --sessions 0-1000");
  std::string baseName = a.get("name", "sim");
  std::string listen = a.get("listen", "tcp://127.0.0.1:*");
  std::string tenant = a.get("tenant", "default");
  ServerSecurity serverSecurity; // the simulated servers listen in plain mode

  zmq::context_t context;
  std::vector<std::unique_ptr<SimServer>> servers;
  std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(baseName)));
  for (int i = 0; i < count; ++i) {
    auto sim = std::make_unique<SimServer>();
    std::string name =
        count == 1 ? baseName : baseName + "-" + std::to_string(i + 1);
    auto ep = ServerEndpoint::bind(context, listen, serverSecurity);
    if (!ep)
      return usageError(ep.error().message);
    sim->endpoint = std::move(*ep);
    sim->busy = busyBase;
    RegisterServerMsg &reg = sim->registration;
    reg.serverName = name;
    reg.endpoint = sim->endpoint->boundEndpoint();
    reg.version = "wooly-fleet-sim";
    reg.executors = {"simulated"};
    reg.devices = {{a.get("device-name", "simulated device"),
                    a.get("vendor", "host"), a.get("arch", "x86_64"), memory,
                    static_cast<uint32_t>(
                        std::atoi(a.get("compute-units", "16").c_str()))}};
    SimServer *raw = sim.get();
    auto sample = [raw, memory, memoryUsed, busyBase, jitter, queueDepth,
                   sessions, tenant, &rng]() {
      std::lock_guard<std::mutex> lock(raw->mutex);
      TelemetryMsg t;
      t.sequence = ++raw->sequence;
      // A bounded random walk around --busy, so charts move.
      std::uniform_real_distribution<double> step(-jitter, jitter);
      raw->busy = std::clamp(raw->busy + step(rng),
                             std::max(0.0, busyBase - 2 * jitter),
                             std::min(1.0, busyBase + 2 * jitter));
      t.queueDepth = static_cast<uint32_t>(queueDepth);
      t.draining = raw->draining;
      t.restarting = std::chrono::steady_clock::now() < raw->restartingUntil;
      const DeviceInfo &d = raw->registration.devices[0];
      t.devices = {{d.name, d.vendor, d.arch, memory, memoryUsed, raw->busy}};
      for (int s = 0; s < sessions; ++s)
        t.sessions.push_back(
            {raw->registration.serverName + "/s" + std::to_string(s), tenant,
             memoryUsed / static_cast<uint64_t>(sessions),
             raw->sequence * 1000000ull, raw->sequence * 10, 20.0 + s,
             200.0 + s});
      return t;
    };
    auto onCommand = [raw](const OperatorCommand &c) {
      std::lock_guard<std::mutex> lock(raw->mutex);
      if (c.kind == OperatorCommandKind::Drain)
        raw->draining = true;
      else if (c.kind == OperatorCommandKind::Undrain)
        raw->draining = false;
      else if (c.kind == OperatorCommandKind::ClearTenant)
        raw->tenantSettings.erase(c.tenant);
      else if (c.kind == OperatorCommandKind::Restart)
        raw->restartingUntil =
            std::chrono::steady_clock::now() +
            std::chrono::milliseconds(std::min<uint32_t>(c.graceMs, 2000));
      else
        raw->tenantSettings[c.tenant] = c;
      std::fprintf(stderr, "wooly-fleet-sim: %s: command %s%s\n",
                   raw->registration.serverName.c_str(),
                   c.kind == OperatorCommandKind::Drain     ? "drain"
                   : c.kind == OperatorCommandKind::Undrain ? "undrain"
                   : c.kind == OperatorCommandKind::Restart ? "restart"
                   : c.kind == OperatorCommandKind::ClearTenant
                       ? "clear-tenant "
                       : "set-tenant-weight ",
                   c.tenant.c_str());
    };
    sim->agent = std::make_unique<ServerAgent>(
        context, ControllerEndpoint{controllerUrl, *security}, reg, sample,
        onCommand);
    servers.push_back(std::move(sim));
  }

  struct sigaction sa = {};
  sa.sa_handler = onSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  for (auto &s : servers) {
    s->agent->start();
    std::printf("%s %s\n", s->registration.serverName.c_str(),
                s->registration.endpoint.c_str());
  }
  std::fflush(stdout);

  // Answer pings on every simulated endpoint until told to stop.
  std::vector<zmq::pollitem_t> items;
  for (auto &s : servers)
    items.push_back({s->endpoint->socket().handle(), 0, ZMQ_POLLIN, 0});
  while (!stopRequested) {
    try {
      zmq::poll(items.data(), items.size(), 100ms);
    } catch (const zmq::error_t &) {
      continue; // EINTR from the signal
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN))
        continue;
      auto &sock = servers[i]->endpoint->socket();
      auto in = receiveMessage(sock, SocketRole::Router, 0ms);
      if (!in)
        continue;
      if (!in->valid) {
        (void)sendError(sock, in->routingPtr(), in->header.requestId,
                        in->valid.error());
      } else if (auto ping = in->decode<PingMsg>()) {
        (void)sendMessage(
            sock, in->routingPtr(), in->header.requestId,
            PongMsg{ping->nonce, servers[i]->registration.serverName},
            FlagReply);
      } else {
        (void)sendError(
            sock, in->routingPtr(), in->header.requestId,
            makeError(ErrorCode::NotSupported,
                      "wooly-fleet-sim simulates load only; it "
                      "runs no kernels (connect to a real woolyd)"));
      }
    }
  }
  for (auto &s : servers)
    s->agent->stop(); // deregisters
  return 0;
}

int place(const Args &a) {
  auto security = securityFrom(a);
  if (!security)
    return usageError(security.error().message);
  std::string controllerUrl = a.get("controller", "");
  if (controllerUrl.empty())
    return usageError("--controller URL is required");
  PlacementRequestMsg req;
  if (!parseSize(a.get("memory", "0"), req.memoryBytes))
    return usageError("--memory wants a size like 2GiB");
  req.tenant = a.get("tenant", "");
  req.vendor = a.get("vendor", "");
  req.arch = a.get("arch", "");
  req.policy = a.get("policy", "");
  std::string priority = a.get("priority", "normal");
  if (priority == "batch")
    req.priority = PriorityClass::Batch;
  else if (priority == "interactive")
    req.priority = PriorityClass::Interactive;
  else if (priority != "normal")
    return usageError("--priority must be batch, normal or interactive");
  int count = std::atoi(a.get("count", "1").c_str());
  double rate = std::atof(a.get("rate", "0").c_str());
  if (count < 1 || rate < 0)
    return usageError("--count >= 1, --rate >= 0 (0 = as fast as possible)");

  zmq::context_t context;
  RequestClient client(context, controllerUrl, *security);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    if (rate > 0)
      std::this_thread::sleep_until(
          start +
          std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate)));
    auto reply = client.call<PlacementRequestMsg, PlacementReplyMsg>(req, 5s);
    if (reply)
      std::printf("placed %s %s\n", reply->serverName.c_str(),
                  reply->endpoint.c_str());
    else if (reply.error().code == ErrorCode::NoPlacement)
      std::printf("refused %s\n", reply.error().message.c_str());
    else {
      std::fprintf(stderr, "wooly-fleet-sim: error: %s\n",
                   reply.error().describe().c_str());
      return 1;
    }
    std::fflush(stdout);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usageError("say `serve` or `place`");
  std::string mode = argv[1];
  Args args = parseArgs(argc, argv, 2);
  if (!args.error.empty())
    return usageError(args.error);
  if (mode == "serve")
    return serve(args);
  if (mode == "place")
    return place(args);
  return usageError("unknown mode \"" + mode + "\": say `serve` or `place`");
}
