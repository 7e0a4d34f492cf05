//===- Transport.cpp - Sending and receiving Wooly messages over ZeroMQ ---===//
#include "runtime/protocol/Transport.h"
#include "runtime/protocol/HandOver.h"
#include "runtime/protocol/Ipv6.h"

#include <atomic>
#include <cstring>

namespace wooly::protocol {

zmq::message_t bulkFromVector(std::vector<uint8_t> &&data) {
  auto *owned = new std::vector<uint8_t>(std::move(data));
  return zmq::message_t(
      owned->data(), owned->size(),
      [](void *, void *hint) {
        delete static_cast<std::vector<uint8_t> *>(hint);
      },
      owned);
}

zmq::message_t bulkBorrowed(const void *data, size_t size,
                            zmq::free_fn *release, void *hint) {
  return zmq::message_t(const_cast<void *>(data), size, release, hint);
}

Status sendFrames(zmq::socket_t &socket, const zmq::message_t *routingId,
                  FrameHeader header, std::vector<uint8_t> &&body,
                  std::vector<zmq::message_t> &&bulk) {
  if (body.size() > kMaxBodyBytes || bulk.size() > kMaxBulkFrames)
    return makeError(ErrorCode::InvalidValue,
                     "message too large for one Wooly frame set");
  header.payloadLength = static_cast<uint32_t>(body.size());
  header.bulkFrames = static_cast<uint16_t>(bulk.size());
  auto headerBytes = encodeHeader(header);
  try {
    // Only the first frame can fail to go out (no peer within ZMQ_SNDTIMEO,
    // or would block with dontwait); once it is queued, ZeroMQ takes the
    // rest of the multipart message.
    bool queued;
    if (routingId) {
      zmq::message_t id;
      id.copy(const_cast<zmq::message_t &>(*routingId));
      queued = socket.send(id, zmq::send_flags::sndmore).has_value();
      if (queued)
        socket.send(zmq::buffer(headerBytes), zmq::send_flags::sndmore);
    } else {
      queued = socket.send(zmq::buffer(headerBytes), zmq::send_flags::sndmore)
                   .has_value();
    }
    if (!queued)
      return makeError(ErrorCode::Timeout,
                       "cannot send: no connected peer took the message in "
                       "time");
    auto bodyMsg = bulkFromVector(std::move(body));
    handOverFrame(bodyMsg.data());
    socket.send(bodyMsg, bulk.empty() ? zmq::send_flags::none
                                      : zmq::send_flags::sndmore);
    for (size_t i = 0; i < bulk.size(); ++i) {
      handOverFrame(bulk[i].data());
      socket.send(bulk[i], i + 1 == bulk.size() ? zmq::send_flags::none
                                                : zmq::send_flags::sndmore);
    }
  } catch (const zmq::error_t &e) {
    return makeError(ErrorCode::Transport,
                     std::string("cannot send a message: ") + e.what());
  }
  return Status::ok();
}

Status sendError(zmq::socket_t &socket, const zmq::message_t *routingId,
                 uint64_t requestId, const Error &error) {
  ErrorReplyMsg reply{error.code, error.message};
  return sendMessage(socket, routingId, requestId, reply, FlagReply);
}

Result<Incoming> receiveMessage(zmq::socket_t &socket, SocketRole role,
                                std::chrono::milliseconds timeout) {
  try {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0)
      return makeError(ErrorCode::Timeout, "no message within " +
                                               std::to_string(timeout.count()) +
                                               " ms");
    std::vector<zmq::message_t> frames;
    do {
      zmq::message_t frame;
      if (!socket.recv(frame, zmq::recv_flags::none))
        return makeError(ErrorCode::Transport, "receive interrupted");
      takeOverFrame(frame.data());
      frames.push_back(std::move(frame));
    } while (frames.back().more());

    Incoming in;
    size_t next = 0;
    if (role == SocketRole::Router)
      in.routingId = std::move(frames[next++]);
    auto fail = [&](Error error) {
      in.valid = Status(std::move(error));
      return Result<Incoming>(std::move(in));
    };
    if (next >= frames.size())
      return fail(makeError(ErrorCode::Malformed, "empty message"));
    auto &headerFrame = frames[next++];
    auto header = decodeHeader(
        {static_cast<const uint8_t *>(headerFrame.data()), headerFrame.size()});
    if (!header) {
      // Keep the request id if the frame is long enough to hold one, so the
      // error reply still reaches the right waiter.
      if (headerFrame.size() == kHeaderBytes) {
        auto *b = static_cast<const uint8_t *>(headerFrame.data());
        for (int i = 0; i < 8; ++i)
          in.header.requestId |= static_cast<uint64_t>(b[16 + i]) << (8 * i);
      }
      return fail(header.error());
    }
    in.header = *header;
    if (next >= frames.size())
      return fail(makeError(ErrorCode::Malformed,
                            "message has a header but no body frame"));
    in.body = std::move(frames[next++]);
    if (in.body.size() != in.header.payloadLength)
      return fail(makeError(ErrorCode::Malformed,
                            "body frame is " + std::to_string(in.body.size()) +
                                " bytes but the header says " +
                                std::to_string(in.header.payloadLength)));
    if (frames.size() - next != in.header.bulkFrames)
      return fail(makeError(ErrorCode::Malformed,
                            "header announces " +
                                std::to_string(in.header.bulkFrames) +
                                " bulk frames, message has " +
                                std::to_string(frames.size() - next)));
    for (; next < frames.size(); ++next)
      in.bulk.push_back(std::move(frames[next]));
    return in;
  } catch (const zmq::error_t &e) {
    return makeError(ErrorCode::Transport,
                     std::string("cannot receive: ") + e.what());
  }
}

