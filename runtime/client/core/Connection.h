//===- Connection.h - The one connection of a process to its server -------===//
//
// Every CUDA call of a process goes through one Connection: one DEALER socket,
// one session on the server. Where it goes:
//   WOOLY_SERVER=URL      that server (CURVE keys from WOOLY_KEYS=DIR)
//   WOOLY_CONTROLLER=URL  asks the controller for a server, then as above
//   neither               the daemon core in this process on inproc://, with
//                         the host executor (the embedded default)
//
// `call` sends a request and waits for its reply; `post` sends an
// asynchronous request (launch, async copy/set, event record) without
// waiting: the server keeps its error for the next synchronizing call.
// A background thread sends heartbeats so the server knows we are alive.
//
// Batching: posted requests with at most kBatchInlineBulk bytes of bulk
// are gathered into one Batch message (runtime/protocol/daemon/Batch.h)
// instead of one message each, since a ZeroMQ message's fixed cost is most
// of an empty launch's. The batch goes out
//   - before any request that waits for a reply (`call`, `callMany`: every
//     synchronizing call and every query), so replies see all earlier work;
//   - before a request too big to batch (a large copy keeps its own
//     zero-copy bulk frame), so order is kept;
//   - when it holds kBatchMaxRequests requests or kBatchMaxBytes bytes;
//   - kBatchIdle after its first request, from a timer's thread
//     (DeadlineTimer: arming it wakes nobody), so a launch followed by long
//     host work starts within ~kBatchIdle instead of waiting for the next
//     CUDA call.
// A server without FeatureBatch (older woolyd) or WOOLY_BATCH=0 gets one
// message per request as before.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H
#define WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H

#include "runtime/client/core/DeadlineTimer.h"
#include "runtime/client/core/Placement.h"
#include "runtime/protocol/daemon/Batch.h"
#include "runtime/protocol/daemon/Messages.h"

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <zmq.hpp>

namespace wooly::client {

namespace proto = wooly::protocol::daemon;

struct ClientReply {
  proto::WireCode code = proto::WireCode::Success;
  std::string message;
  zmq::message_t payload; // the whole payload frame
  size_t fieldsOffset = 0;
  zmq::message_t bulk;
  bool hasBulk = false;

  bool ok() const { return code == proto::WireCode::Success; }
  proto::ByteReader fields() const {
    auto *p = static_cast<const uint8_t *>(payload.data());
    return proto::ByteReader(
        std::span<const uint8_t>(p + fieldsOffset, payload.size() - fieldsOffset));
  }
};

/// A borrowed bulk buffer: zero-copy; `done` counts down when ZeroMQ has
/// finished with it.
struct BulkRef {
  const void *data = nullptr;
  size_t size = 0;
};

class Connection {
public:
  /// Opens the process's connection from the environment. On failure returns
  /// null with `error` saying what went wrong and what to do.
  static std::unique_ptr<Connection> open(std::string &error);
  ~Connection(); // says goodbye, stops the embedded server

  ClientReply call(proto::MsgType type, proto::ByteWriter &payload,
                   BulkRef bulk = {});
  /// False when the server cannot be reached (the next call says why).
  bool post(proto::MsgType type, proto::ByteWriter &payload, BulkRef bulk = {});
  /// Sends several requests back to back, then collects their replies in
  /// order (pipelined device-to-host chunks).
  std::vector<ClientReply> callMany(proto::MsgType type,
                                    std::vector<proto::ByteWriter> &payloads);
  /// As callMany, but hands reply i to `onReply(i, reply)` as soon as it
  /// arrives, so the caller's work on one reply (copying a chunk out)
  /// overlaps the arrival of the next instead of waiting for all of them.
  void callEach(proto::MsgType type, std::vector<proto::ByteWriter> &payloads,
                const std::function<void(size_t, ClientReply &)> &onReply);
  /// Waits until ZeroMQ no longer references any bulk buffer passed to
  /// post/call (the caller may then reuse its host memory).
  void waitBulkReleased();

