//===- ControllerMessages.h - Server/client <-> controller messages -*- C++
//-*-===//
//
// Servers (woolyd, wooly-fleet-sim) talk to the controller with
//   RegisterServer -> RegisterReply
//   Telemetry      -> TelemetryReply (every heartbeat; carries operator
//                     commands back, or "unknown server" after a controller
//                     restart, upon which the server registers again)
//   Deregister     -> DeregisterReply
// Clients (the client runtime, wooly-smi) use
//   PlacementRequest   -> PlacementReply (or ErrorReply)
//   FleetStatusRequest -> FleetStatusReply (the /api/v1 JSON snapshot)
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_CONTROLLERMESSAGES_H
#define WOOLY_RUNTIME_PROTOCOL_CONTROLLERMESSAGES_H

#include "runtime/protocol/Messages.h"

#include <string>
#include <vector>

namespace wooly::protocol {

/// One device a server offers. vendor: "nvidia", "amd" or "host";
/// arch: "sm_90", "gfx942", "x86_64".
struct DeviceInfo {
  std::string name;
  std::string vendor;
  std::string arch;
  uint64_t memoryBytes = 0;
  uint32_t computeUnits = 0;
  bool operator==(const DeviceInfo &) const = default;
};

struct RegisterServerMsg {
  static constexpr MessageType kType = MessageType::RegisterServer;
  std::string serverName; // unique in the fleet, stable across restarts
  std::string endpoint;   // where clients connect (a ZeroMQ URL)
  std::string publicKey;  // the server's CURVE public key (Z85), or empty
  std::string version;    // software version, shown to operators
  std::vector<std::string> executors; // "host", "cuda", "hip"
  std::vector<DeviceInfo> devices;
  bool operator==(const RegisterServerMsg &) const = default;
};

struct RegisterReplyMsg {
  static constexpr MessageType kType = MessageType::RegisterReply;
  bool accepted = false;
  std::string message;                // why not, if refused
  uint32_t heartbeatIntervalMs = 500; // how often to send Telemetry
  bool operator==(const RegisterReplyMsg &) const = default;
};

struct DeviceTelemetry {
  std::string name;
  std::string vendor;
  std::string arch;
  uint64_t memoryTotalBytes = 0;
  uint64_t memoryUsedBytes = 0;
  double busyFraction = 0; // 0..1 over the last interval
  bool operator==(const DeviceTelemetry &) const = default;
};

/// Per-session usage, as the server's scheduler sees it.
struct SessionUsage {
  std::string sessionId;
  std::string tenant;
  uint64_t memoryBytes = 0;
  uint64_t kernelTimeNs = 0; // cumulative
  uint64_t launches = 0;     // cumulative
  double queueDelayP50Us = 0;
  double queueDelayP99Us = 0;
  bool operator==(const SessionUsage &) const = default;
};

struct TelemetryMsg {
  static constexpr MessageType kType = MessageType::Telemetry;
  std::string serverName;
  uint64_t sequence = 0;   // increases by one per heartbeat
  uint32_t queueDepth = 0; // launches waiting in the scheduler
  /// The server's own view of a Drain command; a restarted controller takes
  /// it from here, so an operator's drain survives the restart.
  bool draining = false;
  std::vector<DeviceTelemetry> devices;
  std::vector<SessionUsage> sessions;
  /// An operator's restart (woolyd --restart) waits for the sessions to
  /// end: no new ones until the new process registers. Sent last and only
  /// when set, so telemetry without it is byte for byte as before.
  bool restarting = false;
  bool operator==(const TelemetryMsg &) const = default;
};

/// An operator action the controller passes to a server.
enum class OperatorCommandKind : uint8_t {
  Drain = 1,           // take no new sessions, finish the current ones
  Undrain = 2,         // take sessions again
  SetTenantWeight = 3, // scheduler weight and memory quota for a tenant
  ClearTenant = 4,     // drop the tenant's settings: its sessions go back to
                       // the shares they asked for, no memory quota
  Restart = 5,         // a new server process in place once the sessions
                       // end, `graceMs` later at the latest (woolyd
                       // --restart)
};

/// OperatorCommand::priority when the tenant's class stays as it is.
inline constexpr uint8_t kKeepPriority = 0xff;
/// The longest grace period of a restart (the controller's Restart command,
/// woolyd's RestartAdmin and --restart --grace): an hour.
inline constexpr uint32_t kMaxRestartGraceMs = 3600 * 1000;

struct OperatorCommand {
  OperatorCommandKind kind = OperatorCommandKind::Drain;
  std::string tenant;            // SetTenantWeight, ClearTenant
  double weight = 1.0;           // SetTenantWeight: relative share, > 0
  /// SetTenantWeight: bytes the tenant's sessions hold together on the
  /// server; 0 = unlimited.
  uint64_t memoryQuotaBytes = 0;
  /// SetTenantWeight: the tenant's priority class on the server (0
  /// best-effort, 1 normal, 2 latency-sensitive), or kKeepPriority.
  uint8_t priority = kKeepPriority;
  /// Restart: how long the open sessions may still run, at most
  /// kMaxRestartGraceMs; on the wire after the fields above, for Restart
  /// only (the other kinds are encoded as before it existed).
  uint32_t graceMs = 0;
  bool operator==(const OperatorCommand &) const = default;
};

enum class TelemetryStatus : uint8_t {
  Ok = 0,
  /// The controller does not know this server (it restarted, or marked the
  /// server gone): register again, then carry on.
  UnknownServer = 1,
};

struct TelemetryReplyMsg {
  static constexpr MessageType kType = MessageType::TelemetryReply;
  TelemetryStatus status = TelemetryStatus::Ok;
  std::vector<OperatorCommand> commands;
  bool operator==(const TelemetryReplyMsg &) const = default;
};

struct DeregisterMsg {
  static constexpr MessageType kType = MessageType::Deregister;
  std::string serverName;
  bool operator==(const DeregisterMsg &) const = default;
};
struct DeregisterReplyMsg {
  static constexpr MessageType kType = MessageType::DeregisterReply;
  bool known = false;
  bool operator==(const DeregisterReplyMsg &) const = default;
};

enum class PriorityClass : uint8_t { Batch = 0, Normal = 1, Interactive = 2 };
const char *priorityClassName(PriorityClass p);

struct PlacementRequestMsg {
  static constexpr MessageType kType = MessageType::PlacementRequest;
  uint64_t memoryBytes = 0; // device memory the client expects to need
  std::string vendor;       // "" = any; else "nvidia", "amd", "host"
  std::string arch;         // "" = any; else e.g. "sm_90", "gfx942"
  PriorityClass priority = PriorityClass::Normal;
  std::string tenant; // "" = "default"
  std::string policy; // "" = controller default; "spread", "binpack"
  /// A server the client could not use (it answered that it is restarting,
  /// or did not answer): not chosen again. Sent only when set, after the other fields, so
  /// controllers and clients of the same protocol version without it still
  /// read every other request.
  std::string avoid;
  bool operator==(const PlacementRequestMsg &) const = default;
};

/// A placement: the endpoint to connect to and its CURVE key. Refusals come
/// as ErrorReply(NoPlacement, "no server can take this: <why>").
struct PlacementReplyMsg {
  static constexpr MessageType kType = MessageType::PlacementReply;
  std::string serverName;
  std::string endpoint;
  std::string serverPublicKey;
  uint64_t decisionId = 0; // look it up under /api/v1/placements
  std::string explanation; // one line: why this server
  bool operator==(const PlacementReplyMsg &) const = default;
};

struct FleetStatusRequestMsg {
  static constexpr MessageType kType = MessageType::FleetStatusRequest;
  bool operator==(const FleetStatusRequestMsg &) const = default;
};
struct FleetStatusReplyMsg {
  static constexpr MessageType kType = MessageType::FleetStatusReply;
  std::string json; // same document as GET /api/v1/fleet
  bool operator==(const FleetStatusReplyMsg &) const = default;
};

void write(Writer &w, const RegisterServerMsg &m);
void read(Reader &r, RegisterServerMsg &m);
void write(Writer &w, const RegisterReplyMsg &m);
void read(Reader &r, RegisterReplyMsg &m);
void write(Writer &w, const TelemetryMsg &m);
void read(Reader &r, TelemetryMsg &m);
void write(Writer &w, const TelemetryReplyMsg &m);
void read(Reader &r, TelemetryReplyMsg &m);
void write(Writer &w, const DeregisterMsg &m);
void read(Reader &r, DeregisterMsg &m);
void write(Writer &w, const DeregisterReplyMsg &m);
void read(Reader &r, DeregisterReplyMsg &m);
void write(Writer &w, const PlacementRequestMsg &m);
void read(Reader &r, PlacementRequestMsg &m);
void write(Writer &w, const PlacementReplyMsg &m);
void read(Reader &r, PlacementReplyMsg &m);
void write(Writer &w, const FleetStatusRequestMsg &m);
void read(Reader &r, FleetStatusRequestMsg &m);
void write(Writer &w, const FleetStatusReplyMsg &m);
void read(Reader &r, FleetStatusReplyMsg &m);

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_CONTROLLERMESSAGES_H