Result<std::unique_ptr<ServerEndpoint>>
ServerEndpoint::bind(zmq::context_t &context, const std::string &url,
                     const ServerSecurity &security, int64_t maxMessageBytes) {
  std::unique_ptr<ServerEndpoint> ep(new ServerEndpoint(context));
  ep->security_ = security;
  if (security.curve) {
    auto zap = ZapAuthenticator::start(context, security.authorizedKeys);
    if (!zap)
      return zap.error();
    ep->zap_ = std::move(*zap);
  }
  try {
    auto &s = ep->socket_;
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::ipv6, endpointUsesIpv6(url));
    if (maxMessageBytes > 0)
      s.set(zmq::sockopt::maxmsgsize, maxMessageBytes);
    if (security.curve) {
      s.set(zmq::sockopt::curve_server, true);
      s.set(zmq::sockopt::curve_secretkey, security.identity.secretKey);
      s.set(zmq::sockopt::curve_publickey, security.identity.publicKey);
      s.set(zmq::sockopt::zap_domain, "wooly");
    }
    s.bind(url);
    ep->bound_ = s.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t &e) {
    return makeError(ErrorCode::Transport,
                     "cannot listen on " + url + ": " + e.what() +
                         " (is the address in use or malformed?)");
  }
  return ep;
}

