//===- CudaExecutor.cpp - NVIDIA GPUs through the CUDA driver API ---------===//

#include "runtime/exec/cuda/CudaExecutor.h"

#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "runtime/exec/common/Factories.h"
#include "runtime/exec/cuda/CudaDriver.h"
#include "runtime/exec/gpu/DriverDeviceApi.h"
#include "runtime/exec/gpu/GpuExecutor.h"
#include "runtime/exec/gpu/SmPartition.h"

#include "llvm/Support/Error.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>

namespace wooly::exec::cuda {

std::string smArchFor(unsigned major, unsigned minor) {
  unsigned cc = major * 10 + minor;
  // Newest supported architecture not above the device's (PTX is forward
  // compatible: the driver JIT-compiles older PTX for newer GPUs).
  static const unsigned known[] = {70, 72,  75,  80,  86,  87, 89,
                                   90, 100, 101, 103, 120, 121};
  unsigned pick = 70;
  for (unsigned k : known)
    if (k <= cc)
      pick = k;
  return "sm_" + std::to_string(pick);
}

namespace {

using gpu::DriverEvent;
using gpu::DriverFunction;
using gpu::DriverModule;
using gpu::DriverStream;

/// DeviceApi over the driver, with the device's primary context made
/// current on the calling thread for every call.
class CudaDeviceApi final : public gpu::DriverDeviceApi<CudaDriver> {
public:
  CudaDeviceApi(const CudaDriver &d, CUdevice device, CUcontext context)
      : DriverDeviceApi(d), device(device), context(context) {
    deviceMemory.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    deviceMemory.location = {CU_MEM_LOCATION_TYPE_DEVICE, device};
  }
  ~CudaDeviceApi() override {
    if (bestEffort)
      d.cuGreenCtxDestroy(bestEffort);
    if (retained)
      d.cuDevicePrimaryCtxRelease(device);
  }

  Status current() override {
    return d.check(d.cuCtxSetCurrent(context.load()), "cuCtxSetCurrent");
  }

  bool contextLost() override {
    // After a sticky fault every call in the context returns it, a cheap
    // one included.
    size_t free = 0, total = 0;
    if (!current())
      return true;
    CUresult rc = d.cuMemGetInfo(&free, &total);
    return rc != CUDA_SUCCESS && isSticky(rc);
  }

  Status resetContext() override {
    // DeviceEpochs calls this with no other call in flight.
    {
      std::lock_guard<std::mutex> lock(partitionMutex);
      if (bestEffort)
        d.cuGreenCtxDestroy(bestEffort);
      bestEffort = nullptr;
      partitionTried = false; // made again on first use
    }
    d.cuDevicePrimaryCtxRelease(device);
    retained = false;
    if (Status s = d.check(d.cuDevicePrimaryCtxReset(device),
                           "cuDevicePrimaryCtxReset");
        !s)
      return s;
    CUcontext fresh = nullptr;
    if (Status s = d.check(d.cuDevicePrimaryCtxRetain(&fresh, device),
                           "cuDevicePrimaryCtxRetain");
        !s)
      return s;
    context.store(fresh);
    retained = true;
    if (Status s = current(); !s)
      return s;
    // The new context must work: a first allocation says so.
    CUdeviceptr probe = 0;
    if (Status s = d.check(d.cuMemAlloc(&probe, 256), "cuMemAlloc"); !s)
      return s;
    d.cuMemFree(probe);
    return Status::ok();
  }

