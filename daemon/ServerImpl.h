//===- ServerImpl.h - The server core's shared insides ----------*- C++ -*-===//
//
// Private to daemon/: Server.cpp (sockets, sessions, telemetry) and
// ServerOperators.cpp (operators' requests: shares, quotas, restarts, and
// what is carried across a restart) both work on Server::Impl.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_SERVERIMPL_H
#define WOOLY_DAEMON_SERVERIMPL_H

#include "daemon/Server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace wooly::daemon {

using proto::MsgType;
using proto::WireCode;

/// Milliseconds on the steady clock.
inline int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A request queued for a session's worker (`stop`: the worker ends).
struct Request {
  proto::Header header;
  std::shared_ptr<zmq::message_t> payload;
  std::shared_ptr<zmq::message_t> bulk;
  bool stop = false;
};

/// Frames of one reply, ready for the ROUTER: [routing
/// id][header][payload][bulk?]
void sendReply(zmq::socket_t &socket, const std::string &rid,
               const proto::Header &request, Reply &reply);

/// The ZAP handler's user id for a connection with a key from admin_keys.
inline constexpr const char *kAdminUser = "wooly-admin";

/// One session's worker thread and request queue.
struct Worker {
  std::string rid;
  /// Who opened the session: the ZAP user id of its connection (the
  /// client's CURVE key), "" without CURVE. `--status` shows a non-operator
  /// only the sessions of its own key.
  std::string owner;
  /// The share the client asked for at Hello, which an operator's tenant
  /// share overrides until it is cleared.
  uint32_t askedWeight = 1;
  exec::PriorityClass askedPriority = exec::PriorityClass::Normal;
  std::unique_ptr<Session> session;
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<Request> queue;
  std::atomic<int64_t> lastSeen{0};
  std::atomic<bool> busy{false}; // inside a request (maybe a long sync)
  std::atomic<bool> finished{false};
  std::thread thread;

  void push(Request r) {
    {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(r));
    }
    ready.notify_one();
  }

  /// Handles the queued requests in order until a stop request; replies
  /// go through a PUSH socket connected to `replyEndpoint`.
  void run(zmq::context_t &context, const std::string &replyEndpoint,
           bool verbose);
};

struct Server::Impl {
  Server &server;
  std::unique_ptr<MemoryQuota> quota;
  ModuleCache modules;
  zmq::socket_t router;
  zmq::socket_t replies;
  std::string replyEndpoint;
  std::thread io, zap, telemetry;
  std::atomic<bool> stopping{false};
  mutable std::mutex sessionsMutex;
  std::map<std::string, std::shared_ptr<Worker>> workers; // by routing id
  std::vector<std::shared_ptr<Worker>> dying;
  uint64_t nextSession = 1;
  std::atomic<bool> draining{false};
  // When this server started (Unix ms): a restarted woolyd keeps its pid,
  // so this is what tells the new process from the old one.
  uint64_t startedAtMs =
      uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count());
  // An operator's restart (RestartAdmin): when it was asked for and when
  // woolyd stops waiting for its sessions (nowMs(); 0: not asked).
  std::atomic<int64_t> restartAskedAt{0}, restartDeadline{0};
  // An operator's share for a tenant (under sessionsMutex): wins over what
  // the tenant's sessions ask for.
  struct TenantShare {
    uint32_t weight = 1;
    std::optional<exec::PriorityClass> priority;
  };
  std::map<std::string, TenantShare> tenantShares;
  std::mutex telemetryMutex;
  std::condition_variable telemetryWake;
  // The executor's busy fraction over the last telemetry interval; the
  // mutex keeps the samples of the interval in order.
  std::mutex busyMutex;
  std::atomic<double> busy{0.0};

  explicit Impl(Server &s) : server(s) {}
  void ioLoop();
  void zapLoop(zmq::socket_t socket);
  void stopZap(zmq::context_t &context);
  void telemetryLoop();
  void onRequest(std::vector<zmq::message_t> &frames);
  void hello(const std::string &rid, const proto::Header &h,
             proto::ByteReader &r, const std::string &owner);
  /// Whether the connection a frame came on may change shares and see
  /// every session.
  bool isAdmin(zmq::message_t &frame) const;
  /// The ZAP user id of the connection a frame came on ("" without CURVE).
  static std::string peerUser(zmq::message_t &frame);
  /// The peer's address as ZeroMQ tells it ("" where it has none).
  static std::string peerAddress(zmq::message_t &frame);
  void setShareAdmin(const std::string &rid, const proto::Header &h,
                     proto::ByteReader &r, bool admin);
  void restartAdmin(const std::string &rid, const proto::Header &h,
                    proto::ByteReader &r, bool admin);
  void setQuotaAdmin(const std::string &rid, const proto::Header &h,
                     proto::ByteReader &r, bool admin);
  void retire(const std::string &rid, const char *why);
  void reap();
  void replyError(const std::string &rid, const proto::Header &h, WireCode code,
                  std::string message) {
    Reply reply = Reply::error(code, std::move(message));
    sendReply(router, rid, h, reply);
  }
  void refuseNonOperator(const std::string &rid, const proto::Header &h,
                         const char *what) {
    replyError(rid, h, WireCode::NotPermitted,
               std::string(what) +
                   (server.options_.curve
                        ? " needs an operator key (one listed in the "
                          "server's admin_keys; `woolyd --gen-keys` writes "
                          "admin.key)"
                        : " without CURVE is allowed only from this machine "
                          "(a loopback address) or over ipc://; to operate "
                          "woolyd from elsewhere, start it with --keys DIR "
                          "and use an operator key"));
  }
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_SERVERIMPL_H
