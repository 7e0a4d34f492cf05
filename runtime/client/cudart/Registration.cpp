//===- Registration.cpp - What nvcc's generated host code calls ----------===//
//
// Before main(), each translation unit registers its fatbin, kernels and
// variables; `kernel<<<g, b, shm, s>>>(args)` becomes
// __cudaPushCallConfiguration, then in the host stub
// __cudaPopCallConfiguration, __cudaGetKernel (once) and __cudaLaunchKernel.
// See crt/host_runtime.h and crt/device_functions.h in the CUDA toolkit.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/cudart/CudartState.h"

#include <vector>

using namespace wooly;
using namespace wooly::cudart;
namespace proto = wooly::protocol::daemon;

namespace {
struct CallConfig {
  dim3 grid, block;
  size_t shared;
  cudaStream_t stream;
};
thread_local std::vector<CallConfig> gConfigs;
} // namespace

extern "C" {

void **__cudaRegisterFatBinary(void *fatCubin) {
  return reinterpret_cast<void **>(Runtime::get().registerFatbin(fatCubin));
}

void __cudaRegisterFatBinaryEnd(void **) {}

void __cudaUnregisterFatBinary(void **handle) {
  Runtime::get().unregisterFatbin(reinterpret_cast<client::ModuleRecord *>(handle));
}

char __cudaInitModule(void **handle) {
  // Runs before the program's first host access to one of the module's
  // `__managed__` variables; on failure the variable still has host memory
  // (zeros) and the error was printed, so the program does not crash here.
  Result r = Runtime::get().initModule(
      reinterpret_cast<client::ModuleRecord *>(handle));
  if (!r.ok())
    record(r);
  return 1;
}

void __cudaRegisterFunction(void **handle, const char *hostFun,
                            char *deviceFun, const char *deviceName, int,
                            uint3 *, uint3 *, dim3 *, dim3 *, int *) {
  Runtime::get().registerFunction(
      reinterpret_cast<client::ModuleRecord *>(handle), hostFun,
      deviceName ? deviceName : deviceFun);
}

void __cudaRegisterVar(void **handle, char *hostVar, char *deviceAddress,
                       const char *deviceName, int, size_t size, int, int) {
  Runtime::get().registerVar(reinterpret_cast<client::ModuleRecord *>(handle),
                             hostVar, deviceName ? deviceName : deviceAddress,
                             size);
}

/// nvcc turns `__managed__ T x;` into host code that reads and writes `*x`
/// through a pointer variable (`static T *x`), calling __cudaInitModule
/// first; `hostVarPtrAddress` is that pointer's address. initModule points
/// it at the variable's host view (docs/managed-memory.md).
void __cudaRegisterManagedVar(void **handle, void **hostVarPtrAddress,
                              char *deviceAddress, const char *deviceName,
                              int, size_t size, int, int) {
  Runtime::get().registerManagedVar(
      reinterpret_cast<client::ModuleRecord *>(handle), hostVarPtrAddress,
      deviceName ? deviceName : deviceAddress, size);
}

void __cudaRegisterTexture(void **, const void *, const void **, const char *,
                           int, int, int) {
  Runtime::get().warnOnce("texture references are not supported");
}

void __cudaRegisterSurface(void **, const void *, const void **, const char *,
                           int, int) {
  Runtime::get().warnOnce("surface references are not supported");
}

unsigned __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim,
                                     size_t sharedMem, void *stream) {
  gConfigs.push_back(
      {gridDim, blockDim, sharedMem, static_cast<cudaStream_t>(stream)});
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3 *gridDim, dim3 *blockDim,
                                       size_t *sharedMem, void *stream) {
  if (gConfigs.empty())
    return cudaErrorMissingConfiguration;
  CallConfig c = gConfigs.back();
  gConfigs.pop_back();
  *gridDim = c.grid;
  *blockDim = c.block;
  *sharedMem = c.shared;
  *static_cast<cudaStream_t *>(stream) = c.stream;
  return cudaSuccess;
}

cudaError_t __cudaGetKernel(cudaKernel_t *kernel, const void *stub) {
  client::KernelRecord *k = Runtime::get().kernelForStub(stub);
  if (!k)
    return record(cudaErrorInvalidDeviceFunction);
  *kernel = reinterpret_cast<cudaKernel_t>(k);
  return cudaSuccess;
}