  Status memAlloc(uint64_t bytes, DevicePtr &out) override {
    return produce<CUdeviceptr>("cuMemAlloc", out, [&](CUdeviceptr *ptr) {
      return d.cuMemAlloc(ptr, bytes);
    });
  }
  Status memFree(DevicePtr ptr) override {
    return call("cuMemFree", [&] { return d.cuMemFree(ptr); });
  }
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream stream) override {
    return call("cuMemcpyHtoDAsync", [&] {
      return d.cuMemcpyHtoDAsync(dst, src, bytes, cu(stream));
    });
  }
  Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    return call("cuMemcpyDtoHAsync", [&] {
      return d.cuMemcpyDtoHAsync(dst, src, bytes, cu(stream));
    });
  }
  Status copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    return call("cuMemcpyDtoDAsync", [&] {
      return d.cuMemcpyDtoDAsync(dst, src, bytes, cu(stream));
    });
  }
  Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                  DriverStream stream) override {
    return call("cuMemsetD8Async", [&] {
      return d.cuMemsetD8Async(dst, value, bytes, cu(stream));
    });
  }

  Status moduleLoad(std::span<const uint8_t> image,
                    DriverModule &out) override {
    if (Status s = current(); !s)
      return s;
    // PTX must be NUL-terminated for the driver.
    std::string ptx(reinterpret_cast<const char *>(image.data()), image.size());
    char errorLog[8192] = {};
    int options[] = {CU_JIT_ERROR_LOG_BUFFER,
                     CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {errorLog, reinterpret_cast<void *>(sizeof errorLog - 1)};
    CUmodule module = nullptr;
    CUresult rc =
        d.cuModuleLoadDataEx(&module, ptx.c_str(), 2, options, values);
    if (rc != CUDA_SUCCESS) {
      Status s = d.check(rc, "cuModuleLoadDataEx");
      if (errorLog[0])
        s.message += std::string("\nptxas: ") + errorLog;
      return s;
    }
    out = module;
    return Status::ok();
  }
  Status moduleUnload(DriverModule module) override {
    return call("cuModuleUnload", [&] {
      return d.cuModuleUnload(static_cast<CUmodule>(module));
    });
  }
  Status moduleGetFunction(DriverModule module, const std::string &name,
                           DriverFunction &out) override {
    return produce<CUfunction>(
        "cuModuleGetFunction(" + name + ")", out, [&](CUfunction *fn) {
          return d.cuModuleGetFunction(fn, static_cast<CUmodule>(module),
                                       name.c_str());
        });
  }
  Status moduleGetGlobal(DriverModule module, const std::string &name,
                         DevicePtr &out, uint64_t &bytes) override {
    if (Status s = current(); !s)
      return s;
    CUdeviceptr ptr = 0;
    size_t size = 0;
    if (Status s = d.check(d.cuModuleGetGlobal(&ptr, &size,
                                               static_cast<CUmodule>(module),
                                               name.c_str()),
                           "cuModuleGetGlobal(" + name + ")");
        !s)
      return s;
    out = ptr;
    bytes = size;
    return Status::ok();
  }
  Status functionInfo(DriverFunction fn, KernelInfo &info) override {
    if (Status s = current(); !s)
      return s;
    auto *f = static_cast<CUfunction>(fn);
    int value = 0;
    if (d.cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_NUM_REGS, f) ==
        CUDA_SUCCESS)
      info.numRegs = static_cast<uint32_t>(value);
    if (d.cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                             f) == CUDA_SUCCESS)
      info.maxThreadsPerBlock =
          std::min(info.maxThreadsPerBlock, static_cast<uint32_t>(value));
    if (d.cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f) ==
        CUDA_SUCCESS)
      info.staticSharedBytes = static_cast<uint32_t>(value);
    if (d.cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, f) ==
        CUDA_SUCCESS)
      info.localBytesPerThread = static_cast<uint32_t>(value);
    return Status::ok();
  }
  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    auto *f = static_cast<CUfunction>(fn);
    // More than 48 KiB of dynamic shared memory must be opted into.
    if (config.dynamicSharedBytes > 48 * 1024)
      if (Status s =
              d.check(d.cuFuncSetAttribute(
                          f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                          static_cast<int>(config.dynamicSharedBytes)),
                      "cuFuncSetAttribute(max dynamic shared)");
          !s)
        return s;
    return d.check(d.cuLaunchKernel(
                       f, config.grid.x, config.grid.y, config.grid.z,
                       config.block.x, config.block.y, config.block.z,
                       config.dynamicSharedBytes, cu(stream), params, nullptr),
                   "cuLaunchKernel");
  }

  void priorityRange(int &least, int &greatest) override {
    least = greatest = 0;
    if (current())
      d.cuCtxGetStreamPriorityRange(&least, &greatest);
  }
  Status streamCreate(int priority, DriverStream &out) override {
    return produce<CUstream>("cuStreamCreateWithPriority", out,
                             [&](CUstream *stream) {
                               return d.cuStreamCreateWithPriority(
                                   stream, CU_STREAM_NON_BLOCKING, priority);
                             });
  }
  Status streamCreateBestEffort(int priority, DriverStream &out) override {
    CUgreenCtx green = nullptr;
    if (Status s = bestEffortPartition(green); !s)
      return s;
    return produce<CUstream>(
        "cuGreenCtxStreamCreate", out, [&](CUstream *stream) {
          return d.cuGreenCtxStreamCreate(stream, green, CU_STREAM_NON_BLOCKING,
                                          priority);
        });
  }
  Status streamDestroy(DriverStream stream) override {
    return call("cuStreamDestroy",
                [&] { return d.cuStreamDestroy(cu(stream)); });
  }
  Status streamSynchronize(DriverStream stream) override {
    return call("the stream",
                [&] { return d.cuStreamSynchronize(cu(stream)); });
  }
  Status streamQuery(DriverStream stream) override {
    return call("the stream", [&] { return d.cuStreamQuery(cu(stream)); });
  }
  Status streamWaitEvent(DriverStream stream, DriverEvent event) override {
    return call("cuStreamWaitEvent", [&] {
      return d.cuStreamWaitEvent(cu(stream), static_cast<CUevent>(event), 0);
    });
  }
  Status hostFunction(DriverStream stream, gpu::HostCallback fn,
                      void *data) override {
    return call("cuLaunchHostFunc",
                [&] { return d.cuLaunchHostFunc(cu(stream), fn, data); });
  }

  Status eventCreate(DriverEvent &out) override {
    return produce<CUevent>("cuEventCreate", out, [&](CUevent *event) {
      return d.cuEventCreate(event, CU_EVENT_DEFAULT);
    });
  }
  Status eventDestroy(DriverEvent event) override {
    return call("cuEventDestroy",
                [&] { return d.cuEventDestroy(static_cast<CUevent>(event)); });
  }
  Status eventRecord(DriverEvent event, DriverStream stream) override {
    return call("cuEventRecord", [&] {
      return d.cuEventRecord(static_cast<CUevent>(event), cu(stream));
    });
  }
  Status eventQuery(DriverEvent event) override {
    return call("the event",
                [&] { return d.cuEventQuery(static_cast<CUevent>(event)); });
  }
  Status eventSynchronize(DriverEvent event) override {
    return call("the event", [&] {
      return d.cuEventSynchronize(static_cast<CUevent>(event));
    });
  }
  Status eventElapsed(DriverEvent start, DriverEvent end, float &ms) override {
    return call("cuEventElapsedTime", [&] {
      return d.cuEventElapsedTime(&ms, static_cast<CUevent>(start),
                                  static_cast<CUevent>(end));
    });
  }
  uint64_t mapGranularity() override {
    size_t granule = 0;
    if (!d.hasVirtualMemory() || !current() ||
        d.cuMemGetAllocationGranularity(&granule, &deviceMemory,
                                        CU_MEM_ALLOC_GRANULARITY_MINIMUM) !=
            CUDA_SUCCESS)
      return 0;
    return granule;
  }
  Status reserveRange(uint64_t bytes, uint64_t alignment,
                      DevicePtr &out) override {
    return produce<CUdeviceptr>(
        "cuMemAddressReserve", out, [&](CUdeviceptr *ptr) {
          return d.cuMemAddressReserve(ptr, bytes, alignment, 0, 0);
        });
  }
  Status freeRange(DevicePtr base, uint64_t bytes) override {
    return call("cuMemAddressFree",
                [&] { return d.cuMemAddressFree(base, bytes); });
  }
  Status createMemory(uint64_t bytes, gpu::MemoryHandle &out) override {
    CUmemGenericAllocationHandle handle = 0;
    if (Status s = call(
            "cuMemCreate",
            [&] { return d.cuMemCreate(&handle, bytes, &deviceMemory, 0); });
        !s)
      return s;
    out = handle;
    return Status::ok();
  }
  Status releaseMemory(gpu::MemoryHandle memory) override {
    return call("cuMemRelease", [&] { return d.cuMemRelease(memory); });
  }
  Status mapMemory(DevicePtr at, uint64_t bytes,
                   gpu::MemoryHandle memory) override {
    if (Status s = current(); !s)
      return s;
    if (Status s = d.check(d.cuMemMap(at, bytes, 0, memory, 0), "cuMemMap"); !s)
      return s;
    CUmemAccessDesc access{deviceMemory.location,
                           CU_MEM_ACCESS_FLAGS_PROT_READWRITE};
    return d.check(d.cuMemSetAccess(at, bytes, &access, 1), "cuMemSetAccess");
  }
  Status unmapMemory(DevicePtr at, uint64_t bytes) override {
    return call("cuMemUnmap", [&] { return d.cuMemUnmap(at, bytes); });
  }

  uint64_t memoryUsed() override {
    size_t free = 0, total = 0;
    if (!current() || d.cuMemGetInfo(&free, &total) != CUDA_SUCCESS)
      return 0;
    return total - free;
  }

  Status raiseStackSize(uint64_t bytes, uint64_t &now) override {
    return raiseLimit(
        "cuCtxGetLimit",
        [&](size_t *size) {
          return d.cuCtxGetLimit(size, CU_LIMIT_STACK_SIZE);
        },
        "cuCtxSetLimit",
        [&](size_t size) {
          return d.cuCtxSetLimit(CU_LIMIT_STACK_SIZE, size);
        },
        bytes, now);
  }