  const proto::DeviceDescription &device() const { return device_; }
  const std::string &serverUrl() const { return url_; }
  bool embedded() const { return embedded_; }
  /// Whether posted requests are batched (the server accepts Batch).
  bool batching() const { return batching_; }
  /// Whether the server accepts SetLimit (older servers do not).
  bool setsLimits() const { return limits_; }
  /// Sends the pending batch now (tests; every call does it itself).
  bool flush();
  /// Requests waiting in the batch (tests).
  uint32_t pendingRequests();

  static constexpr size_t kBatchInlineBulk = 16 * 1024;
  static constexpr uint32_t kBatchMaxRequests = 256;
  static constexpr size_t kBatchMaxBytes = 256 * 1024;
  static constexpr std::chrono::microseconds kBatchIdle{150};
  uint64_t sessionId() const { return sessionId_; }

  struct Impl;

private:
  Connection() = default;
  bool sendLocked(proto::MsgType type, uint32_t flags, uint32_t seq,
                  proto::ByteWriter &payload, BulkRef bulk);
  ClientReply unreachable() const;
  ClientReply receiveLocked(uint32_t seq);
  /// Reads one reply (socket readable); false, with `r` saying why, when
  /// the frames are not a reply.
  bool readReplyLocked(proto::Header &h, ClientReply &r);
  /// (Re)creates the socket and connects it to `server` (CURVE keys from
  /// $WOOLY_KEYS; `serverKey` when a placement named the server's, else
  /// the keys directory's server.pub). False with `error` set.
  bool connectLocked(const std::string &server, const std::string &serverKey,
                     std::string &error);
  /// After `placed` (a controller's placement) answered Restarting
  /// (`restarting`, `error` its message) or nothing: asks the controller
  /// once more without that server and connects to the one it gives.
  /// False when the program should give up: a silent server and no other
  /// (`error` kept), or the new connection failed.
  bool placeElsewhereLocked(const std::string &controller,
                            const Placement &placed, bool restarting,
                            std::string &error);
  enum class HelloOutcome { Session, Restarting, NoAnswer, Failed };
  /// Sends Hello and waits for the session within `timeout`; once the
  /// server answers Restarting, asks again until it serves, for at least
  /// `restartWait` from then. With `restartWait` 0 a Restarting answer is
  /// returned at once (`error` says why), so that the caller may go to
  /// another server. NoAnswer: nothing came back in time (or the request
  /// could not be sent); Failed: the server refused. Both set `error`.
  HelloOutcome helloLocked(proto::ByteWriter &hello,
                           std::chrono::milliseconds timeout,
                           std::chrono::milliseconds restartWait,
                           ClientReply &r, std::string &error);
  void heartbeatLoop();
  /// Sends the pending batch, if any (mutex_ held).
  bool flushLocked();
  /// The batch timer's callback: sends a batch whose deadline has passed.
  void flushIfDue();

  std::shared_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::mutex mutex_;
  uint32_t nextSeq_ = 1;
  proto::DeviceDescription device_;
  std::string url_;
  bool embedded_ = false;
  uint64_t sessionId_ = 0;
  uint32_t heartbeatMs_ = 500;
  std::thread heartbeat_;
  std::mutex heartbeatMutex_;
  std::condition_variable heartbeatWake_;
  bool stopping_ = false;
  std::shared_ptr<std::atomic<int64_t>> bulkInFlight_ =
      std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<void> embeddedServer_; // keeps the in-process daemon alive
  // Batching (under mutex_).
  bool batching_ = false;
  bool limits_ = false;
  proto::BatchWriter batch_;
  std::chrono::steady_clock::time_point batchDeadline_;
  bool batchTimerArmed_ = false;
  std::unique_ptr<DeadlineTimer> batchTimer_;
};

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H
