//===- Memory.cpp - Allocation, copies, sets, symbols --------------------===//
//
// Pointers are checked against the client's mirror of the session's
// allocations first, so a bad pointer fails at the call as in CUDA (the
// server checks again). Host-to-device data is sent from the caller's buffer
// without a copy; device-to-host data streams back in pipelined chunks.
// Managed memory is emulated by copies at sync points (Managed.cpp in the
// client core, docs/managed-memory.md): copies and sets that touch it first
// synchronize, then treat it as host memory, which it then is.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/cudart/CudartState.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

using namespace wooly;
using namespace wooly::cudart;
namespace proto = wooly::protocol::daemon;

namespace {
std::mutex gHostMutex;
std::set<void *> gHostAllocations; // cudaMallocHost / cudaHostAlloc

uint64_t dptr(const void *p) { return reinterpret_cast<uint64_t>(p); }

bool isHostPinned(const void *p) {
  std::lock_guard lock(gHostMutex);
  return gHostAllocations.count(const_cast<void *>(p)) != 0;
}

/// A copy with managed memory on one or both sides: synchronize (which pulls
/// every managed allocation back to the host), then the managed side is host
/// memory until the next launch pushes it. Async copies become synchronous,
/// which CUDA allows.
cudaError_t copyManaged(void *dst, const void *src, size_t count,
                        cudaMemcpyKind kind, cudaStream_t stream) {
  (void)kind; // the pointers say where the bytes are; any kind is accepted
  return record(
      Runtime::get().copyWithManaged(dst, src, count, streamId(stream)));
}

cudaError_t copy(void *dst, const void *src, size_t count, cudaMemcpyKind kind,
                 cudaStream_t stream, const char *call) {
  return guarded(call, [&]() -> cudaError_t {
    if (count == 0)
      return cudaSuccess;
    if (!dst || !src)
      return record(cudaErrorInvalidValue);
    Runtime &rt = Runtime::get();
    bool dstManaged = rt.isManaged(dptr(dst));
    bool srcManaged = rt.isManaged(dptr(src));
    if (dstManaged || srcManaged)
      return copyManaged(dst, src, count, kind, stream);
    bool dstDev = rt.isDevicePointer(dptr(dst));
    bool srcDev = rt.isDevicePointer(dptr(src));
    if (kind == cudaMemcpyDefault)
      kind = srcDev ? (dstDev ? cudaMemcpyDeviceToDevice : cudaMemcpyDeviceToHost)
                    : (dstDev ? cudaMemcpyHostToDevice : cudaMemcpyHostToHost);
    uint64_t s = streamId(stream);
    switch (kind) {
    case cudaMemcpyHostToHost:
      std::memmove(dst, src, count);
      return cudaSuccess;
    case cudaMemcpyHostToDevice:
      if (!rt.isDevicePointer(dptr(dst), count))
        return record(cudaErrorInvalidValue);
      return record(rt.copyToDevice(dptr(dst), src, count, s));
    case cudaMemcpyDeviceToHost:
      if (!rt.isDevicePointer(dptr(src), count))
        return record(cudaErrorInvalidValue);
      if (cudaError_t e = record(rt.copyToHost(dst, dptr(src), count, s)))
        return e;
      // A blocking copy to the host is a synchronizing call.
      return stream ? cudaSuccess : record(rt.pullManaged());
    case cudaMemcpyDeviceToDevice:
      if (!rt.isDevicePointer(dptr(src), count) ||
          !rt.isDevicePointer(dptr(dst), count))
        return record(cudaErrorInvalidValue);
      return record(rt.copyOnDevice(dptr(dst), dptr(src), count, s));
    default:
      return record(cudaErrorInvalidMemcpyDirection);
    }
  });
}

cudaError_t symbolAddress(const void *symbol, uint64_t &ptr, uint64_t &size) {
  client::VarRecord *v = Runtime::get().varForHostAddress(symbol);
  if (!v)
    return record(cudaErrorInvalidSymbol);
  if (Result r = Runtime::get().resolveVar(v); !r.ok())
    return record(r.code == proto::WireCode::NotFound ? cudaErrorInvalidSymbol
                                                      : toCudaError(r.code));
  ptr = v->devicePtr;
  size = v->size;
  return cudaSuccess;
}

cudaError_t symbolCopy(bool toSymbol, const void *symbol, void *host,
                       size_t count, size_t offset, cudaMemcpyKind kind,
                       cudaStream_t stream, const char *call) {
  return guarded(call, [&]() -> cudaError_t {
    uint64_t ptr = 0, size = 0;
    if (cudaError_t e = symbolAddress(symbol, ptr, size))
      return e;
    if (offset > size || count > size - offset)
      return record(cudaErrorInvalidValue);
    if (count == 0)
      return cudaSuccess;
    Runtime &rt = Runtime::get();
    if (rt.isManaged(ptr)) {
      // A `__managed__` variable: after a synchronize the host owns its
      // host view. Writing the device copy directly would be undone by the
      // next push of the host view.
      auto *var = reinterpret_cast<void *>(ptr + offset);
      uint64_t s = streamId(stream);
      return record(toSymbol ? rt.copyWithManaged(var, host, count, s)
                             : rt.copyWithManaged(host, var, count, s));
    }
    uint64_t s = streamId(stream);
    bool deviceSide = kind == cudaMemcpyDeviceToDevice ||
                      (kind == cudaMemcpyDefault &&
                       rt.isDevicePointer(dptr(host)));
    if (toSymbol)
      return record(deviceSide
                        ? rt.copyOnDevice(ptr + offset, dptr(host), count, s)
                        : rt.copyToDevice(ptr + offset, host, count, s));
    return record(deviceSide
                      ? rt.copyOnDevice(dptr(host), ptr + offset, count, s)
                      : rt.copyToHost(host, ptr + offset, count, s));
  });
}

cudaError_t set(void *dst, int value, size_t count, cudaStream_t stream,
                const char *call) {
  return guarded(call, [&]() -> cudaError_t {
    if (count == 0)
      return cudaSuccess;
    Runtime &rt = Runtime::get();
    if (rt.isManaged(dptr(dst)))
      return record(rt.memsetManaged(dptr(dst), uint8_t(value), count));
    if (!rt.isDevicePointer(dptr(dst), count))
      return record(cudaErrorInvalidValue);
    return record(Runtime::get().memset(dptr(dst), uint8_t(value), count,
                                        streamId(stream)));
  });
}
} // namespace

