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
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H
#define WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H

#include "runtime/protocol/daemon/Messages.h"

#include <atomic>
#include <condition_variable>
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
  /// Waits until ZeroMQ no longer references any bulk buffer passed to
  /// post/call (the caller may then reuse its host memory).
  void waitBulkReleased();

  const proto::DeviceDescription &device() const { return device_; }
  const std::string &serverUrl() const { return url_; }
  bool embedded() const { return embedded_; }
  uint64_t sessionId() const { return sessionId_; }

  struct Impl;

private:
  Connection() = default;
  bool sendLocked(proto::MsgType type, uint32_t flags, uint32_t seq,
                  proto::ByteWriter &payload, BulkRef bulk);
  ClientReply unreachable() const;
  ClientReply receiveLocked(uint32_t seq);
  void heartbeatLoop();

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
};

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_CONNECTION_H
