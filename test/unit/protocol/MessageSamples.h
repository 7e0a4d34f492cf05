// One populated sample of every protocol message, shared by the round-trip,
// truncation and garbage tests so a new message is tested by adding it here.
#ifndef WOOLY_TEST_UNIT_PROTOCOL_MESSAGESAMPLES_H
#define WOOLY_TEST_UNIT_PROTOCOL_MESSAGESAMPLES_H

#include "runtime/protocol/ControllerMessages.h"

namespace wooly::protocol::samples {

inline RegisterServerMsg registerServer() {
  RegisterServerMsg m;
  m.serverName = "gpu-node-7";
  m.endpoint = "tcp://10.0.0.7:7701";
  m.publicKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  m.version = "0.1.0";
  m.executors = {"host", "cuda"};
  m.devices = {{"NVIDIA H100", "nvidia", "sm_90", 80ull << 30, 132},
               {"host CPU", "host", "x86_64", 64ull << 30, 16}};
  return m;
}
inline RegisterReplyMsg registerReply() { return {true, "welcome", 250}; }
inline TelemetryMsg telemetry() {
  TelemetryMsg m;
  m.serverName = "gpu-node-7";
  m.sequence = 42;
  m.queueDepth = 3;
  m.draining = true;
  m.devices = {
      {"NVIDIA H100", "nvidia", "sm_90", 80ull << 30, 12ull << 30, 0.75}};
  m.sessions = {{"s-1", "alice", 1ull << 30, 123456789, 1000, 12.5, 99.0},
                {"s-2", "bob", 2ull << 30, 5, 1, 0.0, 0.0}};
  return m;
}
inline TelemetryReplyMsg telemetryReply() {
  TelemetryReplyMsg m;
  m.status = TelemetryStatus::Ok;
  m.commands = {
      {OperatorCommandKind::Drain, "", 1.0, 0},
      {OperatorCommandKind::SetTenantWeight, "alice", 2.5, 4ull << 30, 2},
      {OperatorCommandKind::SetTenantWeight, "bob", 1.0, 0, kKeepPriority},
      {OperatorCommandKind::ClearTenant, "carol", 1.0, 0, kKeepPriority},
      {OperatorCommandKind::Restart, "", 1.0, 0, kKeepPriority, 30000}};
  return m;
}
inline DeregisterMsg deregister() { return {"gpu-node-7"}; }
inline DeregisterReplyMsg deregisterReply() { return {true}; }
inline PlacementRequestMsg placementRequest() {
  return {8ull << 30, "nvidia", "sm_90", PriorityClass::Interactive,
          "alice",    "binpack", ""};
}
inline PlacementReplyMsg placementReply() {
  return {"gpu-node-7", "tcp://10.0.0.7:7701",
          "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", 17,
          "most free memory (72 GiB), busy 0.10"};
}
inline FleetStatusRequestMsg fleetStatusRequest() { return {}; }
inline FleetStatusReplyMsg fleetStatusReply() { return {"{\"servers\":[]}"}; }
inline ErrorReplyMsg errorReply() {
  return {ErrorCode::NoPlacement, "no server can take this: all draining"};
}
inline PingMsg ping() { return {99}; }
inline PongMsg pong() { return {99, "gpu-node-7"}; }

/// Calls f(sample) for every message type.
template <typename F> void forEachMessage(F &&f) {
  f(registerServer());
  f(registerReply());
  f(telemetry());
  f(telemetryReply());
  f(deregister());
  f(deregisterReply());
  f(placementRequest());
  f(placementReply());
  f(fleetStatusRequest());
  f(fleetStatusReply());
  f(errorReply());
  f(ping());
  f(pong());
}

} // namespace wooly::protocol::samples

#endif