extern "C" {

cudaError_t cudaMalloc(void **devPtr, size_t size) {
  return guarded("cudaMalloc", [&]() -> cudaError_t {
    if (!devPtr)
      return record(cudaErrorInvalidValue);
    if (size == 0) {
      *devPtr = nullptr;
      return cudaSuccess;
    }
    uint64_t p = 0;
    Result r = Runtime::get().malloc(size, p);
    if (!r.ok()) {
      if (Runtime::get().verbose())
        fprintf(stderr, "wooly: cudaMalloc(%zu): %s\n", size, r.message.c_str());
      return record(r);
    }
    *devPtr = reinterpret_cast<void *>(p);
    return cudaSuccess;
  });
}

cudaError_t cudaFree(void *devPtr) {
  return guarded("cudaFree", [&]() -> cudaError_t {
    if (!devPtr)
      return cudaSuccess;
    Result r = Runtime::get().free(dptr(devPtr));
    if (!r.ok() && r.code == proto::WireCode::InvalidAddress)
      return record(cudaErrorInvalidValue);
    return record(r);
  });
}

cudaError_t cudaMallocHost(void **ptr, size_t size) {
  if (!ptr)
    return record(cudaErrorInvalidValue);
  // Page-aligned so large copies from it are zero-copy friendly.
  void *p = nullptr;
  if (posix_memalign(&p, 4096, size ? size : 1) != 0)
    return record(cudaErrorMemoryAllocation);
  std::lock_guard lock(gHostMutex);
  gHostAllocations.insert(p);
  *ptr = p;
  return cudaSuccess;
}

cudaError_t cudaHostAlloc(void **ptr, size_t size, unsigned int) {
  return cudaMallocHost(ptr, size);
}

cudaError_t cudaFreeHost(void *ptr) {
  if (!ptr)
    return cudaSuccess;
  {
    std::lock_guard lock(gHostMutex);
    if (!gHostAllocations.erase(ptr))
      return record(cudaErrorInvalidValue);
  }
  ::free(ptr);
  return cudaSuccess;
}

cudaError_t cudaHostRegister(void *, size_t, unsigned int) {
  return cudaSuccess; // all host memory is equally good for copies here
}
cudaError_t cudaHostUnregister(void *) { return cudaSuccess; }

cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned int flags) {
  return guarded("cudaMallocManaged", [&]() -> cudaError_t {
    if (!devPtr || size == 0 ||
        (flags != cudaMemAttachGlobal && flags != cudaMemAttachHost))
      return record(cudaErrorInvalidValue);
    uint64_t p = 0;
    Result r = Runtime::get().mallocManaged(size, p);
    if (!r.ok()) {
      // Not only under --verbose: a mapping clash needs explaining.
      fprintf(stderr, "wooly: cudaMallocManaged(%zu): %s\n", size,
              r.message.c_str());
      return record(r);
    }
    *devPtr = reinterpret_cast<void *>(p);
    return cudaSuccess;
  });
}

