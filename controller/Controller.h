//===- Controller.h - The controller service ---------------------*- C++
//-*-===//
//
// One ROUTER socket serves servers (register, telemetry, deregister) and
// clients (placement, fleet status) on a single thread (`serve`), so message
// handling needs no more than one core. The HTTP side calls the thread-safe
// methods below; one mutex guards the registry and the placement log.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_CONTROLLER_CONTROLLER_H
#define WOOLY_CONTROLLER_CONTROLLER_H

#include "controller/Placement.h"
#include "controller/Registry.h"
#include "runtime/protocol/Transport.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace wooly::controller {

struct ControllerOptions {
  std::string listenUrl;
  protocol::ServerSecurity security;
  std::chrono::milliseconds heartbeat{500};
  int missedBeats = 3;
  /// A down server silent this long is forgotten; 0: kept until it
  /// deregisters.
  std::chrono::milliseconds forgetAfter{std::chrono::hours(1)};
  Policy policy = Policy::Spread;
  /// Receives one line per event (registrations, health, placements);
  /// null writes them to stderr.
  std::function<void(const std::string &)> log;
};

struct PlacementRecord {
  uint64_t id = 0;
  std::chrono::system_clock::time_point at;
  protocol::PlacementRequestMsg request;
  Decision decision;
};

class Controller {
public:
  static protocol::Result<std::unique_ptr<Controller>>
  create(zmq::context_t &context, ControllerOptions options);

  /// Serves the ZeroMQ socket until `stop` becomes true.
  void serve(const std::atomic<bool> &stop);
  std::string endpoint() const { return endpoint_->boundEndpoint(); }
  const ControllerOptions &options() const { return options_; }

  // Thread-safe operations, shared by the ZeroMQ and HTTP sides.
  /// Decides, reserves and logs; the record is shared with the log (a
  /// decision over a large fleet lists every server, so it is not copied).
  std::shared_ptr<const PlacementRecord>
  place(const protocol::PlacementRequestMsg &request);
  bool drain(const std::string &server, bool draining);
  /// Has the server restart in place (woolyd --restart) once its sessions
  /// end, `graceMs` later at the latest; false if it is unknown.
  bool restartServer(const std::string &server, uint32_t graceMs);
  /// Registry::clearTenant, logged.
  bool clearTenant(const std::string &server, const std::string &tenant);
  /// Registry::setTenantWeight, logged; `setting` comes back as it now is.
  bool setTenantWeight(const std::string &server, const std::string &tenant,
                       TenantSetting &setting);

  // Views for the API, the dashboard and wooly-smi (ControllerJson.cpp).
  /// `historySamples`: how many of the newest utilization samples (of up to
  /// Registry::kHistoryLength) each server carries.
  nlohmann::json serversJson(size_t historySamples = Registry::kHistoryLength);
  nlohmann::json devicesJson();
  nlohmann::json sessionsJson();
  /// Newest first; each lists at most `maxCandidates` candidates (the best
  /// ones, then refusals) and says how many it left out.
  nlohmann::json placementsJson(size_t limit = 100, size_t maxCandidates = 50);
  /// One decision with every candidate; null if it left the log.
  nlohmann::json placementJson(uint64_t id);
  nlohmann::json weightsJson();
  /// All of the above in one document; what the dashboard polls, so it is
  /// kept lean: 60 history samples, placements without candidates.
  nlohmann::json fleetJson(size_t historySamples = 60);
  /// Prometheus text exposition (Metrics.cpp).
  std::string metricsText();

  uint64_t messagesHandled() const { return messagesHandled_; }
  uint64_t malformedMessages() const { return malformed_; }

private:
  explicit Controller(ControllerOptions options);
  void handle(protocol::Incoming &in);
  void tick(Clock::time_point now);
  void answerPlacement(const zmq::message_t *to, uint64_t requestId,
                       const protocol::PlacementRequestMsg &request);

  /// Placement requests that arrive while a fresh controller is still
  /// hearing from its fleet (the first two heartbeats after start: servers
  /// re-register with their next telemetry) wait instead of being refused
  /// for want of servers. Touched by the serve thread only.
  struct DeferredPlacement {
    zmq::message_t routingId;
    uint64_t requestId;
    protocol::PlacementRequestMsg request;
  };
  std::vector<DeferredPlacement> deferred_;
  void log(const std::string &line);

  ControllerOptions options_;
  std::unique_ptr<protocol::ServerEndpoint> endpoint_;

  std::mutex mutex_;
  Registry registry_;
  std::deque<std::shared_ptr<const PlacementRecord>> placements_; // newest last
  uint64_t nextDecisionId_ = 1;
  uint64_t placed_ = 0, refused_ = 0;
  std::map<std::string, uint64_t> messagesByType_;
  Clock::time_point started_ = Clock::now();

  std::atomic<uint64_t> messagesHandled_{0}, malformed_{0};
};

} // namespace wooly::controller

#endif // WOOLY_CONTROLLER_CONTROLLER_H
