//===- Server.h - The woolyd server core -----------------------------------===//
//
// One ZeroMQ ROUTER endpoint (tcp://, ipc:// or inproc://), one executor,
// many sessions. The I/O thread owns the socket: it reads requests, answers
// Hello/Heartbeat/Status/garbage itself, and hands every other request to the
// session's own worker thread, which processes them in order and sends its
// replies back through an inproc PUSH socket (ZeroMQ sockets are not
// thread-safe, so only the I/O thread touches the ROUTER).
//
// A session whose client is silent for `sessionTimeoutMs` (no request, no
// heartbeat) is torn down and everything it held is freed.
//
// The same class runs inside woolyd and inside a CUDA program (the client's
// embedded default on inproc://, which needs the server's ZeroMQ context).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_SERVER_H
#define WOOLY_DAEMON_SERVER_H

#include "daemon/MemoryQuota.h"
#include "daemon/ModuleCache.h"
#include "daemon/Session.h"
#include "runtime/exec/Executor.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace wooly::daemon {

struct StatusReport;
struct OperatorState;

struct CurveKeys {
  std::string serverSecret;             // Z85, 40 characters
  std::vector<std::string> allowedKeys; // client public keys, Z85
  /// Operators' public keys (Z85): they may connect too, and only they may
  /// change shares (MsgType::SetShareAdmin).
  std::vector<std::string> adminKeys;
};

struct ServerOptions {
  std::string listen;                // ZeroMQ endpoint
  std::optional<CurveKeys> curve;    // nullopt = no encryption
  uint32_t sessionTimeoutMs = 3000;  // silence after which a client is gone
  uint32_t telemetryIntervalMs = 500;
  uint32_t maxSessions = 256;
  SessionLimits limits;
  // Per-session memory when the client asks for nothing: no guarantee,
  // burst up to `defaultMemoryLimit` (0 = the whole device).
  uint64_t defaultMemoryLimit = 0;
  bool addressFencing = true;
  /// Called on the telemetry thread with the status JSON every interval.
  std::function<void(const std::string &json)> telemetrySink;
  /// Where the server logs one line per notable event ("" = silent).
  bool verbose = false;
  /// Set where the process can replace itself (woolyd: daemon/Restart.h):
  /// "" if it can now, else why not. Without it an operator's RestartAdmin
  /// is refused, as in a program's embedded server.
  std::function<std::string()> restartCheck;
};

class Server {
public:
  /// Binds the endpoint and starts serving. `context` may be shared with an
  /// in-process client (inproc:// endpoints need one ZeroMQ context).
  static exec::Status start(std::shared_ptr<zmq::context_t> context,
                            exec::Executor &executor, ServerOptions options,
                            std::unique_ptr<Server> &out);
  ~Server(); // stops serving and frees every session

  /// The telemetry document (also what `woolyd --status` prints).
  std::string statusJson() const;
  /// Takes the executor's busy sample for the interval that ends now. The
  /// telemetry thread calls it once per tick; every report (the telemetry
  /// sink, the controller link, `woolyd --status`) shows the latest sample,
  /// because Executor::busyFraction() starts a new window at each call and
  /// two callers would each see a part of the interval.
  void sampleBusy();
  /// The same numbers, structured (for the controller link).
  struct StatusReport statusReport() const;
  size_t sessionCount() const;
  uint64_t memoryInUse() const;
  ModuleCache::Counters moduleCounters() const;
  const std::string &endpoint() const { return endpoint_; }
  std::shared_ptr<zmq::context_t> zmqContext() const { return context_; }

  /// Changes a session's weight, and its priority class if given, while it
  /// runs (`woolyd --set-session-share`); false if there is no such session.
  bool setShare(uint64_t session, uint32_t weight,
                std::optional<exec::PriorityClass> cls = {});
  /// Changes the weight, and the priority class if given, of every session
  /// of `tenant` and of its later sessions, whatever they ask for
  /// (`woolyd --set-share`, the controller); returns how many sessions
  /// changed.
  size_t setTenantShare(const std::string &tenant, uint32_t weight,
                        std::optional<exec::PriorityClass> cls = {});
  /// Drops the operator's share of `tenant` (setTenantShare): its sessions
  /// go back to the share each asked for, later ones keep theirs; returns
  /// how many changed.
  size_t clearTenantShare(const std::string &tenant);
  /// Caps the device memory `tenant`'s sessions hold together (0: no cap;
  /// the controller's memoryQuota). Applies to their next allocations and
  /// guarantees; what they hold stays theirs.
  void setTenantMemoryQuota(const std::string &tenant, uint64_t bytes);
  /// What operators set (the drain, tenants' shares and quotas), to carry
  /// across a restart (daemon/OperatorState.h), and setting it back.
  OperatorState operatorState() const;
  void applyOperatorState(const OperatorState &state);
  /// A draining server refuses new sessions and serves the current ones.
  void setDraining(bool draining);
  /// An operator's restart (`woolyd --restart`, MsgType::RestartAdmin, the
  /// controller): from now on new clients are told to ask again
  /// (Restarting) and the open sessions may run for up to `graceMs` more;
  /// `open` is how many there are; the log names `asker` ("an operator").
  /// The process replaces itself (daemon/Restart.h) when restartDue().
  /// Returns "" or why the process cannot restart
  /// (ServerOptions::restartCheck), and then asks nothing.
  std::string requestRestart(uint32_t graceMs, const char *asker, size_t &open);
  /// Why woolyd should restart now: a restart was asked for and every
  /// session has ended or its grace period is over; "" otherwise.
  std::string restartDue() const;
  /// Drops an asked-for restart (the process found it cannot restart):
  /// new sessions are welcome again.
  void cancelRestart();

  struct Impl;

private:
  Server() = default;
  std::shared_ptr<zmq::context_t> context_;
  exec::Executor *executor_ = nullptr;
  ServerOptions options_;
  std::string endpoint_;
  std::unique_ptr<Impl> impl_;
};

/// Writes a complete keys dir (runtime/protocol/Keys.h: server, client and
/// operator pairs, authorized_keys, admin_keys) into `dir`; returns an
/// error message or "". Refuses to overwrite an existing server.key.
std::string writeKeyDirectory(const std::string &dir);
/// Reads server.key, authorized_keys and, if there is one, admin_keys from
/// `dir`.
std::string readServerKeys(const std::string &dir, CurveKeys &out);

/// What a client presents: its key pair and the server's public key.
struct ClientKeys {
  std::string clientPublic, clientSecret, serverPublic;
};
/// Reads client.key and server.pub from `dir`.
std::string readClientKeys(const std::string &dir, ClientKeys &out);
/// Reads admin.key and server.pub from `dir` (an operator's keys).
std::string readAdminKeys(const std::string &dir, ClientKeys &out);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_SERVER_H
