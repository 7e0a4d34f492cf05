//===- Error.h - Status and error values of the wire protocol ---*- C++ -*-===//
//
// Plain error values for the protocol boundary: decoders, transports and the
// controller client return these instead of throwing, so a truncated or
// garbage message is an ordinary value the caller can answer with an error
// reply.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_ERROR_H
#define WOOLY_RUNTIME_PROTOCOL_ERROR_H

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace wooly::protocol {

/// Error codes carried in ErrorReply messages. Values 0..14 mirror
/// wooly::exec::ErrorCode one to one (so the daemon forwards executor errors
/// unchanged); values from 100 on belong to the protocol itself.
enum class ErrorCode : uint32_t {
  Success = 0,
  InvalidValue,
  OutOfMemory,
  InvalidHandle,
  InvalidAddress,
  CompileError,
  NotFound,
  LaunchFailure,
  LaunchTimeout,
  Trap,
  NotReady,
  NotSupported,
  DeviceUnavailable,
  Internal,
  Assert,

  BadMagic = 100,  // not a Wooly frame at all
  VersionMismatch, // a Wooly frame of another protocol version
  Malformed,       // truncated, oversized or garbage body
  UnknownMessage,  // a message type this peer does not handle
  Unauthorized,    // refused by CURVE/ZAP or by a bearer token
  Timeout,         // no reply within the deadline
  Transport,       // a socket could not be created, bound or connected
  NoPlacement,     // no server can take this placement request
  UnknownServer,   // telemetry from a server the controller does not know
  Conflict,        // e.g. a server name already registered by a live server
  BadKeys,         // a keys dir is missing files or holds malformed keys
};

const char *errorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;

  /// "Malformed: truncated body (needed 8 bytes at offset 12, 4 left)".
  std::string describe() const;
};

/// Success, or an Error.
class Status {
public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}
  static Status ok() { return {}; }

  bool isOk() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  const Error &error() const { return error_; }

private:
  Error error_;
  bool failed_ = false;
};

/// A value of type T, or an Error.
template <typename T> class Result {
public:
  Result(T value) : storage_(std::move(value)) {}
  Result(Error error) : storage_(std::move(error)) {}

  bool isOk() const { return storage_.index() == 0; }
  explicit operator bool() const { return isOk(); }
  T &value() { return std::get<0>(storage_); }
  const T &value() const { return std::get<0>(storage_); }
  T &operator*() { return value(); }
  const T &operator*() const { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  const Error &error() const { return std::get<1>(storage_); }
  Status status() const { return isOk() ? Status() : Status(error()); }

private:
  std::variant<T, Error> storage_;
};

inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_ERROR_H