static cudaError_t launchRecord(client::KernelRecord *k, dim3 g, dim3 b,
                                void **args, size_t shared,
                                cudaStream_t stream) {
  return guarded("cudaLaunchKernel", [&] {
    if (!k)
      return record(cudaErrorInvalidDeviceFunction);
    if (shared > UINT32_MAX)
      return record(cudaErrorInvalidValue);
    // A shape the device cannot run is cudaErrorInvalidValue, as CUDA 13
    // gives it (seen on an H200: runtime 13.0, driver 580.159; CUDA 12 said
    // cudaErrorInvalidConfiguration).
    Result r = Runtime::get().launch(k, {g.x, g.y, g.z}, {b.x, b.y, b.z}, args,
                                     uint32_t(shared), streamId(stream));
    return record(r);
  });
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 gridDim,
                               dim3 blockDim, void **args, size_t sharedMem,
                               cudaStream_t stream) {
  return launchRecord(reinterpret_cast<client::KernelRecord *>(kernel), gridDim,
                      blockDim, args, sharedMem, stream);
}

cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 gridDim,
                                    dim3 blockDim, void **args,
                                    size_t sharedMem, cudaStream_t stream) {
  return launchRecord(reinterpret_cast<client::KernelRecord *>(kernel), gridDim,
                      blockDim, args, sharedMem, stream);
}

cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim,
                             void **args, size_t sharedMem,
                             cudaStream_t stream) {
  return launchRecord(Runtime::get().kernelForStub(func), gridDim, blockDim,
                      args, sharedMem, stream);
}

cudaError_t cudaLaunchKernel_ptsz(const void *func, dim3 gridDim,
                                  dim3 blockDim, void **args, size_t sharedMem,
                                  cudaStream_t stream) {
  return launchRecord(Runtime::get().kernelForStub(func), gridDim, blockDim,
                      args, sharedMem, stream);
}

cudaError_t cudaFuncGetAttributes(cudaFuncAttributes *attr, const void *func) {
  return guarded("cudaFuncGetAttributes", [&] {
    client::KernelRecord *k = Runtime::get().kernelForStub(func);
    if (!k || !attr)
      return record(cudaErrorInvalidDeviceFunction);
    if (Result r = Runtime::get().resolveKernel(k); !r.ok())
      return record(r);
    *attr = cudaFuncAttributes{};
    attr->sharedSizeBytes = k->desc.staticSharedBytes;
    attr->localSizeBytes = k->desc.localBytesPerThread;
    attr->maxThreadsPerBlock = int(k->desc.maxThreadsPerBlock);
    attr->numRegs = int(k->desc.numRegs);
    attr->ptxVersion = 75;
    attr->binaryVersion = 75;
    const auto *d = Runtime::get().device();
    attr->maxDynamicSharedSizeBytes =
        d ? int(d->maxSharedPerBlock - k->desc.staticSharedBytes) : 0;
    return cudaSuccess;
  });
}

cudaError_t cudaFuncSetAttribute(const void *func, cudaFuncAttribute attr,
                                 int value) {
  return guarded("cudaFuncSetAttribute", [&] {
    if (!Runtime::get().kernelForStub(func))
      return record(cudaErrorInvalidDeviceFunction);
    const auto *d = Runtime::get().device();
    if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize && d &&
        (value < 0 || uint32_t(value) > d->maxSharedPerBlockOptin))
      return record(cudaErrorInvalidValue);
    // Carve-out and the dynamic shared limit are hints on a WIS device.
    return cudaSuccess;
  });
}

cudaError_t cudaFuncSetCacheConfig(const void *, cudaFuncCache) {
  return cudaSuccess; // a hint; no cache split to configure
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks,
                                                          const void *func,
                                                          int blockSize,
                                                          size_t dynamicSMem) {
  return guarded("cudaOccupancyMaxActiveBlocksPerMultiprocessor", [&] {
    client::KernelRecord *k = Runtime::get().kernelForStub(func);
    if (!k || !numBlocks)
      return record(cudaErrorInvalidDeviceFunction);
    if (Result r = Runtime::get().resolveKernel(k); !r.ok())
      return record(r);
    if (blockSize <= 0 || uint32_t(blockSize) > k->desc.maxThreadsPerBlock) {
      *numBlocks = 0;
      return cudaSuccess;
    }
    // The WIS machine: 2048 threads and 64 KiB... per unit, like sm_75.
    int byThreads = 2048 / blockSize;
    uint64_t shared = k->desc.staticSharedBytes + dynamicSMem;
    int byShared = shared ? int((64 * 1024) / shared) : byThreads;
    *numBlocks = std::max(0, std::min({byThreads, byShared, 32}));
    return cudaSuccess;
  });
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
    int *numBlocks, const void *func, int blockSize, size_t dynamicSMem,
    unsigned int) {
  return cudaOccupancyMaxActiveBlocksPerMultiprocessor(numBlocks, func,
                                                       blockSize, dynamicSMem);
}

} // extern "C"
