//===- Zap.cpp - ZAP handler checking CURVE clients against a list --------===//
#include "runtime/protocol/Zap.h"

#include <cstdio>

namespace wooly::protocol {

ZapAuthenticator::ZapAuthenticator(zmq::context_t &context)
    : handler_(context, zmq::socket_type::rep),
      stopSend_(context, zmq::socket_type::pair),
      stopReceive_(context, zmq::socket_type::pair) {}

Result<std::unique_ptr<ZapAuthenticator>>
ZapAuthenticator::start(zmq::context_t &context,
                        const std::vector<std::string> &allowedZ85) {
  std::unique_ptr<ZapAuthenticator> zap(new ZapAuthenticator(context));
  for (const std::string &key : allowedZ85) {
    uint8_t binary[32];
    if (key.size() != 40 || !zmq_z85_decode(binary, key.c_str()))
      return makeError(ErrorCode::BadKeys,
                       "allow-list entry is not a Z85 public key: " + key);
    zap->allowed_.insert(std::string(reinterpret_cast<char *>(binary), 32));
  }
  try {
    zap->handler_.set(zmq::sockopt::linger, 0);
    zap->handler_.bind("inproc://zeromq.zap.01");
    // A unique name per handler: several contexts may each have one.
    std::string stopName =
        "inproc://wooly-zap-stop-" +
        std::to_string(reinterpret_cast<uintptr_t>(zap.get()));
    zap->stopReceive_.bind(stopName);
    zap->stopSend_.connect(stopName);
  } catch (const zmq::error_t &e) {
    return makeError(ErrorCode::Transport,
                     std::string("cannot start the ZAP handler: ") + e.what());
  }
  zap->thread_ = std::thread([z = zap.get()] { z->serve(); });
  return zap;
}

ZapAuthenticator::~ZapAuthenticator() {
  try {
    stopSend_.send(zmq::str_buffer("stop"), zmq::send_flags::dontwait);
  } catch (const zmq::error_t &) {
  }
  if (thread_.joinable())
    thread_.join();
}

void ZapAuthenticator::serve() {
  zmq::pollitem_t items[] = {{handler_.handle(), 0, ZMQ_POLLIN, 0},
                             {stopReceive_.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    for (;;) {
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN)
        return;
      if (!(items[0].revents & ZMQ_POLLIN))
        continue;
      // Request: version, request id, domain, address, routing id,
      // mechanism, credentials...
      std::vector<zmq::message_t> frames;
      do {
        zmq::message_t frame;
        if (!handler_.recv(frame))
          break;
        frames.push_back(std::move(frame));
      } while (frames.back().more());
      std::string version = frames.size() > 0 ? frames[0].to_string() : "";
      std::string requestId = frames.size() > 1 ? frames[1].to_string() : "";
      std::string mechanism = frames.size() > 5 ? frames[5].to_string() : "";
      bool ok = false;
      if (version == "1.0" && mechanism == "CURVE" && frames.size() > 6)
        ok = allowed_.count(frames[6].to_string()) != 0;
      else if (version == "1.0" && mechanism == "NULL")
        ok = false; // a CURVE server never sees NULL; refuse to be safe
      (ok ? accepted_ : refused_)++;
      handler_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
      handler_.send(zmq::buffer(requestId), zmq::send_flags::sndmore);
      handler_.send(ok ? zmq::str_buffer("200") : zmq::str_buffer("400"),
                    zmq::send_flags::sndmore);
      handler_.send(ok ? zmq::str_buffer("OK")
                       : zmq::str_buffer("client key not in authorized_keys"),
                    zmq::send_flags::sndmore);
      handler_.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
      handler_.send(zmq::str_buffer(""), zmq::send_flags::none);
    }
  } catch (const zmq::error_t &e) {
    // The context is shutting down; nothing left to authenticate.
    if (e.num() != ETERM)
      std::fprintf(stderr, "wooly: ZAP handler stopped: %s\n", e.what());
  }
}

} // namespace wooly::protocol
