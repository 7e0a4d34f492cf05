//===- RawClient.h - A test client speaking the daemon protocol directly ---===//
//
// Sends hand-built requests over a real DEALER socket, so tests can also send
// what no well-behaved client would (unknown handles, garbage frames).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_DAEMON_RAWCLIENT_H
#define WOOLY_TEST_UNIT_DAEMON_RAWCLIENT_H

#include "runtime/protocol/daemon/Messages.h"

#include <optional>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace wooly::test {

namespace proto = wooly::protocol::daemon;

struct RawReply {
  proto::WireCode code = proto::WireCode::Internal;
  std::string message;
  std::vector<uint8_t> fields;
  std::vector<uint8_t> bulk;
  bool ok() const { return code == proto::WireCode::Success; }
  proto::ByteReader reader() const { return proto::ByteReader(fields); }
};

class RawClient {
public:
  RawClient(zmq::context_t &context, const std::string &url,
            const char *serverKey = nullptr, const char *publicKey = nullptr,
            const char *secretKey = nullptr)
      : socket_(context, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    if (serverKey) {
      socket_.set(zmq::sockopt::curve_serverkey, serverKey);
      socket_.set(zmq::sockopt::curve_publickey, publicKey);
      socket_.set(zmq::sockopt::curve_secretkey, secretKey);
    }
    socket_.connect(url);
  }

  void send(proto::MsgType type, const proto::ByteWriter &payload,
            const std::vector<uint8_t> *bulk = nullptr, bool async = false) {
    proto::ByteWriter copy = payload;
    proto::Header h;
    h.type = uint16_t(type);
    h.seq = seq_++;
    h.flags = async ? proto::FlagAsync : 0;
    h.payloadLength = uint32_t(copy.bytes().size());
    h.bulkFrames = bulk ? 1 : 0;
    uint8_t header[proto::kHeaderSize];
    h.encode(header);
    socket_.send(zmq::buffer(header, sizeof header), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(copy.bytes()),
                 bulk ? zmq::send_flags::sndmore : zmq::send_flags::none);
    if (bulk)
      socket_.send(zmq::buffer(*bulk), zmq::send_flags::none);
  }

  /// The next reply, or nullopt after `timeoutMs`.
  std::optional<RawReply> receive(int timeoutMs = 10000) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs)) == 0)
      return std::nullopt;
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket_, std::back_inserter(frames));
    RawReply r;
    if (frames.size() < 2)
      return r;
    auto *p = static_cast<const uint8_t *>(frames[1].data());
    proto::ByteReader reader(std::span<const uint8_t>(p, frames[1].size()));
    r.code = static_cast<proto::WireCode>(reader.get<uint32_t>("code"));
    r.message = reader.getString("message");
    size_t off = frames[1].size() - reader.remaining();
    r.fields.assign(p + off, p + frames[1].size());
    if (frames.size() > 2) {
      auto *b = static_cast<const uint8_t *>(frames[2].data());
      r.bulk.assign(b, b + frames[2].size());
    }
    return r;
  }

  RawReply call(proto::MsgType type, const proto::ByteWriter &payload = {},
                const std::vector<uint8_t> *bulk = nullptr) {
    send(type, payload, bulk);
    auto r = receive();
    if (!r) {
      RawReply timeout;
      timeout.message = "timeout";
      return timeout;
    }
    return *r;
  }

  RawReply hello(uint64_t guaranteed = 0, uint64_t limit = 0,
                 uint32_t weight = 1, uint32_t priority = 1,
                 const std::string &tenant = "") {
    proto::ByteWriter w;
    w.put<uint32_t>(1234);
    w.putString("raw-client");
    w.put<uint64_t>(guaranteed);
    w.put<uint64_t>(limit);
    w.put<uint32_t>(weight);
    w.put<uint32_t>(priority);
    w.putString(tenant);
    return call(proto::MsgType::Hello, w);
  }

  /// Allocates; returns the pointer or 0.
  uint64_t alloc(uint64_t bytes, RawReply *out = nullptr) {
    proto::ByteWriter w;
    w.put<uint64_t>(bytes);
    RawReply r = call(proto::MsgType::MemAlloc, w);
    if (out)
      *out = r;
    return r.ok() ? r.reader().get<uint64_t>("ptr") : 0;
  }

  zmq::socket_t &socket() { return socket_; }

private:
  zmq::socket_t socket_;
  uint32_t seq_ = 1;
};

} // namespace wooly::test

#endif // WOOLY_TEST_UNIT_DAEMON_RAWCLIENT_H
