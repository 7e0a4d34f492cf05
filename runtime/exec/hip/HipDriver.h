//===- HipDriver.h - The HIP runtime API, loaded at run time ----*- C++ -*-===//
//
// The HIP module API entry points the hip executor uses, declared from the
// documented ABI (hipError_t values mirror CUDA's) and resolved with
// dlopen/dlsym from libamdhip64.so, so Wooly builds and runs where ROCm is
// not installed.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HIP_HIPDRIVER_H
#define WOOLY_RUNTIME_EXEC_HIP_HIPDRIVER_H

#include "runtime/exec/Executor.h"

#include <cstddef>
#include <string>

namespace wooly::exec::hip {

using hipError_t = int;
using hipModule_t = struct ihipModule_t *;
using hipFunction_t = struct ihipModuleSymbol_t *;
using hipStream_t = struct ihipStream_t *;
using hipEvent_t = struct ihipEvent_t *;
using hipDeviceptr_t = void *;
using hipHostFn_t = void (*)(void *);

inline constexpr hipError_t hipSuccess = 0;
inline constexpr hipError_t hipErrorNotReady = 600;
inline constexpr unsigned hipStreamNonBlocking = 0x1;
// hipFunction_attribute values (the order of CUDA's CUfunction_attribute).
inline constexpr int HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0;
inline constexpr int HIP_FUNC_ATTRIBUTE_NUM_REGS = 4;

// Virtual memory management (address fencing's arena), HIP's spelling of
// the CUDA driver's cuMem* family.
using hipMemGenericAllocationHandle_t = struct ihipMemGenericAllocationHandle *;
struct hipMemLocation {
  int type; // hipMemLocationTypeDevice = 1
  int id;
};
struct hipMemAllocationProp {
  int type;               // hipMemAllocationTypePinned = 1
  int requestedHandleType; // 0: none
  hipMemLocation location;
  void *win32HandleMetaData;
  struct {
    unsigned char compressionType;
    unsigned char gpuDirectRDMACapable;
    unsigned short usage;
  } allocFlags;
};
struct hipMemAccessDesc {
  hipMemLocation location;
  int flags; // hipMemAccessFlagsProtReadWrite = 3
};
inline constexpr int hipMemAllocationTypePinned = 1;
inline constexpr int hipMemLocationTypeDevice = 1;
inline constexpr int hipMemAccessFlagsProtReadWrite = 3;
inline constexpr int hipMemAllocationGranularityMinimum = 0;
inline constexpr int hipLimitStackSize = 0x0; // hipLimit_t

struct HipDriver {
  hipError_t (*hipInit)(unsigned);
  const char *(*hipGetErrorName)(hipError_t);
  const char *(*hipGetErrorString)(hipError_t);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceGetName)(char *, int, int);
  hipError_t (*hipDeviceTotalMem)(size_t *, int);
  hipError_t (*hipMemGetInfo)(size_t *, size_t *);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpyHtoDAsync)(hipDeviceptr_t, void *, size_t, hipStream_t);
  hipError_t (*hipMemcpyDtoHAsync)(void *, hipDeviceptr_t, size_t, hipStream_t);
  hipError_t (*hipMemcpyDtoDAsync)(hipDeviceptr_t, hipDeviceptr_t, size_t,
                                   hipStream_t);
  hipError_t (*hipMemsetD8Async)(hipDeviceptr_t, unsigned char, size_t,
                                 hipStream_t);
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipModuleGetGlobal)(hipDeviceptr_t *, size_t *, hipModule_t,
                                   const char *);
  hipError_t (*hipFuncGetAttribute)(int *, int, hipFunction_t);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **, void **);
  hipError_t (*hipDeviceGetStreamPriorityRange)(int *, int *);
  hipError_t (*hipDeviceGetLimit)(size_t *, int); // hipLimit_t
  hipError_t (*hipDeviceSetLimit)(int, size_t);
  hipError_t (*hipStreamCreateWithPriority)(hipStream_t *, unsigned, int);
  hipError_t (*hipStreamDestroy)(hipStream_t);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipStreamQuery)(hipStream_t);
  hipError_t (*hipStreamWaitEvent)(hipStream_t, hipEvent_t, unsigned);
  hipError_t (*hipLaunchHostFunc)(hipStream_t, hipHostFn_t, void *);
  hipError_t (*hipEventCreate)(hipEvent_t *);
  hipError_t (*hipEventDestroy)(hipEvent_t);
  hipError_t (*hipEventRecord)(hipEvent_t, hipStream_t);
  hipError_t (*hipEventQuery)(hipEvent_t);
  hipError_t (*hipEventSynchronize)(hipEvent_t);
  hipError_t (*hipEventElapsedTime)(float *, hipEvent_t, hipEvent_t);
  // Optional (nullptr where the runtime lacks virtual memory management).
  hipError_t (*hipMemGetAllocationGranularity)(size_t *,
                                               const hipMemAllocationProp *,
                                               int);
  hipError_t (*hipMemAddressReserve)(void **, size_t, size_t, void *,
                                     unsigned long long);
  hipError_t (*hipMemAddressFree)(void *, size_t);
  hipError_t (*hipMemCreate)(hipMemGenericAllocationHandle_t *, size_t,
                             const hipMemAllocationProp *, unsigned long long);
  hipError_t (*hipMemRelease)(hipMemGenericAllocationHandle_t);
  hipError_t (*hipMemMap)(void *, size_t, size_t,
                          hipMemGenericAllocationHandle_t, unsigned long long);
  hipError_t (*hipMemUnmap)(void *, size_t);
  hipError_t (*hipMemSetAccess)(void *, size_t, const hipMemAccessDesc *,
                                size_t);

  /// Whether every virtual memory management entry point was found.
  bool hasVirtualMemory() const;

  /// The runtime, loaded and initialized on first call; nullptr with a
  /// reason in `why` when libamdhip64 is missing or unusable.
  /// $WOOLY_LIBAMDHIP names another library to load instead.
  static const HipDriver *get(std::string &why);

  /// "hipErrorOutOfMemory (out of memory)".
  std::string describe(hipError_t result) const;
  Status check(hipError_t result, const std::string &what) const;
};

/// The exec::ErrorCode for a HIP result.
ErrorCode errorCodeFor(hipError_t result);

/// The gfx processor of the `index`-th GPU node of the amdgpu kernel driver
/// (from /sys/class/kfd/kfd/topology: gfx_target_version 90402 -> gfx942,
/// 90010 -> gfx90a), and its compute units; empty if unknown.
/// $WOOLY_HIP_ARCH overrides the processor.
std::string gfxArchOfNode(int index, uint32_t &computeUnits);

/// gfx_target_version (major*10000 + minor*100 + stepping) -> "gfxNNN".
std::string gfxNameFromTargetVersion(unsigned version);

} // namespace wooly::exec::hip

#endif // WOOLY_RUNTIME_EXEC_HIP_HIPDRIVER_H
