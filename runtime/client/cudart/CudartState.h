//===- CudartState.h - CUDA runtime error rules and handle helpers --------===//
//
// CUDA's error model, kept here for every cuda* entry point:
//  - each call returns its own status and records a failure as the calling
//    thread's last error (cudaGetLastError reads and clears it,
//    cudaPeekAtLastError only reads it);
//  - a kernel fault (illegal address, trap, timeout) is sticky: the context
//    is unusable and every later call returns the same error;
//  - asynchronous failures surface at the next synchronizing call.
// Nothing may throw out of a C entry point: `guarded` catches everything.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CUDART_CUDARTSTATE_H
#define WOOLY_RUNTIME_CLIENT_CUDART_CUDARTSTATE_H

#include "runtime/client/core/Runtime.h"

#include <cuda_runtime_api.h>

namespace wooly::cudart {

using client::Result;
using client::Runtime;
namespace proto = wooly::protocol::daemon;

cudaError_t toCudaError(proto::WireCode code);
bool isSticky(cudaError_t e);

/// Records `e` as the thread's last error (and the process's sticky error
/// when it is one) and returns it.
cudaError_t record(cudaError_t e);
cudaError_t record(const Result &r);
/// The sticky error, or cudaSuccess.
cudaError_t stickyError();
cudaError_t takeLastError();
cudaError_t peekLastError();

/// Runs `body` (returning cudaError_t); a sticky error short-circuits it, an
/// exception becomes cudaErrorUnknown with a message.
template <typename F> cudaError_t guarded(const char *call, F body) {
  if (cudaError_t s = stickyError())
    return s;
  try {
    return body();
  } catch (const std::exception &e) {
    fprintf(stderr, "wooly: %s: internal error: %s\n", call, e.what());
    return record(cudaErrorUnknown);
  }
}

/// Says once on stderr that `call` is not implemented; returns
/// cudaErrorNotSupported.
cudaError_t notSupported(const char *call);

/// Stream handles: 0, cudaStreamLegacy and cudaStreamPerThread are the
/// session's default stream; anything else is a StreamRecord we made.
uint64_t streamId(cudaStream_t s);
uint64_t eventId(cudaEvent_t e);

} // namespace wooly::cudart

#endif // WOOLY_RUNTIME_CLIENT_CUDART_CUDARTSTATE_H
