//===- Error.cpp - Names of protocol error codes --------------------------===//
#include "runtime/protocol/Error.h"

namespace wooly::protocol {

const char *errorCodeName(ErrorCode code) {
  switch (code) {
  case ErrorCode::Success:
    return "Success";
  case ErrorCode::InvalidValue:
    return "InvalidValue";
  case ErrorCode::OutOfMemory:
    return "OutOfMemory";
  case ErrorCode::InvalidHandle:
    return "InvalidHandle";
  case ErrorCode::InvalidAddress:
    return "InvalidAddress";
  case ErrorCode::CompileError:
    return "CompileError";
  case ErrorCode::NotFound:
    return "NotFound";
  case ErrorCode::LaunchFailure:
    return "LaunchFailure";
  case ErrorCode::LaunchTimeout:
    return "LaunchTimeout";
  case ErrorCode::Trap:
    return "Trap";
  case ErrorCode::NotReady:
    return "NotReady";
  case ErrorCode::NotSupported:
    return "NotSupported";
  case ErrorCode::DeviceUnavailable:
    return "DeviceUnavailable";
  case ErrorCode::Internal:
    return "Internal";
  case ErrorCode::Assert:
    return "Assert";
  case ErrorCode::BadMagic:
    return "BadMagic";
  case ErrorCode::VersionMismatch:
    return "VersionMismatch";
  case ErrorCode::Malformed:
    return "Malformed";
  case ErrorCode::UnknownMessage:
    return "UnknownMessage";
  case ErrorCode::Unauthorized:
    return "Unauthorized";
  case ErrorCode::Timeout:
    return "Timeout";
  case ErrorCode::Transport:
    return "Transport";
  case ErrorCode::NoPlacement:
    return "NoPlacement";
  case ErrorCode::UnknownServer:
    return "UnknownServer";
  case ErrorCode::Conflict:
    return "Conflict";
  case ErrorCode::BadKeys:
    return "BadKeys";
  }
  return "UnknownError";
}

std::string Error::describe() const {
  return std::string(errorCodeName(code)) + ": " + message;
}

} // namespace wooly::protocol