// Prefetch and advice are hints. Prefetching to the device pushes host-owned
// managed memory now (instead of at the next launch); to the host it is a
// no-op, because the next synchronizing call brings everything back anyway.
cudaError_t cudaMemPrefetchAsync(const void *devPtr, size_t count,
                                 cudaMemLocation location, unsigned int,
                                 cudaStream_t stream) {
  return guarded("cudaMemPrefetchAsync", [&]() -> cudaError_t {
    if (!Runtime::get().isManaged(dptr(devPtr), count ? count : 1))
      return record(cudaErrorInvalidValue);
    if (location.type == cudaMemLocationTypeDevice && location.id == 0)
      return record(Runtime::get().pushManaged(streamId(stream)));
    return cudaSuccess;
  });
}

cudaError_t cudaMemAdvise(const void *devPtr, size_t count,
                          cudaMemoryAdvise, cudaMemLocation) {
  if (!Runtime::get().isManaged(dptr(devPtr), count ? count : 1))
    return record(cudaErrorInvalidValue);
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free, size_t *total) {
  return guarded("cudaMemGetInfo", [&]() -> cudaError_t {
    if (!free || !total)
      return record(cudaErrorInvalidValue);
    uint64_t f = 0, t = 0;
    if (Result r = Runtime::get().memGetInfo(f, t); !r.ok())
      return record(r);
    *free = f;
    *total = t;
    return cudaSuccess;
  });
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count,
                       cudaMemcpyKind kind) {
  return copy(dst, src, count, kind, nullptr, "cudaMemcpy");
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count,
                            cudaMemcpyKind kind, cudaStream_t stream) {
  return copy(dst, src, count, kind, stream, "cudaMemcpyAsync");
}

cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src,
                         size_t spitch, size_t width, size_t height,
                         cudaMemcpyKind kind) {
  if (width > dpitch || width > spitch)
    return record(cudaErrorInvalidPitchValue);
  for (size_t row = 0; row < height; ++row)
    if (cudaError_t e =
            copy(static_cast<char *>(dst) + row * dpitch,
                 static_cast<const char *>(src) + row * spitch, width, kind,
                 nullptr, "cudaMemcpy2D"))
      return e;
  return cudaSuccess;
}

cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src,
                              size_t spitch, size_t width, size_t height,
                              cudaMemcpyKind kind, cudaStream_t stream) {
  if (width > dpitch || width > spitch)
    return record(cudaErrorInvalidPitchValue);
  for (size_t row = 0; row < height; ++row)
    if (cudaError_t e =
            copy(static_cast<char *>(dst) + row * dpitch,
                 static_cast<const char *>(src) + row * spitch, width, kind,
                 stream, "cudaMemcpy2DAsync"))
      return e;
  return cudaSuccess;
}

cudaError_t cudaMemcpyPeer(void *dst, int dstDevice, const void *src,
                           int srcDevice, size_t count) {
  if (dstDevice != 0 || srcDevice != 0)
    return record(cudaErrorInvalidDevice);
  return copy(dst, src, count, cudaMemcpyDeviceToDevice, nullptr,
              "cudaMemcpyPeer");
}