Result<zmq::socket_t> connectDealer(zmq::context_t &context,
                                    const std::string &url,
                                    const ClientSecurity &security,
                                    const std::string &monitorEndpoint) {
  try {
    zmq::socket_t s(context, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::ipv6, endpointUsesIpv6(url));
    if (security.curve) {
      s.set(zmq::sockopt::curve_serverkey, security.serverPublicKey);
      s.set(zmq::sockopt::curve_publickey, security.identity.publicKey);
      s.set(zmq::sockopt::curve_secretkey, security.identity.secretKey);
    }
    if (!monitorEndpoint.empty() &&
        zmq_socket_monitor(s.handle(), monitorEndpoint.c_str(),
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
      return makeError(ErrorCode::Transport,
                       std::string("cannot monitor a socket: ") +
                           zmq_strerror(zmq_errno()));
    s.connect(url);
    return s;
  } catch (const zmq::error_t &e) {
    return makeError(ErrorCode::Transport, "cannot connect to " + url + ": " +
                                               e.what() +
                                               " (check the URL spelling)");
  }
}

RequestClient::RequestClient(zmq::context_t &context, std::string url,
                             ClientSecurity security)
    : context_(context), url_(std::move(url)), security_(std::move(security)) {}

Status RequestClient::ensureConnected() {
  if (socket_)
    return Status::ok();
  std::string monitorName;
  if (security_.curve) {
    static std::atomic<uint64_t> serial{0};
    monitorName = "inproc://wooly-handshake-monitor-" +
                  std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
                  std::to_string(serial++);
  }
  auto s = connectDealer(context_, url_, security_, monitorName);
  if (!s)
    return s.error();
  socket_.emplace(std::move(*s));
  if (!monitorName.empty()) {
    try {
      monitor_.emplace(context_, zmq::socket_type::pair);
      monitor_->set(zmq::sockopt::linger, 0);
      monitor_->connect(monitorName);
    } catch (const zmq::error_t &e) {
      monitor_.reset();
    }
  }
  return Status::ok();
}

void RequestClient::disconnect() {
  if (socket_ && monitor_)
    zmq_socket_monitor(socket_->handle(), nullptr, 0);
  monitor_.reset();
  socket_.reset();
}

std::optional<Error> RequestClient::handshakeFailure() {
  if (!monitor_)
    return std::nullopt;
  std::optional<Error> failure;
  for (;;) {
    zmq::message_t event;
    try {
      if (!monitor_->recv(event, zmq::recv_flags::dontwait))
        break;
      zmq::message_t address;
      if (event.more())
        (void)monitor_->recv(address, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t &) {
      break;
    }
    if (event.size() < 6)
      continue;
    uint16_t id;
    std::memcpy(&id, event.data(), 2);
    if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
      failure = makeError(ErrorCode::Unauthorized,
                          url_ + " refused this client's key: add the "
                                 "client.pub line to the server's "
                                 "authorized_keys");
    else if (!failure)
      failure = makeError(ErrorCode::Unauthorized,
                          "the CURVE handshake with " + url_ +
                              " failed: is the server's public key "
                              "(server.pub / controller.pub) the right one, "
                              "and does the server use CURVE?");
  }
  return failure;
}

Result<Incoming> RequestClient::request(uint16_t type,
                                        std::vector<uint8_t> &&body,
                                        std::chrono::milliseconds timeout,
                                        std::vector<zmq::message_t> &&bulk) {
  if (Status s = ensureConnected(); !s)
    return s.error();
  FrameHeader h;
  h.type = type;
  h.requestId = nextRequestId_++;
  // A DEALER blocks in send while it has no connection (a refused CURVE
  // handshake leaves it with none): bound that wait by the request's.
  try {
    socket_->set(zmq::sockopt::sndtimeo,
                 static_cast<int>(std::min<int64_t>(timeout.count(), 1 << 30)));
  } catch (const zmq::error_t &) {
  }
  if (Status s =
          sendFrames(*socket_, nullptr, h, std::move(body), std::move(bulk));
      !s) {
    auto refused = handshakeFailure();
    disconnect();
    if (refused)
      return *refused;
    if (s.error().code == ErrorCode::Timeout)
      return makeError(ErrorCode::Timeout,
                       "could not reach " + url_ + " within " +
                           std::to_string(timeout.count()) +
                           " ms (is it running, and are the keys right?)");
    return s.error();
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0)
      left = std::chrono::milliseconds(0);
    // Under CURVE, wait in slices so a refused handshake ends the wait early.
    auto slice =
        monitor_ ? std::min(left, std::chrono::milliseconds(20)) : left;
    auto in = receiveMessage(*socket_, SocketRole::Dealer, slice);
    if (!in && in.error().code == ErrorCode::Timeout && slice < left) {
      if (auto refused = handshakeFailure()) {
        disconnect();
        return *refused;
      }
      continue;
    }
    if (!in) {
      // Drop the socket: a late reply must not answer a later request, and
      // a fresh connection retries the handshake.
      auto refused = handshakeFailure();
      disconnect();
      if (refused)
        return *refused;
      if (in.error().code == ErrorCode::Timeout)
        return makeError(ErrorCode::Timeout,
                         "no reply from " + url_ + " within " +
                             std::to_string(timeout.count()) +
                             " ms (is it running, and are the keys right?)");
      return in.error();
    }
    if (!in->valid)
      return in->valid.error();
    if (in->header.requestId == h.requestId)
      return in;
    // A stale reply to an earlier request: skip it.
  }
}

} // namespace wooly::protocol
