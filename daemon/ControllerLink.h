//===- ControllerLink.h - woolyd's registration and telemetry -------------===//
//
// Registers the server with wooly-controller and sends the status report as
// telemetry every interval (the protocol library's ServerAgent does the
// talking, retries and re-registration after a controller restart).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_CONTROLLERLINK_H
#define WOOLY_DAEMON_CONTROLLERLINK_H

#include "daemon/Server.h"
#include "daemon/StatusJson.h"
#include "runtime/protocol/ControllerMessages.h"

#include <memory>
#include <string>

namespace wooly::daemon {

/// The telemetry message for one status report. It carries the draining
/// flag so that a restarted controller learns of a drain from the server.
protocol::TelemetryMsg toTelemetry(const StatusReport &report,
                                   const std::string &serverName,
                                   uint64_t sequence);

class ControllerLink {
public:
  /// Starts reporting `server` to the controller at `url` (CURVE keys from
  /// `keysDir`, or none), registered as reachable at `endpoint`
  /// (Advertise.h). Null with `error` set when the keys are unusable.
  static std::unique_ptr<ControllerLink>
  start(zmq::context_t &context, const std::string &url,
        const std::string &keysDir, Server &server,
        const exec::DeviceInfo &device, const std::string &endpoint,
        std::string &error);
  ~ControllerLink(); // deregisters

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_CONTROLLERLINK_H
