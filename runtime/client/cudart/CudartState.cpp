//===- CudartState.cpp - CUDA runtime error rules ------------------------===//
#include "runtime/client/cudart/CudartState.h"
#include "runtime/client/cudart/Unsupported.h"

#include <atomic>

namespace wooly::cudart {

using proto::WireCode;

static thread_local cudaError_t gLastError = cudaSuccess;
static std::atomic<int> gSticky{cudaSuccess};

cudaError_t toCudaError(WireCode code) {
  switch (code) {
  case WireCode::Success:
    return cudaSuccess;
  case WireCode::InvalidValue:
  case WireCode::InvalidAddress:
    return cudaErrorInvalidValue;
  case WireCode::OutOfMemory:
    return cudaErrorMemoryAllocation;
  case WireCode::InvalidHandle:
    return cudaErrorInvalidResourceHandle;
  case WireCode::CompileError:
    return cudaErrorInvalidPtx;
  case WireCode::NotFound:
    return cudaErrorInvalidDeviceFunction;
  case WireCode::LaunchFailure:
    return cudaErrorIllegalAddress;
  case WireCode::LaunchTimeout:
    return cudaErrorLaunchTimeout;
  case WireCode::Trap:
    return cudaErrorLaunchFailure;
  case WireCode::Assert:
    return cudaErrorAssert;
  case WireCode::NotReady:
    return cudaErrorNotReady;
  case WireCode::NotSupported:
    return cudaErrorNotSupported;
  case WireCode::DeviceUnavailable:
    return cudaErrorNoDevice;
  case WireCode::ProtocolError:
  case WireCode::NoSession:
  case WireCode::ServerRestarted:
  case WireCode::Restarting:
    return cudaErrorDevicesUnavailable;
  case WireCode::NotPermitted:
    return cudaErrorNotPermitted;
  case WireCode::Internal:
    return cudaErrorUnknown;
  }
  return cudaErrorUnknown;
}

bool isSticky(cudaError_t e) {
  switch (e) {
  case cudaErrorIllegalAddress:
  case cudaErrorLaunchTimeout:
  case cudaErrorLaunchFailure:
  case cudaErrorAssert:
  case cudaErrorHardwareStackError:
  case cudaErrorIllegalInstruction:
  case cudaErrorMisalignedAddress:
  case cudaErrorInvalidAddressSpace:
  case cudaErrorInvalidPc:
  case cudaErrorDevicesUnavailable:
    return true;
  default:
    return false;
  }
}

cudaError_t record(cudaError_t e) {
  if (e != cudaSuccess && e != cudaErrorNotReady) {
    gLastError = e;
    if (isSticky(e)) {
      int expected = cudaSuccess;
      gSticky.compare_exchange_strong(expected, e);
    }
  }
  return e;
}

cudaError_t record(const Result &r) {
  cudaError_t e = toCudaError(r.code);
  if (!r.ok() && (r.code == WireCode::LaunchFailure ||
                  r.code == WireCode::Trap || r.code == WireCode::Assert ||
                  r.code == WireCode::LaunchTimeout ||
                  r.code >= WireCode::ProtocolError))
    fprintf(stderr, "wooly: %s\n", r.message.c_str());
  return record(e);
}

cudaError_t stickyError() { return static_cast<cudaError_t>(gSticky.load()); }

cudaError_t takeLastError() {
  cudaError_t e = gLastError;
  gLastError = cudaSuccess;
  if (cudaError_t s = stickyError())
    return s;
  return e;
}

cudaError_t peekLastError() {
  if (cudaError_t s = stickyError())
    return s;
  return gLastError;
}

cudaError_t notSupported(const char *call) {
  Runtime::get().warnOnce(std::string(call) +
                          " is not supported by Wooly yet (returning "
                          "cudaErrorNotSupported)");
  return record(cudaErrorNotSupported);
}

int unsupported(const char *call) { return notSupported(call); }

uint64_t streamId(cudaStream_t s) {
  if (s == nullptr || s == cudaStreamLegacy || s == cudaStreamPerThread)
    return 0;
  return reinterpret_cast<client::StreamRecord *>(s)->id;
}

uint64_t eventId(cudaEvent_t e) {
  return e ? reinterpret_cast<client::EventRecord *>(e)->id : 0;
}

} // namespace wooly::cudart
