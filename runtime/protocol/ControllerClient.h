//===- ControllerClient.h - Talking to wooly-controller ---------*- C++ -*-===//
//
// For servers (woolyd, wooly-fleet-sim): ServerAgent registers with the
// controller, sends telemetry every heartbeat from a background thread,
// re-registers when the controller answers "unknown server" (after a
// controller restart), hands operator commands to a callback, and deregisters
// on stop().
//
//   ServerAgent agent(ctx, {controllerUrl, security}, registration,
//                     [&] { return sampleTelemetry(); },
//                     [&](const OperatorCommand &c) { apply(c); });
//   agent.start();  ...  agent.stop();
//
// For clients: requestPlacement() asks where to run; requestFleetStatus()
// fetches the fleet snapshot JSON (wooly-smi).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_CONTROLLERCLIENT_H
#define WOOLY_RUNTIME_PROTOCOL_CONTROLLERCLIENT_H

#include "runtime/protocol/ControllerMessages.h"
#include "runtime/protocol/Transport.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace wooly::protocol {

struct ControllerEndpoint {
  std::string url;
  ClientSecurity security;
};

class ServerAgent {
public:
  using TelemetrySampler = std::function<TelemetryMsg()>;
  using CommandHandler = std::function<void(const OperatorCommand &)>;

  ServerAgent(zmq::context_t &context, ControllerEndpoint controller,
              RegisterServerMsg registration, TelemetrySampler sample,
              CommandHandler onCommand);
  ~ServerAgent();

  /// Starts the heartbeat thread. Registration happens in the thread and is
  /// retried every heartbeat until the controller answers, so a server may
  /// start before its controller.
  void start();
  /// Deregisters (best effort, short timeout) and joins the thread.
  void stop();

  bool registered() const { return registered_; }
  uint64_t registrations() const { return registrations_; }
  uint64_t heartbeatsAcknowledged() const { return acked_; }
  /// The last refusal or transport error, for logs ("" if none).
  std::string lastProblem() const;

private:
  void run();
  bool registerOnce(RequestClient &client);
  /// False if the controller answered "unknown server".
  bool sendTelemetry(RequestClient &client);
  void noteProblem(const std::string &problem);

  zmq::context_t &context_;
  ControllerEndpoint controller_;
  RegisterServerMsg registration_;
  TelemetrySampler sample_;
  CommandHandler onCommand_;

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> registered_{false};
  std::atomic<uint64_t> registrations_{0}, acked_{0};
  std::atomic<uint32_t> intervalMs_{500};
  std::string lastProblem_;
};

/// One placement round trip. A refusal is Error(NoPlacement, "no server can
/// take this: ...").
Result<PlacementReplyMsg>
requestPlacement(zmq::context_t &context, const ControllerEndpoint &controller,
                 const PlacementRequestMsg &request,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

Result<std::string>
requestFleetStatus(zmq::context_t &context,
                   const ControllerEndpoint &controller,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_CONTROLLERCLIENT_H
