//===- DriverApi.cpp - libcuda.so.1: the CUDA driver API on Wooly ---------===//
//
// For programs and libraries that load modules themselves. Shares the
// process's one connection and session with libcudart.so.13 (both sit on
// libwooly-client.so). Handles: CUmodule is a ModuleRecord, CUfunction a
// KernelRecord, CUstream/CUevent our records; there is one device and one
// (primary) context.
//
// Modules: PTX text, or a fatbin holding PTX. A cubin (machine code for one
// NVIDIA GPU) cannot run on Wooly: that is an error naming the fix.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/core/Runtime.h"
#include "runtime/client/fatbin/Fatbin.h"

#include <cstring>
#include <cuda.h>
#include <dlfcn.h>

using namespace wooly;
using client::Result;
using client::Runtime;
namespace proto = wooly::protocol::daemon;

namespace {

int gContextToken; // the one context's handle points here
bool gInitialized = false;

CUresult toCU(const Result &r) {
  using proto::WireCode;
  switch (r.code) {
  case WireCode::Success: return CUDA_SUCCESS;
  case WireCode::InvalidValue:
  case WireCode::InvalidAddress: return CUDA_ERROR_INVALID_VALUE;
  case WireCode::OutOfMemory: return CUDA_ERROR_OUT_OF_MEMORY;
  case WireCode::InvalidHandle: return CUDA_ERROR_INVALID_HANDLE;
  case WireCode::CompileError: return CUDA_ERROR_INVALID_PTX;
  case WireCode::NotFound: return CUDA_ERROR_NOT_FOUND;
  case WireCode::LaunchFailure: return CUDA_ERROR_ILLEGAL_ADDRESS;
  case WireCode::LaunchTimeout: return CUDA_ERROR_LAUNCH_TIMEOUT;
  case WireCode::Trap: return CUDA_ERROR_LAUNCH_FAILED;
  case WireCode::Assert: return CUDA_ERROR_ASSERT;
  case WireCode::NotReady: return CUDA_ERROR_NOT_READY;
  case WireCode::NotSupported: return CUDA_ERROR_NOT_SUPPORTED;
  case WireCode::DeviceUnavailable: return CUDA_ERROR_NO_DEVICE;
  default: return CUDA_ERROR_UNKNOWN;
  }
}

template <typename F> CUresult guarded(F body) {
  try {
    return body();
  } catch (const std::exception &e) {
    fprintf(stderr, "wooly: driver API internal error: %s\n", e.what());
    return CUDA_ERROR_UNKNOWN;
  }
}

CUresult needInit() {
  if (!gInitialized)
    return CUDA_ERROR_NOT_INITIALIZED;
  return Runtime::get().device() ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

uint64_t streamOf(CUstream s) {
  if (!s || s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD)
    return 0;
  return reinterpret_cast<client::StreamRecord *>(s)->id;
}

bool isDevice(CUdeviceptr p, size_t n) {
  return Runtime::get().isDevicePointer(p, n);
}

bool isManaged(CUdeviceptr p) { return Runtime::get().isManaged(p); }
bool isManaged(const void *p) {
  return Runtime::get().isManaged(reinterpret_cast<uint64_t>(p));
}
void *ptrOf(CUdeviceptr p) { return reinterpret_cast<void *>(p); }

/// Copies touching managed memory (cuMemAllocManaged): the client core's
/// shared emulation, as cudaMemcpy does.
CUresult copyManaged(void *dst, const void *src, size_t bytes) {
  return guarded([&] {
    return toCU(Runtime::get().copyWithManaged(dst, src, bytes, 0));
  });
}

} // namespace

extern "C" {

CUresult cuInit(unsigned int flags) {
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  gInitialized = true;
  return Runtime::get().device() ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

CUresult cuDriverGetVersion(int *version) {
  if (!version)
    return CUDA_ERROR_INVALID_VALUE;
  *version = CUDA_VERSION;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  if (!count)
    return CUDA_ERROR_INVALID_VALUE;
  if (CUresult e = needInit(); e != CUDA_SUCCESS && e != CUDA_ERROR_NO_DEVICE)
    return e;
  *count = Runtime::get().device() ? 1 : 0;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  if (CUresult e = needInit())
    return e;
  if (!device)
    return CUDA_ERROR_INVALID_VALUE;
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice device) {
  if (CUresult e = needInit())
    return e;
  if (!name || len <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  std::string n = "Wooly: " + Runtime::get().device()->name;
  std::strncpy(name, n.c_str(), size_t(len) - 1);
  name[len - 1] = 0;
  return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
  if (CUresult e = needInit())
    return e;
  if (!bytes || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  const auto *d = Runtime::get().device();
  *bytes = d->memoryLimit ? d->memoryLimit : d->totalMemory;
  return CUDA_SUCCESS;
}

CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice) {
  if (CUresult e = needInit())
    return e;
  const auto *d = Runtime::get().device();
  if (major)
    *major = d->ccMajor ? int(d->ccMajor) : 7;
  if (minor)
    *minor = d->ccMajor ? int(d->ccMinor) : 5;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attrib,
                              CUdevice device) {
  if (CUresult e = needInit())
    return e;
  if (!value || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  const auto *d = Runtime::get().device();
  switch (attrib) {
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = int(d->maxThreadsPerBlock); break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *value = int(d->maxBlockDim[0]); break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *value = int(d->maxBlockDim[1]); break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *value = int(d->maxBlockDim[2]); break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *value = int(d->maxGridDim[0]); break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *value = int(d->maxGridDim[1]); break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *value = int(d->maxGridDim[2]); break;
  case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *value = int(d->warpSize); break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = int(d->computeUnits); break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *value = int(d->maxSharedPerBlock); break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = d->ccMajor ? int(d->ccMajor) : 7; break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = d->ccMajor ? int(d->ccMinor) : 5; break;
  case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *value = 1; break;
  default: *value = 0; break;
  }
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice device) {
  if (CUresult e = needInit())
    return e;
  if (!ctx || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  *ctx = reinterpret_cast<CUcontext>(&gContextToken);
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) { return CUDA_SUCCESS; }

CUresult cuCtxSetCurrent(CUcontext) { return needInit(); }

CUresult cuCtxGetCurrent(CUcontext *ctx) {
  if (!ctx)
    return CUDA_ERROR_INVALID_VALUE;
  *ctx = gInitialized ? reinterpret_cast<CUcontext>(&gContextToken) : nullptr;
  return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
  if (CUresult e = needInit())
    return e;
  return guarded([] { return toCU(Runtime::get().synchronizeDevice()); });
}

CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  if (CUresult e = needInit())
    return e;
  if (!module || !image)
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    std::string ptx;
    uint32_t magic;
    std::memcpy(&magic, image, 4);
    if (magic == fatbin::kFatbinMagic) {
      // The blob header says how long it is: 8 bytes in, a u64.
      uint64_t payload;
      uint16_t headerSize;
      std::memcpy(&headerSize, static_cast<const char *>(image) + 6, 2);
      std::memcpy(&payload, static_cast<const char *>(image) + 8, 8);
      fatbin::ReadResult r = fatbin::readFatbin(image, headerSize + payload);
      const fatbin::Entry *e = r.ok() ? fatbin::selectPTX(r.entries) : nullptr;
      std::string error = r.ok() ? "" : r.error;
      if (!e || !fatbin::entryContents(*e, ptx, error)) {
        fprintf(stderr, "wooly: cuModuleLoadData: %s\n",
                e || !r.ok() ? error.c_str()
                             : fatbin::missingPTXMessage(r.entries).c_str());
        return CUDA_ERROR_INVALID_IMAGE;
      }
    } else if (std::memcmp(image, "\x7f" "ELF", 4) == 0) {
      fprintf(stderr, "wooly: cuModuleLoadData: a cubin is machine code for "
                      "one NVIDIA GPU and cannot run on Wooly; load the PTX "
                      "(nvcc -ptx) or a fatbin that includes PTX\n");
      return CUDA_ERROR_INVALID_IMAGE;
    } else {
      ptx = static_cast<const char *>(image);
    }
    client::ModuleRecord *m = nullptr;
    Result r = Runtime::get().loadPtxModule(ptx, m);
    if (!r.ok())
      return toCU(r);
    *module = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
  });
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int,
                            CUjit_option *, void **) {
  return cuModuleLoadData(module, image);
}

CUresult cuModuleUnload(CUmodule module) {
  if (!module)
    return CUDA_ERROR_INVALID_HANDLE;
  return guarded([&] {
    return toCU(Runtime::get().unloadModule(
        reinterpret_cast<client::ModuleRecord *>(module)));
  });
}

CUresult cuModuleGetFunction(CUfunction *fn, CUmodule module,
                             const char *name) {
  if (!fn || !name)
    return CUDA_ERROR_INVALID_VALUE;
  if (!module)
    return CUDA_ERROR_INVALID_HANDLE;
  return guarded([&]() -> CUresult {
    client::KernelRecord *k = nullptr;
    Result r = Runtime::get().getFunction(
        reinterpret_cast<client::ModuleRecord *>(module), name, k);
    if (!r.ok())
      return toCU(r);
    *fn = reinterpret_cast<CUfunction>(k);
    return CUDA_SUCCESS;
  });
}

CUresult cuModuleGetGlobal_v2(CUdeviceptr *dptr, size_t *bytes,
                              CUmodule module, const char *name) {
  if (!module || !name)
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint64_t p = 0, s = 0;
    Result r = Runtime::get().getGlobal(
        reinterpret_cast<client::ModuleRecord *>(module), name, p, s);
    if (!r.ok())
      return toCU(r);
    if (dptr)
      *dptr = p;
    if (bytes)
      *bytes = s;
    return CUDA_SUCCESS;
  });
}

CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy,
                        unsigned int gz, unsigned int bx, unsigned int by,
                        unsigned int bz, unsigned int sharedMemBytes,
                        CUstream stream, void **kernelParams, void **extra) {
  if (!f)
    return CUDA_ERROR_INVALID_HANDLE;
  return guarded([&]() -> CUresult {
    auto *k = reinterpret_cast<client::KernelRecord *>(f);
    Result r;
    if (extra) {
      // CU_LAUNCH_PARAM_BUFFER_POINTER / _SIZE: arguments already packed.
      const void *buffer = nullptr;
      size_t size = 0;
      for (void **e = extra; *e != CU_LAUNCH_PARAM_END; e += 2) {
        if (*e == CU_LAUNCH_PARAM_BUFFER_POINTER)
          buffer = e[1];
        else if (*e == CU_LAUNCH_PARAM_BUFFER_SIZE)
          size = *static_cast<size_t *>(e[1]);
        else
          return CUDA_ERROR_INVALID_VALUE;
      }
      r = Runtime::get().launchPacked(k, {gx, gy, gz}, {bx, by, bz}, buffer,
                                      size, sharedMemBytes, streamOf(stream));
    } else {
      r = Runtime::get().launch(k, {gx, gy, gz}, {bx, by, bz}, kernelParams,
                                sharedMemBytes, streamOf(stream));
    }
    return toCU(r);
  });
}

CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytes) {
  if (CUresult e = needInit())
    return e;
  if (!dptr || bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint64_t p = 0;
    Result r = Runtime::get().malloc(bytes, p);
    if (r.ok())
      *dptr = p;
    return toCU(r);
  });
}

/// Emulated like cudaMallocManaged (the client core's Managed.cpp,
/// docs/managed-memory.md): the same address on both sides, copied at
/// synchronizing calls and launches. Both attach flags behave as GLOBAL.
CUresult cuMemAllocManaged(CUdeviceptr *dptr, size_t bytes,
                           unsigned int flags) {
  if (CUresult e = needInit())
    return e;
  if (!dptr || bytes == 0 ||
      (flags != CU_MEM_ATTACH_GLOBAL && flags != CU_MEM_ATTACH_HOST))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint64_t p = 0;
    Result r = Runtime::get().mallocManaged(bytes, p);
    if (!r.ok()) {
      if (Runtime::get().verbose())
        fprintf(stderr, "wooly: cuMemAllocManaged(%zu): %s\n", bytes,
                r.message.c_str());
      return toCU(r);
    }
    *dptr = p;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemFree_v2(CUdeviceptr dptr) {
  if (!dptr)
    return CUDA_SUCCESS;
  return guarded([&] { return toCU(Runtime::get().free(dptr)); });
}

/// The attributes a program asks to tell device, managed and host memory
/// apart. Booleans are written as unsigned int, as programs pass them.
CUresult cuPointerGetAttribute(void *data, CUpointer_attribute attribute,
                               CUdeviceptr ptr) {
  if (!data)
    return CUDA_ERROR_INVALID_VALUE;
  Runtime &rt = Runtime::get();
  bool managed = rt.isManaged(ptr);
  uint64_t base = 0, size = 0;
  bool device = managed || rt.isDevicePointer(ptr);
  switch (attribute) {
  case CU_POINTER_ATTRIBUTE_CONTEXT:
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    *static_cast<CUcontext *>(data) =
        reinterpret_cast<CUcontext>(&gContextToken);
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    // CUDA reports managed memory as device memory here (IS_MANAGED tells).
    *static_cast<unsigned int *>(data) = CU_MEMORYTYPE_DEVICE;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_DEVICE_POINTER:
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    *static_cast<CUdeviceptr *>(data) = ptr;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_HOST_POINTER:
    if (!managed)
      return CUDA_ERROR_INVALID_VALUE; // device memory has no host address
    *static_cast<void **>(data) = rt.managedHostView(ptr);
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_IS_MANAGED:
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    *static_cast<unsigned int *>(data) = managed ? 1 : 0;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL:
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    *static_cast<int *>(data) = 0;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR:
  case CU_POINTER_ATTRIBUTE_RANGE_SIZE:
    if (!rt.findAllocation(ptr, base, size))
      return CUDA_ERROR_INVALID_VALUE;
    if (attribute == CU_POINTER_ATTRIBUTE_RANGE_START_ADDR)
      *static_cast<CUdeviceptr *>(data) = base;
    else
      *static_cast<size_t *>(data) = size;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_NOT_SUPPORTED;
  }
}

CUresult cuPointerGetAttributes(unsigned int count,
                                CUpointer_attribute *attributes, void **data,
                                CUdeviceptr ptr) {
  if (!attributes || !data)
    return CUDA_ERROR_INVALID_VALUE;
  // Like CUDA: an attribute that does not apply to `ptr` is not an error of
  // the whole call; its slot is left as the caller set it.
  for (unsigned int i = 0; i < count; ++i) {
    if (!data[i])
      return CUDA_ERROR_INVALID_VALUE;
    CUresult r = cuPointerGetAttribute(data[i], attributes[i], ptr);
    if (r == CUDA_ERROR_NOT_SUPPORTED)
      return r;
  }
  return CUDA_SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
  if (!free || !total)
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint64_t f = 0, t = 0;
    Result r = Runtime::get().memGetInfo(f, t);
    *free = f;
    *total = t;
    return toCU(r);
  });
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  if (bytes && src && (isManaged(dst) || isManaged(src)))
    return copyManaged(ptrOf(dst), src, bytes);
  if (bytes && (!src || !isDevice(dst, bytes)))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded(
      [&] { return toCU(Runtime::get().copyToDevice(dst, src, bytes, 0)); });
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  if (bytes && dst && (isManaged(src) || isManaged(dst)))
    return copyManaged(dst, ptrOf(src), bytes);
  if (bytes && (!dst || !isDevice(src, bytes)))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&] {
    Result r = Runtime::get().copyToHost(dst, src, bytes, 0);
    // A blocking copy to the host is a synchronizing call.
    return toCU(r.ok() ? Runtime::get().pullManaged() : r);
  });
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  if (bytes && (isManaged(dst) || isManaged(src)))
    return copyManaged(ptrOf(dst), ptrOf(src), bytes);
  if (bytes && (!isDevice(src, bytes) || !isDevice(dst, bytes)))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded(
      [&] { return toCU(Runtime::get().copyOnDevice(dst, src, bytes, 0)); });
}

CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t n) {
  if (n && isManaged(dst))
    return guarded([&] {
      return toCU(Runtime::get().memsetManaged(dst, value, n));
    });
  if (n && !isDevice(dst, n))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded(
      [&] { return toCU(Runtime::get().memset(dst, value, n, 0)); });
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t n) {
  if (n && isManaged(dst))
    return guarded([&]() -> CUresult {
      Result r = Runtime::get().memsetManaged(dst, 0, n * 4);
      if (r.ok())
        std::fill_n(static_cast<uint32_t *>(Runtime::get().managedHostView(dst)),
                    n, value);
      return toCU(r);
    });
  if (n && !isDevice(dst, n * 4))
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint8_t b = uint8_t(value);
    if (value == b * 0x01010101u)
      return toCU(Runtime::get().memset(dst, b, n * 4, 0));
    // A word pattern: fill on the host, then one copy.
    std::vector<uint32_t> fill(n, value);
    return toCU(Runtime::get().copyToDevice(dst, fill.data(), n * 4, 0));
  });
}

CUresult cuStreamCreate(CUstream *stream, unsigned int) {
  if (!stream)
    return CUDA_ERROR_INVALID_VALUE;
  return guarded([&]() -> CUresult {
    uint64_t id = 0;
    Result r = Runtime::get().createStream(0, id);
    if (r.ok())
      *stream = reinterpret_cast<CUstream>(new client::StreamRecord{id});
    return toCU(r);
  });
}

