//===- CudaDriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The few driver API entry points the cuda executor uses, declared from the
// documented ABI (types and enumerator values as in the driver API
// reference) and resolved with dlopen/dlsym from libcuda.so.1, so Wooly
// builds and runs where no NVIDIA driver is installed.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_CUDA_CUDADRIVER_H
#define WOOLY_RUNTIME_EXEC_CUDA_CUDADRIVER_H

#include "runtime/exec/Executor.h"

#include <cstddef>
#include <string>

namespace wooly::exec::cuda {

// Driver ABI types.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUhostFn = void (*)(void *);

inline constexpr CUresult CUDA_SUCCESS = 0;
inline constexpr CUresult CUDA_ERROR_NOT_READY = 600;

// CUdevice_attribute values used for DeviceInfo.
enum : int {
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X = 2,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y = 3,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z = 4,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y = 6,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z = 7,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8,
  CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
};
// CUfunction_attribute values.
enum : int {
  CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0,
  CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
  CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3,
  CU_FUNC_ATTRIBUTE_NUM_REGS = 4,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
};
// CUjit_option values.
enum : int {
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};
// Virtual memory management (address fencing's arena).
using CUmemGenericAllocationHandle = unsigned long long;
struct CUmemLocation {
  int type; // CU_MEM_LOCATION_TYPE_*
  int id;
};
struct CUmemAllocationProp {
  int type;                 // CU_MEM_ALLOCATION_TYPE_*
  int requestedHandleTypes; // 0: none
  CUmemLocation location;
  void *win32HandleMetaData;
  struct {
    unsigned char compressionType;
    unsigned char gpuDirectRDMACapable;
    unsigned short usage;
    unsigned char reserved[4];
  } allocFlags;
};
struct CUmemAccessDesc {
  CUmemLocation location;
  int flags; // CU_MEM_ACCESS_FLAGS_*
};
enum : int {
  CU_MEM_ALLOCATION_TYPE_PINNED = 1,
  CU_MEM_LOCATION_TYPE_DEVICE = 1,
  CU_MEM_ACCESS_FLAGS_PROT_READWRITE = 3,
  CU_MEM_ALLOC_GRANULARITY_MINIMUM = 0,
};
// Green contexts (CUDA 12.4+): SM partitions of the device, declared as in
// cuda.h (RESOURCE_ABI_VERSION 1).
using CUgreenCtx = struct CUgreenCtx_st *;
using CUdevResourceDesc = struct CUdevResourceDesc_st *;
struct CUdevSmResource {
  unsigned smCount;
  unsigned minSmPartitionSize;
  unsigned smCoscheduledAlignment;
};
struct CUdevResource {
  int type; // CU_DEV_RESOURCE_TYPE_*
  unsigned char internalPadding[92];
  union {
    CUdevSmResource sm;
    unsigned char oversize[48];
  };
};
static_assert(sizeof(CUdevResource) == 144, "cuda.h's CUdevResource_v1");
enum : int {
  CU_DEV_RESOURCE_TYPE_SM = 1,
  CU_GREEN_CTX_DEFAULT_STREAM = 0x1,
};
inline constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
inline constexpr int CU_LIMIT_STACK_SIZE = 0x00; // CUlimit
inline constexpr unsigned CU_EVENT_DEFAULT = 0x0;

/// The driver's entry points. Loaded once per process; never unloaded.
struct CudaDriver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuDevicePrimaryCtxReset)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxGetStreamPriorityRange)(int *, int *);
  CUresult (*cuCtxGetLimit)(size_t *, int);    // CUlimit
  CUresult (*cuCtxSetLimit)(int, size_t);
  CUresult (*cuMemGetInfo)(size_t *, size_t *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuModuleGetGlobal)(CUdeviceptr *, size_t *, CUmodule,
                                const char *);
  CUresult (*cuFuncGetAttribute)(int *, int, CUfunction);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreateWithPriority)(CUstream *, unsigned, int);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamQuery)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuLaunchHostFunc)(CUstream, CUhostFn, void *);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventQuery)(CUevent);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  // Optional (nullptr where the driver lacks virtual memory management).
  CUresult (*cuMemGetAllocationGranularity)(size_t *,
                                            const CUmemAllocationProp *, int);
  CUresult (*cuMemAddressReserve)(CUdeviceptr *, size_t, size_t, CUdeviceptr,
                                  unsigned long long);
  CUresult (*cuMemAddressFree)(CUdeviceptr, size_t);
  CUresult (*cuMemCreate)(CUmemGenericAllocationHandle *, size_t,
                          const CUmemAllocationProp *, unsigned long long);
  CUresult (*cuMemRelease)(CUmemGenericAllocationHandle);
  CUresult (*cuMemMap)(CUdeviceptr, size_t, size_t,
                       CUmemGenericAllocationHandle, unsigned long long);
  CUresult (*cuMemUnmap)(CUdeviceptr, size_t);
  CUresult (*cuMemSetAccess)(CUdeviceptr, size_t, const CUmemAccessDesc *,
                             size_t);

  // Optional (nullptr before CUDA 12.4): green contexts.
  CUresult (*cuDeviceGetDevResource)(CUdevice, CUdevResource *, int);
  CUresult (*cuDevSmResourceSplitByCount)(CUdevResource *, unsigned *,
                                          const CUdevResource *,
                                          CUdevResource *, unsigned, unsigned);
  CUresult (*cuDevResourceGenerateDesc)(CUdevResourceDesc *, CUdevResource *,
                                        unsigned);
  CUresult (*cuGreenCtxCreate)(CUgreenCtx *, CUdevResourceDesc, CUdevice,
                               unsigned);
  CUresult (*cuGreenCtxDestroy)(CUgreenCtx);
  CUresult (*cuGreenCtxStreamCreate)(CUstream *, CUgreenCtx, unsigned, int);

  /// Whether every virtual memory management entry point was found.
  bool hasVirtualMemory() const;
  /// Whether every green context entry point was found.
  bool hasGreenContexts() const;

  /// The driver, loaded and initialized (cuInit) on first call; nullptr
  /// with a reason in `why` when libcuda.so.1 is missing or unusable.
  /// $WOOLY_LIBCUDA names another library to load instead.
  static const CudaDriver *get(std::string &why);

  /// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for a result code.
  std::string describe(CUresult result) const;
  /// Success, or the Wooly error code for `result` with `what` and the
  /// driver's name for the error.
  Status check(CUresult result, const std::string &what) const;
};

/// The exec::ErrorCode that corresponds to a CUDA driver result.
ErrorCode errorCodeFor(CUresult result);

} // namespace wooly::exec::cuda

#endif // WOOLY_RUNTIME_EXEC_CUDA_CUDADRIVER_H
