//===- Transport.h - Sending and receiving Wooly messages over ZeroMQ -*- C++
//-*-===//
//
// Servers bind a ROUTER (ServerEndpoint::bind), clients connect a DEALER
// (RequestClient). Both work over tcp://, ipc:// and inproc:// (inproc needs
// one shared zmq::context_t). With CURVE, ServerEndpoint also runs the ZAP
// handler that checks client keys against authorized_keys.
//
//   zmq::context_t ctx;
//   auto server = ServerEndpoint::bind(ctx, "tcp://127.0.0.1:*", security);
//   auto in = receiveMessage(server->socket(), SocketRole::Router, 100ms);
//   if (in && !in->valid) sendError(server->socket(), in->routingPtr(),
//                                   in->header.requestId, in->valid.error());
//   else if (in) { auto ping = in->decode<PingMsg>(); ... sendMessage(...); }
//
//   RequestClient client(ctx, server->boundEndpoint(), clientSecurity);
//   Result<PongMsg> pong = client.call<PingMsg, PongMsg>(PingMsg{7}, 1s);
//
// Bulk data: pass zmq::message_t frames built with bulkFromVector (takes
// ownership of a vector, no copy) or bulkBorrowed (points at caller memory
// and calls `release` once ZeroMQ is done with it).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_TRANSPORT_H
#define WOOLY_RUNTIME_PROTOCOL_TRANSPORT_H

#include "runtime/protocol/Keys.h"
#include "runtime/protocol/Messages.h"
#include "runtime/protocol/Zap.h"

#include <zmq.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace wooly::protocol {

enum class SocketRole { Router, Dealer };

/// One received message. `valid` is an error when the frames were not a
/// well-formed Wooly message (bad magic, version, sizes); the routing id and
/// whatever header fields could be read are still filled in so a server can
/// answer with sendError.
struct Incoming {
  std::optional<zmq::message_t> routingId;
  FrameHeader header;
  zmq::message_t body;
  std::vector<zmq::message_t> bulk;
  Status valid;

  const zmq::message_t *routingPtr() const {
    return routingId ? &*routingId : nullptr;
  }
  std::span<const uint8_t> bodyBytes() const {
    return {static_cast<const uint8_t *>(body.data()), body.size()};
  }
  /// Decodes the body as T, checking the header's message type first.
  template <typename T> Result<T> decode() const {
    if (header.type != static_cast<uint16_t>(T::kType))
      return makeError(ErrorCode::UnknownMessage,
                       std::string("expected ") +
                           messageTypeName(static_cast<uint16_t>(T::kType)) +
                           ", got " + messageTypeName(header.type) + " (0x" +
                           std::to_string(header.type) + ")");
    return decodeBody<T>(bodyBytes());
  }
};

zmq::message_t bulkFromVector(std::vector<uint8_t> &&data);
zmq::message_t bulkBorrowed(const void *data, size_t size,
                            zmq::free_fn *release, void *hint);

/// Sends header + body + bulk frames. `routingId` is required on a ROUTER.
Status sendFrames(zmq::socket_t &socket, const zmq::message_t *routingId,
                  FrameHeader header, std::vector<uint8_t> &&body,
                  std::vector<zmq::message_t> &&bulk = {});

template <typename T>
Status sendMessage(zmq::socket_t &socket, const zmq::message_t *routingId,
                   uint64_t requestId, const T &message, uint16_t flags = 0,
                   std::vector<zmq::message_t> &&bulk = {}) {
  FrameHeader h;
  h.type = static_cast<uint16_t>(T::kType);
  h.flags = flags;
  h.requestId = requestId;
  return sendFrames(socket, routingId, h, encodeBody(message), std::move(bulk));
}

Status sendError(zmq::socket_t &socket, const zmq::message_t *routingId,
                 uint64_t requestId, const Error &error);

/// Waits up to `timeout` (negative: forever) for one message. Errors:
/// Timeout, or Transport if the socket failed.
Result<Incoming> receiveMessage(zmq::socket_t &socket, SocketRole role,
                                std::chrono::milliseconds timeout);

/// A bound ROUTER socket (plus its ZAP handler under CURVE).
class ServerEndpoint {
public:
  /// `url` may use a wildcard port ("tcp://127.0.0.1:*"); boundEndpoint()
  /// then says which port was picked.
  /// `maxMessageBytes` > 0 makes ZeroMQ drop any peer that sends a larger
  /// message (ZMQ_MAXMSGSIZE, per frame), so nobody can make the server
  /// buffer gigabytes it will only refuse.
  static Result<std::unique_ptr<ServerEndpoint>>
  bind(zmq::context_t &context, const std::string &url,
       const ServerSecurity &security, int64_t maxMessageBytes = -1);

  zmq::socket_t &socket() { return socket_; }
  std::string boundEndpoint() const { return bound_; }
  const ServerSecurity &security() const { return security_; }
  const ZapAuthenticator *zap() const { return zap_.get(); }

private:
  ServerEndpoint(zmq::context_t &context)
      : socket_(context, zmq::socket_type::router) {}
  std::unique_ptr<ZapAuthenticator> zap_; // destroyed after socket_
  zmq::socket_t socket_;
  std::string bound_;
  ServerSecurity security_;
};

/// Creates a DEALER connected to `url` (CURVE when `security.curve`). With
/// `monitorEndpoint`, handshake failures are published there (PAIR) before
/// the connection starts, so none is missed.
Result<zmq::socket_t> connectDealer(zmq::context_t &context,
                                    const std::string &url,
                                    const ClientSecurity &security,
                                    const std::string &monitorEndpoint = "");

/// Request/reply over one DEALER: matches replies by request id, drops stale
/// ones, and after a timeout replaces the socket so a late reply can never be
/// taken for the answer to a later request. Under CURVE a refused handshake
/// ends the wait early with Error(Unauthorized). Not thread-safe: one per
/// thread.
class RequestClient {
public:
  RequestClient(zmq::context_t &context, std::string url,
                ClientSecurity security);

  /// Sends a request and waits for the reply with the same request id.
  Result<Incoming> request(uint16_t type, std::vector<uint8_t> &&body,
                           std::chrono::milliseconds timeout,
                           std::vector<zmq::message_t> &&bulk = {});

  /// Typed call: an ErrorReply becomes the Error it carries.
  template <typename Req, typename Rep>
  Result<Rep> call(const Req &message, std::chrono::milliseconds timeout) {
    auto in = request(static_cast<uint16_t>(Req::kType), encodeBody(message),
                      timeout);
    if (!in)
      return in.error();
    if (in->header.type == static_cast<uint16_t>(MessageType::ErrorReply)) {
      auto err = in->template decode<ErrorReplyMsg>();
      if (!err)
        return err.error();
      return makeError(err->code, err->message);
    }
    return in->template decode<Rep>();
  }

  const std::string &url() const { return url_; }

private:
  Status ensureConnected();
  void disconnect();
  /// Reads pending handshake-failure events; an Error if the server refused
  /// us, so a caller hears "key not authorized" instead of a bare timeout.
  std::optional<Error> handshakeFailure();

  zmq::context_t &context_;
  std::string url_;
  ClientSecurity security_;
  std::optional<zmq::socket_t> socket_;
  std::optional<zmq::socket_t> monitor_; // CURVE only
  uint64_t nextRequestId_ = 1;
};

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_TRANSPORT_H