CUresult cuStreamDestroy_v2(CUstream stream) {
  uint64_t id = streamOf(stream);
  if (!id)
    return CUDA_ERROR_INVALID_HANDLE;
  return guarded([&]() -> CUresult {
    Result r = Runtime::get().destroyStream(id);
    if (r.ok())
      delete reinterpret_cast<client::StreamRecord *>(stream);
    return toCU(r);
  });
}

CUresult cuStreamSynchronize(CUstream stream) {
  return guarded(
      [&] { return toCU(Runtime::get().synchronizeStream(streamOf(stream))); });
}

CUresult cuGetErrorName(CUresult error, const char **str) {
  if (!str)
    return CUDA_ERROR_INVALID_VALUE;
  switch (error) {
#define NAME(X)                                                                \
  case X:                                                                      \
    *str = #X;                                                                 \
    return CUDA_SUCCESS;
    NAME(CUDA_SUCCESS) NAME(CUDA_ERROR_INVALID_VALUE)
    NAME(CUDA_ERROR_OUT_OF_MEMORY) NAME(CUDA_ERROR_NOT_INITIALIZED)
    NAME(CUDA_ERROR_NO_DEVICE) NAME(CUDA_ERROR_INVALID_DEVICE)
    NAME(CUDA_ERROR_INVALID_IMAGE) NAME(CUDA_ERROR_INVALID_CONTEXT)
    NAME(CUDA_ERROR_INVALID_PTX) NAME(CUDA_ERROR_INVALID_HANDLE)
    NAME(CUDA_ERROR_NOT_FOUND) NAME(CUDA_ERROR_NOT_READY)
    NAME(CUDA_ERROR_ILLEGAL_ADDRESS) NAME(CUDA_ERROR_LAUNCH_TIMEOUT)
    NAME(CUDA_ERROR_LAUNCH_FAILED) NAME(CUDA_ERROR_NOT_SUPPORTED)
    NAME(CUDA_ERROR_UNKNOWN)
#undef NAME
  default:
    *str = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuGetErrorString(CUresult error, const char **str) {
  if (!str)
    return CUDA_ERROR_INVALID_VALUE;
  switch (error) {
  case CUDA_SUCCESS: *str = "no error"; break;
  case CUDA_ERROR_INVALID_VALUE: *str = "invalid argument"; break;
  case CUDA_ERROR_OUT_OF_MEMORY: *str = "out of memory"; break;
  case CUDA_ERROR_NOT_INITIALIZED: *str = "initialization error"; break;
  case CUDA_ERROR_NO_DEVICE: *str = "no CUDA-capable device is detected"; break;
  case CUDA_ERROR_INVALID_DEVICE: *str = "invalid device ordinal"; break;
  case CUDA_ERROR_INVALID_IMAGE: *str = "device kernel image is invalid"; break;
  case CUDA_ERROR_INVALID_PTX: *str = "a PTX JIT compilation failed"; break;
  case CUDA_ERROR_INVALID_HANDLE: *str = "invalid resource handle"; break;
  case CUDA_ERROR_NOT_FOUND: *str = "named symbol not found"; break;
  case CUDA_ERROR_NOT_READY: *str = "device not ready"; break;
  case CUDA_ERROR_ILLEGAL_ADDRESS: *str = "an illegal memory access was encountered"; break;
  case CUDA_ERROR_LAUNCH_FAILED: *str = "unspecified launch failure"; break;
  case CUDA_ERROR_NOT_SUPPORTED: *str = "operation not supported"; break;
  default: *str = "unknown error"; break;
  }
  return CUDA_SUCCESS;
}

CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int, cuuint64_t,
                             CUdriverProcAddressQueryResult *status) {
  if (!symbol || !pfn)
    return CUDA_ERROR_INVALID_VALUE;
  // Look in this library only: the newest version of the entry point first.
  Dl_info self;
  dladdr(reinterpret_cast<void *>(&cuGetProcAddress_v2), &self);
  void *handle = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  void *found = nullptr;
  for (const char *suffix : {"_v4", "_v3", "_v2", ""})
    if (!found && handle)
      found = dlsym(handle, (std::string(symbol) + suffix).c_str());
  if (handle)
    dlclose(handle);
  *pfn = found;
  if (status)
    *status = found ? CU_GET_PROC_ADDRESS_SUCCESS
                    : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return found ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

} // extern "C"
