//===- Device.cpp - Device management, versions, errors ------------------===//
//
// One device: the server's. Its properties are what the server reported at
// Hello (its real name, memory and limits; warp size 32 always).
//
//===----------------------------------------------------------------------===//
#include "runtime/client/cudart/CudartState.h"

#include <cstring>
#include <mutex>

using namespace wooly;
using namespace wooly::cudart;
namespace proto = wooly::protocol::daemon;

static thread_local int gDevice = 0;

static cudaError_t needDevice(const proto::DeviceDescription *&d) {
  d = Runtime::get().device();
  return d ? cudaSuccess : record(cudaErrorNoDevice);
}

namespace {
/// What cudaDeviceGetLimit reports: the CUDA runtime's defaults until the
/// program sets a limit. Only the stack reaches the server (kernels that
/// recurse fault without it); the printf buffer and the device heap are
/// the server's own and other limits have nothing to act on, so their
/// values are kept for the program to read back.
struct Limits {
  std::mutex mutex;
  size_t stack = 1024, printfFifo = 1 << 20, mallocHeap = 8 << 20,
         syncDepth = 2, pendingLaunches = 2048, l2Fetch = 64, l2Persisting = 0;
  size_t *find(cudaLimit limit) {
    switch (limit) {
    case cudaLimitStackSize: return &stack;
    case cudaLimitPrintfFifoSize: return &printfFifo;
    case cudaLimitMallocHeapSize: return &mallocHeap;
    case cudaLimitDevRuntimeSyncDepth: return &syncDepth;
    case cudaLimitDevRuntimePendingLaunchCount: return &pendingLaunches;
    case cudaLimitMaxL2FetchGranularity: return &l2Fetch;
    case cudaLimitPersistingL2CacheSize: return &l2Persisting;
    }
    return nullptr; // a number no cudaLimit has
  }
};
Limits &limits() {
  static Limits *l = new Limits; // used until exit, never destroyed
  return *l;
}
} // namespace

