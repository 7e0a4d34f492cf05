//===- ErrorCodes.cpp - Error names and the API's out-of-line pieces -------===//

#include "runtime/exec/Executor.h"

namespace wooly::exec {

Context::~Context() = default;
Executor::~Executor() = default;

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
  }
  return "Unknown";
}

} // namespace wooly::exec
