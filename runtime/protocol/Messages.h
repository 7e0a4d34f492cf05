//===- Messages.h - Generic messages and the body codec templates -*- C++
//-*-===//
//
// Every message is a struct with `static constexpr MessageType kType` and two
// free functions found by argument-dependent lookup:
//
//   void write(Writer &w, const T &m);   // append the fields
//   void read(Reader &r, T &m);          // read them back (sticky errors)
//
// encodeBody/decodeBody wrap them; decodeBody fails with Malformed if a read
// failed or bytes are left over. Transport.h's sendMessage/decodeMessage add
// the header frame.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_MESSAGES_H
#define WOOLY_RUNTIME_PROTOCOL_MESSAGES_H

#include "runtime/protocol/Codec.h"
#include "runtime/protocol/Frame.h"

namespace wooly::protocol {

template <typename T> std::vector<uint8_t> encodeBody(const T &message) {
  Writer w;
  write(w, message);
  return w.take();
}

template <typename T> Result<T> decodeBody(std::span<const uint8_t> body) {
  Reader r(body);
  T message{};
  read(r, message);
  if (Status s = r.finish(); !s)
    return Error{s.error().code,
                 std::string(messageTypeName(static_cast<uint16_t>(T::kType))) +
                     ": " + s.error().message};
  return message;
}

/// The answer to any request that failed. `code` says what kind of failure;
/// `message` says what went wrong and what to do.
struct ErrorReplyMsg {
  static constexpr MessageType kType = MessageType::ErrorReply;
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  bool operator==(const ErrorReplyMsg &) const = default;
};
void write(Writer &w, const ErrorReplyMsg &m);
void read(Reader &r, ErrorReplyMsg &m);

/// Liveness probe; the Pong echoes the nonce.
struct PingMsg {
  static constexpr MessageType kType = MessageType::Ping;
  uint64_t nonce = 0;
  bool operator==(const PingMsg &) const = default;
};
struct PongMsg {
  static constexpr MessageType kType = MessageType::Pong;
  uint64_t nonce = 0;
  std::string serverName; // who answered (empty if anonymous)
  bool operator==(const PongMsg &) const = default;
};
void write(Writer &w, const PingMsg &m);
void read(Reader &r, PingMsg &m);
void write(Writer &w, const PongMsg &m);
void read(Reader &r, PongMsg &m);

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_MESSAGES_H