private:
  static CUstream cu(DriverStream stream) {
    return static_cast<CUstream>(stream);
  }
  /// The errors after which the context is unusable (cuda.h: "the process
  /// must be terminated and relaunched", or here: the context reset).
  static bool isSticky(CUresult rc) {
    return rc == 700 || rc == 710 || (rc >= 714 && rc <= 719) || rc == 999;
  }

  CUdevice device;
  std::atomic<CUcontext> context;
  bool retained = true; // the primary context, until a reset fails
  CUmemAllocationProp deviceMemory{}; // physical memory on this device

  /// The green context best-effort sessions' streams live in, made on first
  /// use; NotSupported (and priorities only) when it cannot be made.
  Status bestEffortPartition(CUgreenCtx &out) {
    std::lock_guard<std::mutex> lock(partitionMutex);
    if (!partitionTried) {
      partitionTried = true;
      partitionStatus = makePartition();
    }
    out = bestEffort;
    return partitionStatus;
  }

  /// Splits WOOLY_CUDA_BEST_EFFORT_SM_PERCENT of the SMs off into a green
  /// context (SmPartition.h); off when the variable is unset.
  Status makePartition() {
    auto unsupported = [](const std::string &why) {
      return Status::error(ErrorCode::NotSupported,
                           "no SM partition for best-effort work: " + why);
    };
    const char *env = std::getenv("WOOLY_CUDA_BEST_EFFORT_SM_PERCENT");
    if (!env || !*env)
      return unsupported("WOOLY_CUDA_BEST_EFFORT_SM_PERCENT is not set");
    auto percent = static_cast<uint32_t>(std::strtoul(env, nullptr, 10));
    if (!d.hasGreenContexts())
      return unsupported("the driver has no green contexts (CUDA 12.4+)");
    if (Status s = current(); !s)
      return unsupported(s.message);
    CUdevResource all{};
    if (Status s = d.check(
            d.cuDeviceGetDevResource(device, &all, CU_DEV_RESOURCE_TYPE_SM),
            "cuDeviceGetDevResource");
        !s)
      return unsupported(s.message);
    uint32_t count =
        gpu::bestEffortSmCount(all.sm.smCount, all.sm.minSmPartitionSize,
                               all.sm.smCoscheduledAlignment, percent);
    if (count == 0)
      return unsupported(std::to_string(percent) + "% of " +
                         std::to_string(all.sm.smCount) +
                         " SMs is no partition the device can split off");
    CUdevResource group{};
    unsigned groups = 1;
    if (Status s = d.check(d.cuDevSmResourceSplitByCount(&group, &groups, &all,
                                                         nullptr, 0, count),
                           "cuDevSmResourceSplitByCount");
        !s || groups < 1)
      return unsupported(s ? "the SMs could not be split" : s.message);
    CUdevResourceDesc desc = nullptr;
    if (Status s = d.check(d.cuDevResourceGenerateDesc(&desc, &group, 1),
                           "cuDevResourceGenerateDesc");
        !s)
      return unsupported(s.message);
    if (Status s = d.check(d.cuGreenCtxCreate(&bestEffort, desc, device,
                                              CU_GREEN_CTX_DEFAULT_STREAM),
                           "cuGreenCtxCreate");
        !s) {
      bestEffort = nullptr;
      return unsupported(s.message);
    }
    return Status::ok();
  }

  std::mutex partitionMutex;
  bool partitionTried = false;
  Status partitionStatus;
  CUgreenCtx bestEffort = nullptr;
};

} // namespace

