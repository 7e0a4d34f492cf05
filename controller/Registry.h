//===- Registry.h - The fleet as the controller knows it --------*- C++ -*-===//
//
// Servers, their last telemetry, health and operator state. Not thread-safe:
// the Controller guards it with its mutex. Time is passed in, so tests drive
// health transitions without sleeping.
//
// Health: a server is up while telemetry arrives; after `missedBeats`
// heartbeat intervals without any it is marked down (it gets no new clients)
// and comes back up with its next telemetry. A down server is kept (with its
// history, for operators to see) until it deregisters or has been silent for
// `forgetAfter`; a fleet whose servers come and go under ever-new names
// (containers) would otherwise fill the registry with the dead. A forgotten
// server that comes back is told to register again, as after a controller
// restart.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_CONTROLLER_REGISTRY_H
#define WOOLY_CONTROLLER_REGISTRY_H

#include "controller/Placement.h"
#include "runtime/protocol/ControllerMessages.h"

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace wooly::controller {

using Clock = std::chrono::steady_clock;

struct UtilizationSample {
  double secondsAgo = 0; // filled when exported
  Clock::time_point at;
  double busyFraction = 0;
  uint64_t memoryUsedBytes = 0;
  uint64_t memoryTotalBytes = 0;
  uint32_t queueDepth = 0;
};

struct TenantSetting {
  double weight = 1.0;
  uint64_t memoryQuotaBytes = 0; // 0 = unlimited
  /// The tenant's priority class on servers (OperatorCommand::priority), or
  /// protocol::kKeepPriority: whatever its sessions ask for.
  uint8_t priority = protocol::kKeepPriority;
};

struct ServerRecord {
  protocol::RegisterServerMsg info;
  protocol::TelemetryMsg telemetry; // last received
  bool hasTelemetry = false;
  Clock::time_point registeredAt;
  Clock::time_point lastSeen;
  bool up = true;
  bool draining = false;
  uint64_t heartbeats = 0;
  uint64_t timesMarkedDown = 0;
  uint64_t placements = 0;
  std::deque<UtilizationSample> history; // newest last
  std::vector<protocol::OperatorCommand> pendingCommands;
  std::map<std::string, TenantSetting> tenantSettings;
  struct Reservation {
    uint64_t bytes;
    Clock::time_point expires;
  };
  std::vector<Reservation> reservations;
  /// What placement sees, kept up to date as telemetry arrives so a
  /// placement over a large fleet copies nothing.
  ServerView view;
};

class Registry {
public:
  static constexpr size_t kHistoryLength = 120;
  /// Registrations beyond this are refused (unless a down server can be
  /// forgotten to make room), so a misbehaving peer cannot grow the
  /// controller without bound.
  static constexpr size_t kMaxServers = 20000;

  /// `forgetAfter` 0: keep down servers until they deregister.
  explicit Registry(std::chrono::milliseconds heartbeat, int missedBeats = 3,
                    std::chrono::milliseconds forgetAfter = {})
      : heartbeat_(heartbeat), missedBeats_(missedBeats),
        forgetAfter_(forgetAfter) {}

  protocol::RegisterReplyMsg
  registerServer(const protocol::RegisterServerMsg &m, Clock::time_point now);
  protocol::TelemetryReplyMsg applyTelemetry(const protocol::TelemetryMsg &m,
                                             Clock::time_point now);
  bool deregister(const std::string &name);

  struct HealthChanges {
    std::vector<std::string> markedDown; // missed their heartbeats just now
    std::vector<std::string> forgotten;  // silent for `forgetAfter`: removed
  };
  /// Marks servers down that missed their heartbeats and forgets those down
  /// for `forgetAfter`.
  HealthChanges checkHealth(Clock::time_point now);

  /// Queues Drain/Undrain for the server; false if it is unknown.
  bool setDraining(const std::string &name, bool draining);
  /// Queues Restart for the server (a new process in place once its
  /// sessions end, `graceMs` later at the latest); false if it is unknown.
  bool requestRestart(const std::string &name, uint32_t graceMs);
  /// Queues SetTenantWeight for one server, or for all if `server` is empty;
  /// false if a named server is unknown. Also remembered for servers that
  /// register later. Without a class (kKeepPriority) the class set before
  /// stays; `setting` comes back as it now is.
  bool setTenantWeight(const std::string &server, const std::string &tenant,
                       TenantSetting &setting);
  /// Forgets the tenant's settings on one server, or on all (and for later
  /// ones) if `server` is empty, and queues ClearTenant for them; false if
  /// a named server is unknown.
  bool clearTenant(const std::string &server, const std::string &tenant);
  const std::map<std::string, TenantSetting> &fleetTenantSettings() const {
    return fleetTenantSettings_;
  }

  /// Counts memory a placement will use until telemetry shows it (three
  /// heartbeats at most).
  void reserve(const std::string &name, uint64_t bytes, Clock::time_point now);
  /// Drops the newest reservation of `bytes` on `name`, if any: a placement
  /// its client did not take (it asked again, avoiding the server).
  void release(const std::string &name, uint64_t bytes);

  /// Views of every server, valid until the registry next changes.
  std::vector<const ServerView *> placementViews(Clock::time_point now);

  const std::map<std::string, ServerRecord> &servers() const {
    return servers_;
  }
  ServerRecord *find(const std::string &name);
  std::chrono::milliseconds heartbeat() const { return heartbeat_; }

private:
  void expireReservations(ServerRecord &r, Clock::time_point now);
  static void refreshView(ServerRecord &r);
  /// Removes the down server silent longest, to make room; false if none is
  /// down.
  bool forgetLongestSilent();

  std::chrono::milliseconds heartbeat_;
  int missedBeats_;
  std::chrono::milliseconds forgetAfter_;
  std::map<std::string, ServerRecord> servers_;
  std::map<std::string, TenantSetting> fleetTenantSettings_;
};

/// Checks a registration for what placement relies on; "" if fine.
std::string validateRegistration(const protocol::RegisterServerMsg &m);

} // namespace wooly::controller

#endif // WOOLY_CONTROLLER_REGISTRY_H
