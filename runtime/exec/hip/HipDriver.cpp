//===- HipDriver.cpp - The HIP runtime API, loaded at run time ------------===//

#include "runtime/exec/hip/HipDriver.h"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wooly::exec::hip {

namespace {
template <typename Fn>
bool resolve(void *library, Fn &slot, const char *name, std::string &missing) {
  if (void *symbol = dlsym(library, name)) {
    slot = reinterpret_cast<Fn>(symbol);
    return true;
  }
  missing = name;
  return false;
}

struct Loaded {
  HipDriver driver{};
  std::string error;
  bool ok = false;
};

Loaded load() {
  Loaded result;
  const char *override = std::getenv("WOOLY_LIBAMDHIP");
  std::vector<std::string> names;
  if (override && *override)
    names.push_back(override);
  else
    names = {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"};
  void *library = nullptr;
  std::string reasons;
  for (const std::string &name : names) {
    library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library)
      break;
    const char *reason = dlerror();
    reasons +=
        (reasons.empty() ? "" : "; ") + std::string(reason ? reason : name);
  }
  if (!library) {
    result.error = "cannot load the HIP runtime (" + reasons +
                   "); install ROCm's libamdhip64 to use the hip executor";
    return result;
  }
  HipDriver &d = result.driver;
  std::string missing;
  bool all =
      resolve(library, d.hipInit, "hipInit", missing) &&
      resolve(library, d.hipGetErrorName, "hipGetErrorName", missing) &&
      resolve(library, d.hipGetErrorString, "hipGetErrorString", missing) &&
      resolve(library, d.hipGetDeviceCount, "hipGetDeviceCount", missing) &&
      resolve(library, d.hipSetDevice, "hipSetDevice", missing) &&
      resolve(library, d.hipDeviceGetName, "hipDeviceGetName", missing) &&
      resolve(library, d.hipDeviceTotalMem, "hipDeviceTotalMem", missing) &&
      resolve(library, d.hipMemGetInfo, "hipMemGetInfo", missing) &&
      resolve(library, d.hipMalloc, "hipMalloc", missing) &&
      resolve(library, d.hipFree, "hipFree", missing) &&
      resolve(library, d.hipMemcpyHtoDAsync, "hipMemcpyHtoDAsync", missing) &&
      resolve(library, d.hipMemcpyDtoHAsync, "hipMemcpyDtoHAsync", missing) &&
      resolve(library, d.hipMemcpyDtoDAsync, "hipMemcpyDtoDAsync", missing) &&
      resolve(library, d.hipMemsetD8Async, "hipMemsetD8Async", missing) &&
      resolve(library, d.hipModuleLoadData, "hipModuleLoadData", missing) &&
      resolve(library, d.hipModuleUnload, "hipModuleUnload", missing) &&
      resolve(library, d.hipModuleGetFunction, "hipModuleGetFunction",
              missing) &&
      resolve(library, d.hipModuleGetGlobal, "hipModuleGetGlobal", missing) &&
      resolve(library, d.hipFuncGetAttribute, "hipFuncGetAttribute", missing) &&
      resolve(library, d.hipModuleLaunchKernel, "hipModuleLaunchKernel",
              missing) &&
      resolve(library, d.hipDeviceGetStreamPriorityRange,
              "hipDeviceGetStreamPriorityRange", missing) &&
      resolve(library, d.hipDeviceGetLimit, "hipDeviceGetLimit", missing) &&
      resolve(library, d.hipDeviceSetLimit, "hipDeviceSetLimit", missing) &&
      resolve(library, d.hipStreamCreateWithPriority,
              "hipStreamCreateWithPriority", missing) &&
      resolve(library, d.hipStreamDestroy, "hipStreamDestroy", missing) &&
      resolve(library, d.hipStreamSynchronize, "hipStreamSynchronize",
              missing) &&
      resolve(library, d.hipStreamQuery, "hipStreamQuery", missing) &&
      resolve(library, d.hipStreamWaitEvent, "hipStreamWaitEvent", missing) &&
      resolve(library, d.hipLaunchHostFunc, "hipLaunchHostFunc", missing) &&
      resolve(library, d.hipEventCreate, "hipEventCreate", missing) &&
      resolve(library, d.hipEventDestroy, "hipEventDestroy", missing) &&
      resolve(library, d.hipEventRecord, "hipEventRecord", missing) &&
      resolve(library, d.hipEventQuery, "hipEventQuery", missing) &&
      resolve(library, d.hipEventSynchronize, "hipEventSynchronize", missing) &&
      resolve(library, d.hipEventElapsedTime, "hipEventElapsedTime", missing);
  if (!all) {
    result.error =
        "the HIP runtime lacks " + missing + ": install ROCm 5.3 or newer";
    return result;
  }
  // Address fencing's arena; a runtime without these runs unfenced only.
  std::string optional;
  resolve(library, d.hipMemGetAllocationGranularity,
          "hipMemGetAllocationGranularity", optional);
  resolve(library, d.hipMemAddressReserve, "hipMemAddressReserve", optional);
  resolve(library, d.hipMemAddressFree, "hipMemAddressFree", optional);
  resolve(library, d.hipMemCreate, "hipMemCreate", optional);
  resolve(library, d.hipMemRelease, "hipMemRelease", optional);
  resolve(library, d.hipMemMap, "hipMemMap", optional);
  resolve(library, d.hipMemUnmap, "hipMemUnmap", optional);
  resolve(library, d.hipMemSetAccess, "hipMemSetAccess", optional);
  if (hipError_t rc = d.hipInit(0); rc != hipSuccess) {
    result.error = "hipInit failed: " + d.describe(rc);
    return result;
  }
  result.ok = true;
  return result;
}
} // namespace

