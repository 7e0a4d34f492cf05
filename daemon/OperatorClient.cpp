//===- OperatorClient.cpp - An operator's requests to a running woolyd ----===//
#include "daemon/OperatorClient.h"
#include "daemon/Server.h"
#include "runtime/protocol/Ipv6.h"

#include <cstdio>
#include <filesystem>
#include <zmq_addon.hpp>

namespace wooly::daemon {

namespace proto = wooly::protocol::daemon;

namespace {

/// Sends one request of `type` and leaves the reply's fields after (code,
/// message) in `reply`; false with `error` set otherwise.
bool request(const std::string &url, const ClientKeys *keys,
             proto::MsgType type, const proto::ByteWriter &payload,
             zmq::message_t &reply, size_t &fieldsAt, std::string &error,
             int timeoutMs = 5000) {
  try {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::ipv6, protocol::endpointUsesIpv6(url));
    if (keys) {
      socket.set(zmq::sockopt::curve_serverkey, keys->serverPublic);
      socket.set(zmq::sockopt::curve_publickey, keys->clientPublic);
      socket.set(zmq::sockopt::curve_secretkey, keys->clientSecret);
    }
    socket.connect(url);
    proto::Header h;
    h.type = uint16_t(type);
    h.seq = 1;
    h.payloadLength = uint32_t(payload.bytes().size());
    uint8_t header[proto::kHeaderSize];
    h.encode(header);
    socket.send(zmq::buffer(header, sizeof header), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(payload.bytes()), zmq::send_flags::none);
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs)) == 0) {
      char within[32];
      snprintf(within, sizeof within, "%g s", timeoutMs / 1000.0);
      error = "no answer from " + url + " within " + within +
              " (is woolyd running there, and are the keys right?)";
      return false;
    }
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket, std::back_inserter(frames));
    if (frames.size() < 2) {
      error = "malformed reply";
      return false;
    }
    proto::ByteReader r(
        {static_cast<const uint8_t *>(frames[1].data()), frames[1].size()});
    auto code = r.get<uint32_t>("code");
    std::string message = r.getString("message");
    if (code != 0) {
      error = message;
      return false;
    }
    fieldsAt = frames[1].size() - r.remaining();
    reply = std::move(frames[1]);
    return true;
  } catch (const std::exception &e) {
    error = std::string(proto::msgTypeName(uint16_t(type))) + " request to " +
            url + " failed: " + e.what();
    return false;
  }
}

proto::ByteReader fields(const zmq::message_t &reply, size_t at) {
  return proto::ByteReader(
      {static_cast<const uint8_t *>(reply.data()) + at, reply.size() - at});
}

} // namespace

bool queryStatus(const std::string &url, const std::string &keysDir,
                 std::string &json, std::string &error, int timeoutMs) {
  // An operator sees every session, a client its own: the operator's key
  // where the directory has one.
  ClientKeys keys;
  if (!keysDir.empty() &&
      !std::filesystem::exists(std::filesystem::path(keysDir) / "admin.key"))
    error = readClientKeys(keysDir, keys);
  else if (!keysDir.empty())
    error = readAdminKeys(keysDir, keys);
  if (!error.empty())
    return false;
  zmq::message_t reply;
  size_t at = 0;
  if (!request(url, keysDir.empty() ? nullptr : &keys, proto::MsgType::Status,
               proto::ByteWriter(), reply, at, error, timeoutMs))
    return false;
  try {
    proto::ByteReader r = fields(reply, at);
    json = r.getString("json", 64u << 20);
    return true;
  } catch (const std::exception &e) {
    error = std::string("malformed status reply: ") + e.what();
    return false;
  }
}

namespace {
/// An operator's request (admin.key from `keysDir` when not empty); its
/// reply's one field into `out`.
template <typename T>
bool operatorRequest(const std::string &url, const std::string &keysDir,
                     proto::MsgType type, const proto::ByteWriter &payload,
                     const char *field, T &out, std::string &error) {
  ClientKeys keys;
  if (!keysDir.empty())
    if (error = readAdminKeys(keysDir, keys); !error.empty())
      return false;
  zmq::message_t reply;
  size_t at = 0;
  if (!request(url, keysDir.empty() ? nullptr : &keys, type, payload, reply,
               at, error))
    return false;
  try {
    proto::ByteReader r = fields(reply, at);
    out = r.get<T>(field);
    return true;
  } catch (const std::exception &e) {
    error = std::string("malformed reply: ") + e.what();
    return false;
  }
}
} // namespace

bool setShare(const std::string &url, const std::string &keysDir,
              const ShareTarget &target, uint32_t weight,
              std::optional<exec::PriorityClass> priority, uint32_t &changed,
              std::string &error) {
  proto::ByteWriter w;
  w.put<uint8_t>(target.tenant.empty() ? 1 : 0);
  w.putString(target.tenant);
  w.put<uint64_t>(target.session);
  w.put<uint32_t>(weight);
  w.put<uint32_t>(priority ? uint32_t(*priority) : proto::kKeepPriority);
  return operatorRequest(url, keysDir, proto::MsgType::SetShareAdmin, w,
                         "changed", changed, error);
}

bool setTenantQuota(const std::string &url, const std::string &keysDir,
                    const std::string &tenant, uint64_t bytes, uint64_t &used,
                    std::string &error) {
  proto::ByteWriter w;
  w.putString(tenant);
  w.put<uint64_t>(bytes);
  return operatorRequest(url, keysDir, proto::MsgType::SetQuotaAdmin, w,
                         "used", used, error);
}

bool requestRestart(const std::string &url, const std::string &keysDir,
                    uint32_t graceMs, uint32_t &open, std::string &error) {
  proto::ByteWriter w;
  w.put<uint32_t>(graceMs);
  return operatorRequest(url, keysDir, proto::MsgType::RestartAdmin, w, "open",
                         open, error);
}

} // namespace wooly::daemon
