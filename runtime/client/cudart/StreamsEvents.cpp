//===- StreamsEvents.cpp - Streams, events, host callbacks ---------------===//
//
// Host callbacks (cudaLaunchHostFunc, cudaStreamAddCallback) must run in this
// process, so they run when the stream has drained: the call waits for the
// stream, then runs the callback. Ordering is CUDA's; the call just returns
// later than CUDA's would.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/cudart/CudartState.h"

using namespace wooly;
using namespace wooly::cudart;
namespace proto = wooly::protocol::daemon;

extern "C" {

cudaError_t cudaStreamCreateWithPriority(cudaStream_t *stream, unsigned int,
                                         int priority) {
  return guarded("cudaStreamCreate", [&]() -> cudaError_t {
    if (!stream)
      return record(cudaErrorInvalidValue);
    uint64_t id = 0;
    if (Result r = Runtime::get().createStream(priority, id); !r.ok())
      return record(r);
    auto *s = new client::StreamRecord{id};
    *stream = reinterpret_cast<cudaStream_t>(s);
    return cudaSuccess;
  });
}

cudaError_t cudaStreamCreate(cudaStream_t *stream) {
  return cudaStreamCreateWithPriority(stream, 0, 0);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream,
                                      unsigned int flags) {
  return cudaStreamCreateWithPriority(stream, flags, 0);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  return guarded("cudaStreamDestroy", [&]() -> cudaError_t {
    uint64_t id = streamId(stream);
    if (id == 0)
      return record(cudaErrorInvalidResourceHandle);
    Result r = Runtime::get().destroyStream(id);
    if (r.ok())
      delete reinterpret_cast<client::StreamRecord *>(stream);
    return record(r);
  });
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  return guarded("cudaStreamSynchronize", [&] {
    return record(Runtime::get().synchronizeStream(streamId(stream)));
  });
}

cudaError_t cudaStreamQuery(cudaStream_t stream) {
  return guarded("cudaStreamQuery", [&] {
    return record(Runtime::get().queryStream(streamId(stream)));
  });
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event,
                                unsigned int) {
  return guarded("cudaStreamWaitEvent", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidResourceHandle);
    return record(
        Runtime::get().streamWaitEvent(streamId(stream), eventId(event)));
  });
}

cudaError_t cudaStreamGetPriority(cudaStream_t, int *priority) {
  if (priority)
    *priority = 0;
  return cudaSuccess;
}

cudaError_t cudaStreamGetFlags(cudaStream_t, unsigned int *flags) {
  if (flags)
    *flags = 0;
  return cudaSuccess;
}

cudaError_t cudaLaunchHostFunc(cudaStream_t stream, cudaHostFn_t fn,
                               void *userData) {
  return guarded("cudaLaunchHostFunc", [&]() -> cudaError_t {
    if (!fn)
      return record(cudaErrorInvalidValue);
    if (cudaError_t e =
            record(Runtime::get().synchronizeStream(streamId(stream))))
      return e;
    fn(userData);
    return cudaSuccess;
  });
}

cudaError_t cudaStreamAddCallback(cudaStream_t stream,
                                  cudaStreamCallback_t callback,
                                  void *userData, unsigned int) {
  return guarded("cudaStreamAddCallback", [&]() -> cudaError_t {
    if (!callback)
      return record(cudaErrorInvalidValue);
    cudaError_t status =
        toCudaError(Runtime::get().synchronizeStream(streamId(stream)).code);
    callback(stream, status, userData);
    return cudaSuccess;
  });
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags) {
  return guarded("cudaEventCreate", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidValue);
    uint64_t id = 0;
    if (Result r = Runtime::get().createEvent(id); !r.ok())
      return record(r);
    *event = reinterpret_cast<cudaEvent_t>(new client::EventRecord{
        id, (flags & cudaEventDisableTiming) == 0});
    return cudaSuccess;
  });
}

cudaError_t cudaEventCreate(cudaEvent_t *event) {
  return cudaEventCreateWithFlags(event, cudaEventDefault);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  return guarded("cudaEventDestroy", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidResourceHandle);
    Result r = Runtime::get().destroyEvent(eventId(event));
    if (r.ok())
      delete reinterpret_cast<client::EventRecord *>(event);
    return record(r);
  });
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  return guarded("cudaEventRecord", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidResourceHandle);
    return record(Runtime::get().recordEvent(eventId(event), streamId(stream)));
  });
}

cudaError_t cudaEventRecordWithFlags(cudaEvent_t event, cudaStream_t stream,
                                     unsigned int) {
  return cudaEventRecord(event, stream);
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  return guarded("cudaEventSynchronize", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidResourceHandle);
    return record(Runtime::get().synchronizeEvent(eventId(event)));
  });
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  return guarded("cudaEventQuery", [&]() -> cudaError_t {
    if (!event)
      return record(cudaErrorInvalidResourceHandle);
    return record(Runtime::get().queryEvent(eventId(event)));
  });
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start,
                                 cudaEvent_t end) {
  return guarded("cudaEventElapsedTime", [&]() -> cudaError_t {
    if (!ms || !start || !end)
      return record(cudaErrorInvalidValue);
    // CUDA: events created with cudaEventDisableTiming cannot be timed.
    if (!reinterpret_cast<client::EventRecord *>(start)->timing ||
        !reinterpret_cast<client::EventRecord *>(end)->timing)
      return record(cudaErrorInvalidResourceHandle);
    return record(
        Runtime::get().elapsedTime(eventId(start), eventId(end), *ms));
  });
}

} // extern "C"
