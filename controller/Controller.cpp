//===- Controller.cpp - The controller service ----------------------------===//
#include "controller/Controller.h"
#include "daemon/PriorityNames.h"

#include "controller/Format.h"

#include <cstdio>

namespace wooly::controller {
using namespace protocol;

namespace {
constexpr size_t kPlacementLogLength = 500;
}

Controller::Controller(ControllerOptions options)
    : options_(std::move(options)),
      registry_(options_.heartbeat, options_.missedBeats,
                options_.forgetAfter) {}

Result<std::unique_ptr<Controller>>
Controller::create(zmq::context_t &context, ControllerOptions options) {
  std::unique_ptr<Controller> c(new Controller(std::move(options)));
  // Controller messages are small; a registration with 64 devices is a few
  // KiB. Anything near this limit is an attack or a wrong peer.
  constexpr int64_t kMaxControllerMessage = 4 << 20;
  auto ep = ServerEndpoint::bind(context, c->options_.listenUrl,
                                 c->options_.security, kMaxControllerMessage);
  if (!ep)
    return ep.error();
  c->endpoint_ = std::move(*ep);
  return c;
}

void Controller::log(const std::string &line) {
  if (options_.log)
    options_.log(line);
  else
    std::fprintf(stderr, "wooly-controller: %s\n", line.c_str());
}

void Controller::serve(const std::atomic<bool> &stop) {
  auto &socket = endpoint_->socket();
  auto nextTick = Clock::now();
  while (!stop.load()) {
    auto in = receiveMessage(socket, SocketRole::Router,
                             std::chrono::milliseconds(50));
    if (in)
      handle(*in);
    auto now = Clock::now();
    if (now >= nextTick) {
      tick(now);
      nextTick = now + std::chrono::milliseconds(50);
    }
  }
}

void Controller::answerPlacement(const zmq::message_t *to, uint64_t rid,
                                 const PlacementRequestMsg &request) {
  auto &socket = endpoint_->socket();
  auto placed = place(request);
  const PlacementRecord &rec = *placed;
  if (!rec.decision.placed) {
    (void)sendError(
        socket, to, rid,
        makeError(ErrorCode::NoPlacement, rec.decision.explanation));
    return;
  }
  PlacementReplyMsg reply{rec.decision.server, rec.decision.endpoint,
                          rec.decision.publicKey, rec.id,
                          rec.decision.explanation};
  (void)sendMessage(socket, to, rid, reply, FlagReply);
}

void Controller::tick(Clock::time_point now) {
  if (!deferred_.empty() && now - started_ >= 2 * options_.heartbeat) {
    auto waiting = std::move(deferred_);
    deferred_.clear();
    for (auto &d : waiting)
      answerPlacement(&d.routingId, d.requestId, d.request);
  }
  Registry::HealthChanges changes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    changes = registry_.checkHealth(now);
  }
  for (const auto &name : changes.markedDown)
    log("server " + name + " is down: no telemetry for " +
        std::to_string(options_.missedBeats) + " heartbeats of " +
        std::to_string(options_.heartbeat.count()) + " ms");
  for (const auto &name : changes.forgotten)
    log("server " + name + " forgotten: no telemetry for " +
        std::to_string(options_.forgetAfter.count()) + " ms");
}