extern "C" {

cudaError_t cudaGetDeviceCount(int *count) {
  if (!count)
    return record(cudaErrorInvalidValue);
  const proto::DeviceDescription *d = Runtime::get().device();
  *count = d ? 1 : 0;
  return d ? cudaSuccess : record(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int device) {
  if (device != 0)
    return record(cudaErrorInvalidDevice);
  gDevice = device;
  const proto::DeviceDescription *d;
  return needDevice(d);
}

cudaError_t cudaGetDevice(int *device) {
  if (!device)
    return record(cudaErrorInvalidValue);
  *device = gDevice;
  return cudaSuccess;
}

cudaError_t cudaInitDevice(int device, unsigned int, unsigned int) {
  return cudaSetDevice(device);
}

cudaError_t cudaSetDeviceFlags(unsigned int) { return cudaSuccess; }
cudaError_t cudaGetDeviceFlags(unsigned int *flags) {
  if (!flags)
    return record(cudaErrorInvalidValue);
  *flags = 0;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device) {
  if (!prop)
    return record(cudaErrorInvalidValue);
  if (device != 0)
    return record(cudaErrorInvalidDevice);
  const proto::DeviceDescription *d;
  if (cudaError_t e = needDevice(d))
    return e;
  std::memset(prop, 0, sizeof *prop);
  std::string name = "Wooly: " + d->name;
  std::strncpy(prop->name, name.c_str(), sizeof prop->name - 1);
  prop->totalGlobalMem = d->memoryLimit ? d->memoryLimit : d->totalMemory;
  prop->sharedMemPerBlock = d->maxSharedPerBlock;
  prop->sharedMemPerBlockOptin = d->maxSharedPerBlockOptin;
  prop->sharedMemPerMultiprocessor = 64 * 1024;
  prop->regsPerBlock = 65536;
  prop->regsPerMultiprocessor = 65536;
  prop->warpSize = int(d->warpSize);
  prop->memPitch = SIZE_MAX;
  prop->maxThreadsPerBlock = int(d->maxThreadsPerBlock);
  prop->maxThreadsPerMultiProcessor = 2048;
  prop->maxBlocksPerMultiProcessor = 32;
  for (int i = 0; i < 3; ++i) {
    prop->maxThreadsDim[i] = int(d->maxBlockDim[i]);
    prop->maxGridSize[i] = int(d->maxGridDim[i]);
  }
  prop->totalConstMem = 64 * 1024;
  prop->major = d->ccMajor ? int(d->ccMajor) : 7;
  prop->minor = d->ccMajor ? int(d->ccMinor) : 5;
  prop->textureAlignment = 512;
  prop->texturePitchAlignment = 32;
  prop->multiProcessorCount = int(d->computeUnits ? d->computeUnits : 1);
  prop->integrated = 0;
  prop->canMapHostMemory = 0;
  prop->concurrentKernels = 1;
  prop->asyncEngineCount = 1;
  prop->unifiedAddressing = 1;
  prop->l2CacheSize = 4 << 20;
  prop->globalL1CacheSupported = 1;
  prop->localL1CacheSupported = 1;
  prop->managedMemory = 1; // emulated; concurrentManagedAccess stays 0
  prop->streamPrioritiesSupported = 1;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr,
                                   int device) {
  if (!value)
    return record(cudaErrorInvalidValue);
  cudaDeviceProp p;
  if (cudaError_t e = cudaGetDeviceProperties(&p, device))
    return e;
  switch (attr) {
  case cudaDevAttrMaxThreadsPerBlock: *value = p.maxThreadsPerBlock; break;
  case cudaDevAttrMaxBlockDimX: *value = p.maxThreadsDim[0]; break;
  case cudaDevAttrMaxBlockDimY: *value = p.maxThreadsDim[1]; break;
  case cudaDevAttrMaxBlockDimZ: *value = p.maxThreadsDim[2]; break;
  case cudaDevAttrMaxGridDimX: *value = p.maxGridSize[0]; break;
  case cudaDevAttrMaxGridDimY: *value = p.maxGridSize[1]; break;
  case cudaDevAttrMaxGridDimZ: *value = p.maxGridSize[2]; break;
  case cudaDevAttrMaxSharedMemoryPerBlock: *value = int(p.sharedMemPerBlock); break;
  case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = int(p.sharedMemPerBlockOptin); break;
  case cudaDevAttrWarpSize: *value = p.warpSize; break;
  case cudaDevAttrMultiProcessorCount: *value = p.multiProcessorCount; break;
  case cudaDevAttrComputeCapabilityMajor: *value = p.major; break;
  case cudaDevAttrComputeCapabilityMinor: *value = p.minor; break;
  case cudaDevAttrMaxThreadsPerMultiProcessor: *value = p.maxThreadsPerMultiProcessor; break;
  case cudaDevAttrTotalConstantMemory: *value = int(p.totalConstMem); break;
  case cudaDevAttrMaxRegistersPerBlock: *value = p.regsPerBlock; break;
  case cudaDevAttrConcurrentKernels: *value = 1; break;
  case cudaDevAttrUnifiedAddressing: *value = 1; break;
  case cudaDevAttrManagedMemory: *value = 1; break; // by copies, no concurrent access
  case cudaDevAttrMaxSharedMemoryPerMultiprocessor: *value = int(p.sharedMemPerMultiprocessor); break;
  case cudaDevAttrL2CacheSize: *value = p.l2CacheSize; break;
  default:
    *value = 0;
    break;
  }
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void) {
  return guarded("cudaDeviceSynchronize", [] {
    return record(Runtime::get().synchronizeDevice());
  });
}

cudaError_t cudaDeviceReset(void) {
  // Work finishes; allocations stay (freeing them all would need the
  // session torn down under the program's feet).
  return guarded("cudaDeviceReset", [] {
    return record(Runtime::get().synchronizeDevice());
  });
}

cudaError_t cudaDeviceSetLimit(cudaLimit limit, size_t value) {
  return guarded("cudaDeviceSetLimit", [&] {
    Limits &l = limits();
    if (!l.find(limit))
      return record(cudaErrorUnsupportedLimit);
    if (limit == cudaLimitStackSize) {
      uint64_t granted = 0;
      if (Result r = Runtime::get().setStackSize(value, granted); !r.ok())
        return record(r);
      value = granted;
    }
    std::lock_guard<std::mutex> lock(l.mutex);
    *l.find(limit) = value;
    return cudaSuccess;
  });
}

cudaError_t cudaDeviceGetLimit(size_t *value, cudaLimit limit) {
  if (!value)
    return record(cudaErrorInvalidValue);
  Limits &l = limits();
  std::lock_guard<std::mutex> lock(l.mutex);
  size_t *stored = l.find(limit);
  if (!stored)
    return record(cudaErrorUnsupportedLimit);
  *value = *stored;
  return cudaSuccess;
}
cudaError_t cudaDeviceSetCacheConfig(cudaFuncCache) { return cudaSuccess; }
cudaError_t cudaDeviceGetStreamPriorityRange(int *least, int *greatest) {
  if (least)
    *least = 0;
  if (greatest)
    *greatest = -5;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int *version) {
  if (!version)
    return record(cudaErrorInvalidValue);
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *version) {
  if (!version)
    return record(cudaErrorInvalidValue);
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaGetLastError(void) { return takeLastError(); }

cudaChannelFormatDesc cudaCreateChannelDesc(int x, int y, int z, int w,
                                            cudaChannelFormatKind f) {
  return cudaChannelFormatDesc{x, y, z, w, f};
}
cudaError_t cudaPeekAtLastError(void) { return peekLastError(); }

const char *cudaGetErrorName(cudaError_t e) {
  switch (e) {
#define NAME(X)                                                                \
  case X:                                                                      \
    return #X;
    NAME(cudaSuccess) NAME(cudaErrorInvalidValue)
    NAME(cudaErrorMemoryAllocation) NAME(cudaErrorInitializationError)
    NAME(cudaErrorInvalidConfiguration) NAME(cudaErrorInvalidDevice)
    NAME(cudaErrorInvalidSymbol) NAME(cudaErrorInvalidMemcpyDirection)
    NAME(cudaErrorInvalidDeviceFunction) NAME(cudaErrorNoDevice)
    NAME(cudaErrorInvalidResourceHandle) NAME(cudaErrorNotReady)
    NAME(cudaErrorIllegalAddress) NAME(cudaErrorLaunchTimeout)
    NAME(cudaErrorLaunchFailure) NAME(cudaErrorNotSupported)
    NAME(cudaErrorInvalidPtx) NAME(cudaErrorDevicesUnavailable)
    NAME(cudaErrorMissingConfiguration) NAME(cudaErrorAssert)
    NAME(cudaErrorUnknown) NAME(cudaErrorInvalidDevicePointer)
    NAME(cudaErrorMisalignedAddress) NAME(cudaErrorLaunchOutOfResources)
#undef NAME
  default:
    return "cudaErrorUnknown";
  }
}

const char *cudaGetErrorString(cudaError_t e) {
  switch (e) {
  case cudaSuccess: return "no error";
  case cudaErrorInvalidValue: return "invalid argument";
  case cudaErrorMemoryAllocation: return "out of memory";
  case cudaErrorInitializationError: return "initialization error";
  case cudaErrorInvalidConfiguration: return "invalid configuration argument";
  case cudaErrorInvalidDevice: return "invalid device ordinal";
  case cudaErrorInvalidSymbol: return "invalid device symbol";
  case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
  case cudaErrorInvalidDeviceFunction: return "invalid device function";
  case cudaErrorNoDevice: return "no CUDA-capable device is detected";
  case cudaErrorInvalidResourceHandle: return "invalid resource handle";
  case cudaErrorNotReady: return "device not ready";
  case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
  case cudaErrorLaunchTimeout: return "the launch timed out and was terminated";
  case cudaErrorLaunchFailure: return "unspecified launch failure";
  case cudaErrorNotSupported: return "operation not supported";
  case cudaErrorInvalidPtx: return "a PTX JIT compilation failed";
  case cudaErrorDevicesUnavailable: return "CUDA-capable device(s) is/are busy or unavailable";
  case cudaErrorMissingConfiguration: return "__global__ function call is not configured";
  case cudaErrorAssert: return "device-side assert triggered";
  case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
  default: return "unknown error";
  }
}

} // extern "C"
