//===- ErrorCodes.cpp - Error names and the API's out-of-line pieces -------===//

#include "runtime/exec/Executor.h"
#include "runtime/protocol/Error.h"

namespace wooly::exec {

Context::~Context() = default;
Executor::~Executor() = default;

Status Context::setStackSize(uint64_t bytes, uint64_t &granted) {
  granted = bytes;
  return Status::ok();
}

// Executor errors cross the wire unchanged: both enums give each error the
// same value, so the protocol's name table serves both.
#define WOOLY_SAME_CODE(name)                                                  \
  static_assert(static_cast<uint32_t>(ErrorCode::name) ==                      \
                static_cast<uint32_t>(protocol::ErrorCode::name));
WOOLY_SAME_CODE(Success)
WOOLY_SAME_CODE(InvalidValue)
WOOLY_SAME_CODE(OutOfMemory)
WOOLY_SAME_CODE(InvalidHandle)
WOOLY_SAME_CODE(InvalidAddress)
WOOLY_SAME_CODE(CompileError)
WOOLY_SAME_CODE(NotFound)
WOOLY_SAME_CODE(LaunchFailure)
WOOLY_SAME_CODE(LaunchTimeout)
WOOLY_SAME_CODE(Trap)
WOOLY_SAME_CODE(NotReady)
WOOLY_SAME_CODE(NotSupported)
WOOLY_SAME_CODE(DeviceUnavailable)
WOOLY_SAME_CODE(Internal)
WOOLY_SAME_CODE(Assert)
#undef WOOLY_SAME_CODE

const char *errorCodeName(ErrorCode code) {
  return protocol::errorCodeName(static_cast<protocol::ErrorCode>(code));
}

} // namespace wooly::exec