void Controller::handle(Incoming &in) {
  messagesHandled_++;
  auto &socket = endpoint_->socket();
  const zmq::message_t *to = in.routingPtr();
  uint64_t rid = in.header.requestId;
  auto refuse = [&](const Error &e) {
    malformed_++;
    (void)sendError(socket, to, rid, e);
  };
  if (!in.valid)
    return refuse(in.valid.error());
  if (in.header.isReply())
    return; // nobody here sent a request; ignore stray replies
  auto now = Clock::now();
  auto type = in.header.messageType();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    messagesByType_[messageTypeName(in.header.type)]++;
  }
  switch (type) {
  case MessageType::RegisterServer: {
    auto m = in.decode<RegisterServerMsg>();
    if (!m)
      return refuse(m.error());
    RegisterReplyMsg reply;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reply = registry_.registerServer(*m, now);
    }
    log((reply.accepted ? "server " + m->serverName + " " + reply.message +
                              " at " + m->endpoint
                        : "refused registration of " + m->serverName + ": " +
                              reply.message));
    (void)sendMessage(socket, to, rid, reply, FlagReply);
    return;
  }
  case MessageType::Telemetry: {
    auto m = in.decode<TelemetryMsg>();
    if (!m)
      return refuse(m.error());
    TelemetryReplyMsg reply;
    bool cameBack = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ServerRecord *r = registry_.find(m->serverName);
      cameBack = r && !r->up;
      reply = registry_.applyTelemetry(*m, now);
    }
    if (cameBack)
      log("server " + m->serverName + " is up again");
    (void)sendMessage(socket, to, rid, reply, FlagReply);
    return;
  }
  case MessageType::Deregister: {
    auto m = in.decode<DeregisterMsg>();
    if (!m)
      return refuse(m.error());
    bool known;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      known = registry_.deregister(m->serverName);
    }
    if (known)
      log("server " + m->serverName + " deregistered");
    (void)sendMessage(socket, to, rid, DeregisterReplyMsg{known}, FlagReply);
    return;
  }
  case MessageType::PlacementRequest: {
    auto m = in.decode<PlacementRequestMsg>();
    if (!m)
      return refuse(m.error());
    if (now - started_ < 2 * options_.heartbeat && deferred_.size() < 10000) {
      zmq::message_t id;
      id.copy(const_cast<zmq::message_t &>(*to));
      deferred_.push_back({std::move(id), rid, *m});
      return;
    }
    answerPlacement(to, rid, *m);
    return;
  }
  case MessageType::FleetStatusRequest: {
    auto m = in.decode<FleetStatusRequestMsg>();
    if (!m)
      return refuse(m.error());
    (void)sendMessage(socket, to, rid, FleetStatusReplyMsg{fleetJson(0).dump()},
                      FlagReply);
    return;
  }
  case MessageType::Ping: {
    auto m = in.decode<PingMsg>();
    if (!m)
      return refuse(m.error());
    (void)sendMessage(socket, to, rid, PongMsg{m->nonce, "wooly-controller"},
                      FlagReply);
    return;
  }
  default:
    return refuse(
        makeError(ErrorCode::UnknownMessage,
                  std::string("the controller does not handle message type ") +
                      messageTypeName(in.header.type) + " (" +
                      std::to_string(in.header.type) +
                      "); is this a woolyd endpoint you meant to reach?"));
  }
}

std::shared_ptr<const PlacementRecord>
Controller::place(const PlacementRequestMsg &request) {
  auto shared = std::make_shared<PlacementRecord>();
  PlacementRecord &rec = *shared;
  rec.request = request;
  rec.at = std::chrono::system_clock::now();
  auto now = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // The client did not take its placement there: that memory is free.
    if (!request.avoid.empty())
      registry_.release(request.avoid, request.memoryBytes);
    auto views = registry_.placementViews(now);
    rec.decision = decidePlacement(views, request, options_.policy);
    rec.id = nextDecisionId_++;
    if (rec.decision.placed) {
      registry_.reserve(rec.decision.server, request.memoryBytes, now);
      placed_++;
    } else {
      refused_++;
    }
    placements_.push_back(shared);
    while (placements_.size() > kPlacementLogLength)
      placements_.pop_front();
  }
  std::string tenant = request.tenant.empty() ? "default" : request.tenant;
  log("placement #" + std::to_string(rec.id) + " tenant=" + tenant +
      " memory=" + formatBytes(request.memoryBytes) +
      (request.vendor.empty() ? "" : " vendor=" + request.vendor) +
      (request.arch.empty() ? "" : " arch=" + request.arch) +
      " priority=" + priorityClassName(request.priority) + " -> " +
      (rec.decision.placed
           ? rec.decision.server + " (" + rec.decision.explanation + ")"
           : rec.decision.explanation));
  return shared;
}

bool Controller::drain(const std::string &server, bool draining) {
  bool ok;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ok = registry_.setDraining(server, draining);
  }
  if (ok)
    log(std::string(draining ? "draining " : "undraining ") + server +
        " (operator)");
  return ok;
}

bool Controller::restartServer(const std::string &server, uint32_t graceMs) {
  bool ok;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ok = registry_.requestRestart(server, graceMs);
  }
  if (ok)
    log("restarting " + server + " once its sessions end, in " +
        formatFixed(graceMs / 1000.0, 1) + " s at the latest (operator)");
  return ok;
}

bool Controller::setTenantWeight(const std::string &server,
                                 const std::string &tenant,
                                 TenantSetting &setting) {
  bool ok;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ok = registry_.setTenantWeight(server, tenant, setting);
  }
  if (ok)
    log("tenant " + tenant + " weight " + formatFixed(setting.weight) +
        (setting.priority == protocol::kKeepPriority
             ? std::string()
             : std::string(" class ") +
                   daemon::priorityClassName(
                       static_cast<exec::PriorityClass>(setting.priority))) +
        " quota " +
        (setting.memoryQuotaBytes ? formatBytes(setting.memoryQuotaBytes)
                                  : std::string("unlimited")) +
        " on " + (server.empty() ? std::string("every server") : server));
  return ok;
}

bool Controller::clearTenant(const std::string &server,
                             const std::string &tenant) {
  bool ok;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ok = registry_.clearTenant(server, tenant);
  }
  if (ok)
    log("tenant " + tenant + " settings cleared on " +
        (server.empty() ? std::string("every server") : server));
  return ok;
}

} // namespace wooly::controller