cudaError_t cudaMemcpyToSymbol(const void *symbol, const void *src,
                               size_t count, size_t offset,
                               cudaMemcpyKind kind) {
  return symbolCopy(true, symbol, const_cast<void *>(src), count, offset, kind,
                    nullptr, "cudaMemcpyToSymbol");
}

cudaError_t cudaMemcpyFromSymbol(void *dst, const void *symbol, size_t count,
                                 size_t offset, cudaMemcpyKind kind) {
  return symbolCopy(false, symbol, dst, count, offset, kind, nullptr,
                    "cudaMemcpyFromSymbol");
}

cudaError_t cudaMemcpyToSymbolAsync(const void *symbol, const void *src,
                                    size_t count, size_t offset,
                                    cudaMemcpyKind kind, cudaStream_t stream) {
  return symbolCopy(true, symbol, const_cast<void *>(src), count, offset, kind,
                    stream, "cudaMemcpyToSymbolAsync");
}

cudaError_t cudaMemcpyFromSymbolAsync(void *dst, const void *symbol,
                                      size_t count, size_t offset,
                                      cudaMemcpyKind kind,
                                      cudaStream_t stream) {
  return symbolCopy(false, symbol, dst, count, offset, kind, stream,
                    "cudaMemcpyFromSymbolAsync");
}

cudaError_t cudaGetSymbolAddress(void **devPtr, const void *symbol) {
  return guarded("cudaGetSymbolAddress", [&]() -> cudaError_t {
    uint64_t ptr = 0, size = 0;
    if (cudaError_t e = symbolAddress(symbol, ptr, size))
      return e;
    if (devPtr)
      *devPtr = reinterpret_cast<void *>(ptr);
    return cudaSuccess;
  });
}

cudaError_t cudaGetSymbolSize(size_t *size, const void *symbol) {
  return guarded("cudaGetSymbolSize", [&]() -> cudaError_t {
    uint64_t ptr = 0, s = 0;
    if (cudaError_t e = symbolAddress(symbol, ptr, s))
      return e;
    if (size)
      *size = s;
    return cudaSuccess;
  });
}

cudaError_t cudaMemset(void *devPtr, int value, size_t count) {
  return set(devPtr, value, count, nullptr, "cudaMemset");
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count,
                            cudaStream_t stream) {
  return set(devPtr, value, count, stream, "cudaMemsetAsync");
}

cudaError_t cudaMemset2D(void *devPtr, size_t pitch, int value, size_t width,
                         size_t height) {
  for (size_t row = 0; row < height; ++row)
    if (cudaError_t e = set(static_cast<char *>(devPtr) + row * pitch, value,
                            width, nullptr, "cudaMemset2D"))
      return e;
  return cudaSuccess;
}

cudaError_t cudaMemset2DAsync(void *devPtr, size_t pitch, int value,
                              size_t width, size_t height,
                              cudaStream_t stream) {
  for (size_t row = 0; row < height; ++row)
    if (cudaError_t e = set(static_cast<char *>(devPtr) + row * pitch, value,
                            width, stream, "cudaMemset2DAsync"))
      return e;
  return cudaSuccess;
}

cudaError_t cudaPointerGetAttributes(cudaPointerAttributes *attributes,
                                     const void *ptr) {
  if (!attributes)
    return record(cudaErrorInvalidValue);
  *attributes = cudaPointerAttributes{};
  uint64_t base = 0, size = 0;
  if (Runtime::get().isManaged(dptr(ptr))) {
    attributes->type = cudaMemoryTypeManaged;
    attributes->device = 0;
    attributes->devicePointer = const_cast<void *>(ptr);
    attributes->hostPointer = Runtime::get().managedHostView(dptr(ptr));
  } else if (Runtime::get().findAllocation(dptr(ptr), base, size)) {
    attributes->type = cudaMemoryTypeDevice;
    attributes->device = 0;
    attributes->devicePointer = const_cast<void *>(ptr);
  } else if (isHostPinned(ptr)) {
    attributes->type = cudaMemoryTypeHost;
    attributes->hostPointer = const_cast<void *>(ptr);
  } else {
    attributes->type = cudaMemoryTypeUnregistered;
    attributes->hostPointer = const_cast<void *>(ptr);
  }
  return cudaSuccess;
}

} // extern "C"
