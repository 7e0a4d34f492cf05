//===- StatusClient.cpp - Asking a running woolyd for its status ---------===//
#include "daemon/StatusClient.h"
#include "daemon/Server.h"

#include <zmq_addon.hpp>

namespace wooly::daemon {

namespace proto = wooly::protocol::daemon;

bool queryStatus(const std::string &url, const std::string &keysDir,
                 std::string &json, std::string &error) {
  try {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    if (!keysDir.empty()) {
      ClientKeys keys;
      if (std::string err = readClientKeys(keysDir, keys); !err.empty()) {
        error = err;
        return false;
      }
      socket.set(zmq::sockopt::curve_serverkey, keys.serverPublic);
      socket.set(zmq::sockopt::curve_publickey, keys.clientPublic);
      socket.set(zmq::sockopt::curve_secretkey, keys.clientSecret);
    }
    socket.connect(url);
    proto::Header h;
    h.type = uint16_t(proto::MsgType::Status);
    h.seq = 1;
    h.payloadLength = 0;
    uint8_t header[proto::kHeaderSize];
    h.encode(header);
    socket.send(zmq::buffer(header, sizeof header), zmq::send_flags::sndmore);
    socket.send(zmq::message_t(), zmq::send_flags::none);
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::seconds(5)) == 0) {
      error = "no answer from " + url + " within 5 s (is woolyd running "
              "there, and are the keys right?)";
      return false;
    }
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket, std::back_inserter(frames));
    if (frames.size() < 2) {
      error = "malformed status reply";
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
    json = r.getString("json", 64u << 20);
    return true;
  } catch (const std::exception &e) {
    error = std::string("status request to ") + url + " failed: " + e.what();
    return false;
  }
}

} // namespace wooly::daemon