Status createCudaExecutorFor(int ordinal, const ExecutorOptions &options,
                             std::unique_ptr<Executor> &out) {
  std::string why;
  const CudaDriver *d = CudaDriver::get(why);
  if (!d)
    return Status::error(ErrorCode::DeviceUnavailable, why);
  int count = 0;
  if (Status s = d->check(d->cuDeviceGetCount(&count), "cuDeviceGetCount"); !s)
    return Status::error(ErrorCode::DeviceUnavailable, s.message);
  if (ordinal < 0 || ordinal >= count)
    return Status::error(ErrorCode::DeviceUnavailable,
                         count == 0
                             ? std::string("no CUDA device is present")
                             : "no CUDA device " + std::to_string(ordinal) +
                                   " (" + std::to_string(count) + " present)");
  CUdevice device = 0;
  if (Status s = d->check(d->cuDeviceGet(&device, ordinal), "cuDeviceGet"); !s)
    return Status::error(ErrorCode::DeviceUnavailable, s.message);
  CUcontext context = nullptr;
  if (Status s = d->check(d->cuDevicePrimaryCtxRetain(&context, device),
                          "cuDevicePrimaryCtxRetain");
      !s)
    return Status::error(ErrorCode::DeviceUnavailable, s.message);
  auto api = std::make_unique<CudaDeviceApi>(*d, device, context);

  DeviceInfo info;
  char name[256] = {};
  d->cuDeviceGetName(name, sizeof name - 1, device);
  info.name = name;
  info.vendor = "nvidia";
  info.executor = "cuda";
  size_t total = 0;
  d->cuDeviceTotalMem(&total, device);
  info.totalMemory = total;
  auto attr = [&](int which, uint32_t fallback) {
    int value = 0;
    return d->cuDeviceGetAttribute(&value, which, device) == CUDA_SUCCESS
               ? static_cast<uint32_t>(value)
               : fallback;
  };
  info.computeUnits = attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0);
  info.maxThreadsPerBlock =
      attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024);
  info.maxBlockDim[0] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 1024);
  info.maxBlockDim[1] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 1024);
  info.maxBlockDim[2] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 64);
  info.maxGridDim[0] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 0x7fffffff);
  info.maxGridDim[1] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 65535);
  info.maxGridDim[2] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 65535);
  info.maxSharedPerBlock =
      attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, 48 * 1024);
  info.maxSharedPerBlockOptin =
      attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
           info.maxSharedPerBlock);
  info.clockRateKHz = attr(CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 0);
  info.computeCapabilityMajor =
      attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 7);
  info.computeCapabilityMinor =
      attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0);
  info.arch =
      smArchFor(info.computeCapabilityMajor, info.computeCapabilityMinor);
  info.warpSize = 32;
  std::string arch = info.arch;
  // With a launch timeout every module gets the fault polls, through which
  // the watchdog stops kernels (runtime/exec/gpu/LaunchWatchdog.h).
  bool pollEveryModule = options.launchTimeoutMs > 0;
  out = std::make_unique<gpu::GpuExecutor>(
      std::move(api), std::move(info), "nvptx",
      gpu::backendFor<nvptx::CodegenOptions>(
          arch,
          [](mlir::ModuleOp module, const nvptx::CodegenOptions &options) {
            return nvptx::compileToPTX(module, options);
          },
          /*terminate=*/true,
          [pollEveryModule](nvptx::CodegenOptions &codegen) {
            codegen.pollEveryModule = pollEveryModule;
          }),
      gpu::steadyClockNs, options.launchTimeoutMs);
  return Status::ok();
}

} // namespace wooly::exec::cuda

namespace wooly::exec {

Status createCudaExecutor(const ExecutorOptions &options,
                          std::unique_ptr<Executor> &out) {
  return cuda::createCudaExecutorFor(0, options, out);
}

} // namespace wooly::exec
