//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//

#include "runtime/exec/cuda/CudaDriver.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

namespace wooly::exec::cuda {

namespace {
/// dlsym the first of `names` the library exports (versioned names first:
/// the header's macros point plain names at them).
template <typename Fn>
bool resolve(void *library, Fn &slot, std::initializer_list<const char *> names,
             std::string &missing) {
  for (const char *name : names)
    if (void *symbol = dlsym(library, name)) {
      slot = reinterpret_cast<Fn>(symbol);
      return true;
    }
  missing = *names.begin();
  return false;
}

struct Loaded {
  CudaDriver driver{};
  std::string error;
  bool ok = false;
};

Loaded load() {
  Loaded result;
  const char *override = std::getenv("WOOLY_LIBCUDA");
  const char *path = override && *override ? override : "libcuda.so.1";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    result.error = std::string("cannot load the NVIDIA driver (") + path +
                   "): " + (reason ? reason : "unknown error") +
                   "; install the NVIDIA driver to use the cuda executor";
    return result;
  }
  CudaDriver &d = result.driver;
  std::string missing;
  bool all =
      resolve(library, d.cuInit, {"cuInit"}, missing) &&
      resolve(library, d.cuDriverGetVersion, {"cuDriverGetVersion"}, missing) &&
      resolve(library, d.cuGetErrorName, {"cuGetErrorName"}, missing) &&
      resolve(library, d.cuGetErrorString, {"cuGetErrorString"}, missing) &&
      resolve(library, d.cuDeviceGetCount, {"cuDeviceGetCount"}, missing) &&
      resolve(library, d.cuDeviceGet, {"cuDeviceGet"}, missing) &&
      resolve(library, d.cuDeviceGetName, {"cuDeviceGetName"}, missing) &&
      resolve(library, d.cuDeviceGetAttribute, {"cuDeviceGetAttribute"},
              missing) &&
      resolve(library, d.cuDeviceTotalMem,
              {"cuDeviceTotalMem_v2", "cuDeviceTotalMem"}, missing) &&
      resolve(library, d.cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"},
              missing) &&
      resolve(library, d.cuDevicePrimaryCtxRelease,
              {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"},
              missing) &&
      resolve(library, d.cuDevicePrimaryCtxReset,
              {"cuDevicePrimaryCtxReset_v2", "cuDevicePrimaryCtxReset"},
              missing) &&
      resolve(library, d.cuCtxSetCurrent, {"cuCtxSetCurrent"}, missing) &&
      resolve(library, d.cuCtxGetStreamPriorityRange,
              {"cuCtxGetStreamPriorityRange"}, missing) &&
      resolve(library, d.cuCtxGetLimit, {"cuCtxGetLimit"}, missing) &&
      resolve(library, d.cuCtxSetLimit, {"cuCtxSetLimit"}, missing) &&
      resolve(library, d.cuMemGetInfo, {"cuMemGetInfo_v2", "cuMemGetInfo"},
              missing) &&
      resolve(library, d.cuMemAlloc, {"cuMemAlloc_v2"}, missing) &&
      resolve(library, d.cuMemFree, {"cuMemFree_v2"}, missing) &&
      resolve(library, d.cuMemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"},
              missing) &&
      resolve(library, d.cuMemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"},
              missing) &&
      resolve(library, d.cuMemcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"},
              missing) &&
      resolve(library, d.cuMemsetD8Async, {"cuMemsetD8Async"}, missing) &&
      resolve(library, d.cuModuleLoadDataEx, {"cuModuleLoadDataEx"}, missing) &&
      resolve(library, d.cuModuleUnload, {"cuModuleUnload"}, missing) &&
      resolve(library, d.cuModuleGetFunction, {"cuModuleGetFunction"},
              missing) &&
      resolve(library, d.cuModuleGetGlobal, {"cuModuleGetGlobal_v2"},
              missing) &&
      resolve(library, d.cuFuncGetAttribute, {"cuFuncGetAttribute"}, missing) &&
      resolve(library, d.cuFuncSetAttribute, {"cuFuncSetAttribute"}, missing) &&
      resolve(library, d.cuLaunchKernel, {"cuLaunchKernel"}, missing) &&
      resolve(library, d.cuStreamCreateWithPriority,
              {"cuStreamCreateWithPriority"}, missing) &&
      resolve(library, d.cuStreamDestroy,
              {"cuStreamDestroy_v2", "cuStreamDestroy"}, missing) &&
      resolve(library, d.cuStreamSynchronize, {"cuStreamSynchronize"},
              missing) &&
      resolve(library, d.cuStreamQuery, {"cuStreamQuery"}, missing) &&
      resolve(library, d.cuStreamWaitEvent, {"cuStreamWaitEvent"}, missing) &&
      resolve(library, d.cuLaunchHostFunc, {"cuLaunchHostFunc"}, missing) &&
      resolve(library, d.cuEventCreate, {"cuEventCreate"}, missing) &&
      resolve(library, d.cuEventDestroy,
              {"cuEventDestroy_v2", "cuEventDestroy"}, missing) &&
      resolve(library, d.cuEventRecord, {"cuEventRecord"}, missing) &&
      resolve(library, d.cuEventQuery, {"cuEventQuery"}, missing) &&
      resolve(library, d.cuEventSynchronize, {"cuEventSynchronize"}, missing) &&
      resolve(library, d.cuEventElapsedTime,
              {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, missing);
  if (!all) {
    result.error = std::string("the NVIDIA driver (") + path + ") lacks " +
                   missing +
                   ": it is too old; install a driver for CUDA 12 or newer";
    return result;
  }
  // Address fencing's arena; a driver without these runs unfenced only.
  std::string optional;
  resolve(library, d.cuMemGetAllocationGranularity,
          {"cuMemGetAllocationGranularity"}, optional);
  resolve(library, d.cuMemAddressReserve, {"cuMemAddressReserve"}, optional);
  resolve(library, d.cuMemAddressFree, {"cuMemAddressFree"}, optional);
  resolve(library, d.cuMemCreate, {"cuMemCreate"}, optional);
  resolve(library, d.cuMemRelease, {"cuMemRelease"}, optional);
  resolve(library, d.cuMemMap, {"cuMemMap"}, optional);
  resolve(library, d.cuMemUnmap, {"cuMemUnmap"}, optional);
  resolve(library, d.cuMemSetAccess, {"cuMemSetAccess"}, optional);
  // SM partitions for best-effort sessions; without them, priorities only.
  resolve(library, d.cuDeviceGetDevResource, {"cuDeviceGetDevResource"},
          optional);
  resolve(library, d.cuDevSmResourceSplitByCount,
          {"cuDevSmResourceSplitByCount"}, optional);
  resolve(library, d.cuDevResourceGenerateDesc, {"cuDevResourceGenerateDesc"},
          optional);
  resolve(library, d.cuGreenCtxCreate, {"cuGreenCtxCreate"}, optional);
  resolve(library, d.cuGreenCtxDestroy, {"cuGreenCtxDestroy"}, optional);
  resolve(library, d.cuGreenCtxStreamCreate, {"cuGreenCtxStreamCreate"},
          optional);
  if (CUresult rc = d.cuInit(0); rc != CUDA_SUCCESS) {
    result.error = "cuInit failed: " + d.describe(rc);
    return result;
  }
  result.ok = true;
  return result;
}
} // namespace

bool CudaDriver::hasVirtualMemory() const {
  return cuMemGetAllocationGranularity && cuMemAddressReserve &&
         cuMemAddressFree && cuMemCreate && cuMemRelease && cuMemMap &&
         cuMemUnmap && cuMemSetAccess;
}

bool CudaDriver::hasGreenContexts() const {
  return cuDeviceGetDevResource && cuDevSmResourceSplitByCount &&
         cuDevResourceGenerateDesc && cuGreenCtxCreate && cuGreenCtxDestroy &&
         cuGreenCtxStreamCreate;
}

const CudaDriver *CudaDriver::get(std::string &why) {
  static Loaded loaded = load();
  if (!loaded.ok) {
    why = loaded.error;
    return nullptr;
  }
  return &loaded.driver;
}

std::string CudaDriver::describe(CUresult result) const {
  const char *name = nullptr;
  const char *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    return "CUDA error " + std::to_string(result);
  std::string out = name;
  if (cuGetErrorString(result, &text) == CUDA_SUCCESS && text)
    out += std::string(" (") + text + ")";
  return out;
}

ErrorCode errorCodeFor(CUresult result) {
  switch (result) {
  case CUDA_SUCCESS:
    return ErrorCode::Success;
  case 1: // CUDA_ERROR_INVALID_VALUE
    return ErrorCode::InvalidValue;
  case 2: // CUDA_ERROR_OUT_OF_MEMORY
    return ErrorCode::OutOfMemory;
  case 3:   // CUDA_ERROR_NOT_INITIALIZED
  case 4:   // CUDA_ERROR_DEINITIALIZED
  case 35:  // CUDA_ERROR_INSUFFICIENT_DRIVER
  case 100: // CUDA_ERROR_NO_DEVICE
  case 101: // CUDA_ERROR_INVALID_DEVICE
    return ErrorCode::DeviceUnavailable;
  case 200: // CUDA_ERROR_INVALID_IMAGE
  case 209: // CUDA_ERROR_NO_BINARY_FOR_GPU
  case 218: // CUDA_ERROR_INVALID_PTX
  case 221: // CUDA_ERROR_JIT_COMPILER_NOT_FOUND
  case 222: // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
    return ErrorCode::CompileError;
  case 400: // CUDA_ERROR_INVALID_HANDLE
    return ErrorCode::InvalidHandle;
  case 500: // CUDA_ERROR_NOT_FOUND
    return ErrorCode::NotFound;
  case CUDA_ERROR_NOT_READY:
    return ErrorCode::NotReady;
  case 702: // CUDA_ERROR_LAUNCH_TIMEOUT
    return ErrorCode::LaunchTimeout;
  case 710: // CUDA_ERROR_ASSERT
    return ErrorCode::Assert;
  case 719: // CUDA_ERROR_LAUNCH_FAILED: what `trap` gives (the client's
            // cudaErrorLaunchFailure, as natively)
    return ErrorCode::Trap;
  case 700: // CUDA_ERROR_ILLEGAL_ADDRESS
  case 701: // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
  case 714: // CUDA_ERROR_HARDWARE_STACK_ERROR
  case 715: // CUDA_ERROR_ILLEGAL_INSTRUCTION
  case 716: // CUDA_ERROR_MISALIGNED_ADDRESS
  case 717: // CUDA_ERROR_INVALID_ADDRESS_SPACE
  case 718: // CUDA_ERROR_INVALID_PC
    return ErrorCode::LaunchFailure;
  case 801: // CUDA_ERROR_NOT_SUPPORTED
    return ErrorCode::NotSupported;
  default:
    return ErrorCode::Internal;
  }
}

Status CudaDriver::check(CUresult result, const std::string &what) const {
  if (result == CUDA_SUCCESS)
    return Status::ok();
  ErrorCode code = errorCodeFor(result);
  if (code == ErrorCode::NotReady)
    return Status::error(code, what + ": work still pending");
  return Status::error(code, what + " failed: " + describe(result));
}

} // namespace wooly::exec::cuda