bool HipDriver::hasVirtualMemory() const {
  return hipMemGetAllocationGranularity && hipMemAddressReserve &&
         hipMemAddressFree && hipMemCreate && hipMemRelease && hipMemMap &&
         hipMemUnmap && hipMemSetAccess;
}

const HipDriver *HipDriver::get(std::string &why) {
  static Loaded loaded = load();
  if (!loaded.ok) {
    why = loaded.error;
    return nullptr;
  }
  return &loaded.driver;
}

std::string HipDriver::describe(hipError_t result) const {
  const char *name = hipGetErrorName(result);
  const char *text = hipGetErrorString(result);
  std::string out = name ? name : "HIP error " + std::to_string(result);
  if (text)
    out += std::string(" (") + text + ")";
  return out;
}

ErrorCode errorCodeFor(hipError_t result) {
  switch (result) {
  case hipSuccess:
    return ErrorCode::Success;
  case 1:
    return ErrorCode::InvalidValue;
  case 2:
    return ErrorCode::OutOfMemory;
  case 3:
  case 35:
  case 100:
  case 101:
    return ErrorCode::DeviceUnavailable;
  case 200:
  case 209:
  case 218:
    return ErrorCode::CompileError;
  case 400:
    return ErrorCode::InvalidHandle;
  case 500:
    return ErrorCode::NotFound;
  case hipErrorNotReady:
    return ErrorCode::NotReady;
  case 702:
    return ErrorCode::LaunchTimeout;
  case 710: // hipErrorAssert
    return ErrorCode::Assert;
  case 700:
  case 701:
  case 719:
    return ErrorCode::LaunchFailure;
  case 801:
    return ErrorCode::NotSupported;
  default:
    return ErrorCode::Internal;
  }
}

Status HipDriver::check(hipError_t result, const std::string &what) const {
  if (result == hipSuccess)
    return Status::ok();
  ErrorCode code = errorCodeFor(result);
  if (code == ErrorCode::NotReady)
    return Status::error(code, what + ": work still pending");
  return Status::error(code, what + " failed: " + describe(result));
}

std::string gfxNameFromTargetVersion(unsigned version) {
  if (version == 0)
    return {};
  unsigned major = version / 10000, minor = (version / 100) % 100,
           stepping = version % 100;
  // The stepping is one hex digit in processor names (gfx90a: stepping 10).
  const char *hex = "0123456789abcdef";
  if (minor > 15 || stepping > 15)
    return {};
  return "gfx" + std::to_string(major) + hex[minor] + hex[stepping];
}

std::string gfxArchOfNode(int index, uint32_t &computeUnits) {
  computeUnits = 0;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path nodes("/sys/class/kfd/kfd/topology/nodes");
  std::vector<std::pair<int, std::pair<unsigned, uint32_t>>> gpus;
  for (const fs::directory_entry &entry : fs::directory_iterator(nodes, ec)) {
    std::ifstream in(entry.path() / "properties");
    std::string key;
    unsigned long long value = 0;
    unsigned version = 0;
    uint64_t simds = 0, simdsPerCu = 0;
    while (in >> key >> value) {
      if (key == "gfx_target_version")
        version = static_cast<unsigned>(value);
      else if (key == "simd_count")
        simds = value;
      else if (key == "simd_per_cu")
        simdsPerCu = value;
    }
    if (version == 0)
      continue; // a CPU node
    int id = std::atoi(entry.path().filename().c_str());
    gpus.push_back(
        {id,
         {version,
          simdsPerCu ? static_cast<uint32_t>(simds / simdsPerCu) : 0}});
  }
  std::sort(gpus.begin(), gpus.end());
  std::string arch;
  if (index >= 0 && static_cast<size_t>(index) < gpus.size()) {
    arch = gfxNameFromTargetVersion(gpus[index].second.first);
    computeUnits = gpus[index].second.second;
  }
  if (const char *env = std::getenv("WOOLY_HIP_ARCH"); env && *env)
    arch = env;
  return arch;
}

} // namespace wooly::exec::hip
