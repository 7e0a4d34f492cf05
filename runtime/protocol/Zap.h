//===- Zap.h - ZAP handler checking CURVE clients against a list -*- C++
//-*-===//
//
// libzmq asks a ZAP handler (bound at inproc://zeromq.zap.01 in the socket's
// context) whether to accept each CURVE handshake. Without a handler, CURVE
// encrypts but admits every client key; this one admits only the keys in the
// allow-list (authorized_keys). One handler per zmq::context_t; start it
// before binding the CURVE server socket.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_ZAP_H
#define WOOLY_RUNTIME_PROTOCOL_ZAP_H

#include "runtime/protocol/Error.h"

#include <zmq.hpp>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace wooly::protocol {

class ZapAuthenticator {
public:
  /// Binds the ZAP endpoint in `context` and starts the handler thread.
  /// Fails if another handler is already bound in this context.
  static Result<std::unique_ptr<ZapAuthenticator>>
  start(zmq::context_t &context, const std::vector<std::string> &allowedZ85);
  ~ZapAuthenticator();

  uint64_t accepted() const { return accepted_; }
  uint64_t refused() const { return refused_; }

private:
  ZapAuthenticator(zmq::context_t &context);
  void serve();

  zmq::socket_t handler_;
  zmq::socket_t stopSend_, stopReceive_;
  std::set<std::string> allowed_; // 32-byte binary keys
  std::atomic<uint64_t> accepted_{0}, refused_{0};
  std::thread thread_;
};

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_ZAP_H
