//===- ControllerClient.cpp - Talking to wooly-controller -----------------===//
#include "runtime/protocol/ControllerClient.h"

namespace wooly::protocol {

ServerAgent::ServerAgent(zmq::context_t &context, ControllerEndpoint controller,
                         RegisterServerMsg registration,
                         TelemetrySampler sample, CommandHandler onCommand)
    : context_(context), controller_(std::move(controller)),
      registration_(std::move(registration)), sample_(std::move(sample)),
      onCommand_(std::move(onCommand)) {}

ServerAgent::~ServerAgent() { stop(); }

void ServerAgent::start() {
  if (thread_.joinable())
    return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ServerAgent::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

std::string ServerAgent::lastProblem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lastProblem_;
}

void ServerAgent::noteProblem(const std::string &problem) {
  std::lock_guard<std::mutex> lock(mutex_);
  lastProblem_ = problem;
}

bool ServerAgent::registerOnce(RequestClient &client) {
  auto reply = client.call<RegisterServerMsg, RegisterReplyMsg>(
      registration_, std::chrono::milliseconds(intervalMs_.load()));
  if (!reply) {
    noteProblem("register: " + reply.error().describe());
    return false;
  }
  if (!reply->accepted) {
    noteProblem("register refused: " + reply->message);
    return false;
  }
  if (reply->heartbeatIntervalMs >= 10 && reply->heartbeatIntervalMs <= 60000)
    intervalMs_ = reply->heartbeatIntervalMs;
  registrations_++;
  registered_ = true;
  return true;
}

bool ServerAgent::sendTelemetry(RequestClient &client) {
  TelemetryMsg telemetry = sample_();
  telemetry.serverName = registration_.serverName;
  auto reply = client.call<TelemetryMsg, TelemetryReplyMsg>(
      telemetry, std::chrono::milliseconds(intervalMs_.load()));
  if (!reply) {
    noteProblem("telemetry: " + reply.error().describe());
    return true; // nothing learned; try again next heartbeat
  }
  if (reply->status == TelemetryStatus::UnknownServer) {
    // The controller restarted (or forgot us): register again.
    registered_ = false;
    return false;
  }
  acked_++;
  for (const OperatorCommand &c : reply->commands)
    if (onCommand_)
      onCommand_(c);
  return true;
}

void ServerAgent::run() {
  RequestClient client(context_, controller_.url, controller_.security);
  for (;;) {
    auto beatStart = std::chrono::steady_clock::now();
    // Right after registering, report load at once: until its first
    // telemetry the controller only knows the server's capacity.
    if (!registered_)
      registerOnce(client);
    if (registered_ && !sendTelemetry(client) && registerOnce(client))
      sendTelemetry(client); // the controller had forgotten us: catch up now
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock,
                         beatStart + std::chrono::milliseconds(intervalMs_),
                         [this] { return stopping_; }))
      break;
  }
  if (registered_) {
    DeregisterMsg bye{registration_.serverName};
    (void)client.call<DeregisterMsg, DeregisterReplyMsg>(
        bye, std::chrono::milliseconds(300));
    registered_ = false;
  }
}

Result<PlacementReplyMsg> requestPlacement(zmq::context_t &context,
                                           const ControllerEndpoint &controller,
                                           const PlacementRequestMsg &request,
                                           std::chrono::milliseconds timeout) {
  RequestClient client(context, controller.url, controller.security);
  return client.call<PlacementRequestMsg, PlacementReplyMsg>(request, timeout);
}

Result<std::string> requestFleetStatus(zmq::context_t &context,
                                       const ControllerEndpoint &controller,
                                       std::chrono::milliseconds timeout) {
  RequestClient client(context, controller.url, controller.security);
  auto reply = client.call<FleetStatusRequestMsg, FleetStatusReplyMsg>(
      FleetStatusRequestMsg{}, timeout);
  if (!reply)
    return reply.error();
  return reply->json;
}

} // namespace wooly::protocol
