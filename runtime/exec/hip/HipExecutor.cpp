//===- HipExecutor.cpp - AMD GPUs through the HIP module API --------------===//

#include "runtime/exec/hip/HipExecutor.h"

#include "compiler/target/amdgpu/AMDGPUPipeline.h"
#include "runtime/exec/common/Factories.h"
#include "runtime/exec/gpu/DriverDeviceApi.h"
#include "runtime/exec/gpu/GpuExecutor.h"
#include "runtime/exec/hip/HipDriver.h"

#include "llvm/Support/Error.h"

#include <cstdio>

namespace wooly::exec::hip {

namespace {

using gpu::DriverEvent;
using gpu::DriverFunction;
using gpu::DriverModule;
using gpu::DriverStream;

/// DeviceApi over HIP; every call first selects the device on the calling
/// thread (HIP's current device is per thread).
class HipDeviceApi final : public gpu::DriverDeviceApi<HipDriver> {
public:
  HipDeviceApi(const HipDriver &d, int ordinal)
      : DriverDeviceApi(d), ordinal(ordinal) {
    deviceMemory.type = hipMemAllocationTypePinned;
    deviceMemory.location = {hipMemLocationTypeDevice, ordinal};
  }

  Status current() override {
    return d.check(d.hipSetDevice(ordinal), "hipSetDevice");
  }

  Status memAlloc(uint64_t bytes, DevicePtr &out) override {
    return produce<void *>("hipMalloc", out,
                           [&](void **ptr) { return d.hipMalloc(ptr, bytes); });
  }
  Status memFree(DevicePtr ptr) override {
    return call("hipFree", [&] { return d.hipFree(dev(ptr)); });
  }
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream stream) override {
    return call("hipMemcpyHtoDAsync", [&] {
      return d.hipMemcpyHtoDAsync(dev(dst), const_cast<void *>(src), bytes,
                                  hs(stream));
    });
  }
  Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    return call("hipMemcpyDtoHAsync", [&] {
      return d.hipMemcpyDtoHAsync(dst, dev(src), bytes, hs(stream));
    });
  }
  Status copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    return call("hipMemcpyDtoDAsync", [&] {
      return d.hipMemcpyDtoDAsync(dev(dst), dev(src), bytes, hs(stream));
    });
  }
  Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                  DriverStream stream) override {
    return call("hipMemsetD8Async", [&] {
      return d.hipMemsetD8Async(dev(dst), value, bytes, hs(stream));
    });
  }
  Status moduleLoad(std::span<const uint8_t> image,
                    DriverModule &out) override {
    return produce<hipModule_t>(
        "hipModuleLoadData", out, [&](hipModule_t *module) {
          return d.hipModuleLoadData(module, image.data());
        });
  }
  Status moduleUnload(DriverModule module) override {
    return call("hipModuleUnload", [&] {
      return d.hipModuleUnload(static_cast<hipModule_t>(module));
    });
  }
  Status moduleGetFunction(DriverModule module, const std::string &name,
                           DriverFunction &out) override {
    return produce<hipFunction_t>(
        "hipModuleGetFunction(" + name + ")", out, [&](hipFunction_t *fn) {
          return d.hipModuleGetFunction(fn, static_cast<hipModule_t>(module),
                                        name.c_str());
        });
  }
  Status moduleGetGlobal(DriverModule module, const std::string &name,
                         DevicePtr &out, uint64_t &bytes) override {
    if (Status s = current(); !s)
      return s;
    hipDeviceptr_t ptr = nullptr;
    size_t size = 0;
    if (Status s = d.check(
            d.hipModuleGetGlobal(&ptr, &size, static_cast<hipModule_t>(module),
                                 name.c_str()),
            "hipModuleGetGlobal(" + name + ")");
        !s)
      return s;
    out = reinterpret_cast<DevicePtr>(ptr);
    bytes = size;
    return Status::ok();
  }
  Status functionInfo(DriverFunction fn, KernelInfo &info) override {
    if (Status s = current(); !s)
      return s;
    auto *f = static_cast<hipFunction_t>(fn);
    int value = 0;
    if (d.hipFuncGetAttribute(&value, HIP_FUNC_ATTRIBUTE_NUM_REGS, f) ==
        hipSuccess)
      info.numRegs = static_cast<uint32_t>(value);
    if (d.hipFuncGetAttribute(&value, HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                              f) == hipSuccess &&
        value > 0)
      info.maxThreadsPerBlock =
          std::min(info.maxThreadsPerBlock, static_cast<uint32_t>(value));
    return Status::ok();
  }
  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override {
    return call("hipModuleLaunchKernel", [&] {
      return d.hipModuleLaunchKernel(
          static_cast<hipFunction_t>(fn), config.grid.x, config.grid.y,
          config.grid.z, config.block.x, config.block.y, config.block.z,
          config.dynamicSharedBytes, hs(stream), params, nullptr);
    });
  }
  void priorityRange(int &least, int &greatest) override {
    least = greatest = 0;
    if (current())
      d.hipDeviceGetStreamPriorityRange(&least, &greatest);
  }
  Status streamCreate(int priority, DriverStream &out) override {
    return produce<hipStream_t>("hipStreamCreateWithPriority", out,
                                [&](hipStream_t *stream) {
                                  return d.hipStreamCreateWithPriority(
                                      stream, hipStreamNonBlocking, priority);
                                });
  }
  Status streamDestroy(DriverStream stream) override {
    return call("hipStreamDestroy",
                [&] { return d.hipStreamDestroy(hs(stream)); });
  }
  Status streamSynchronize(DriverStream stream) override {
    return call("the stream",
                [&] { return d.hipStreamSynchronize(hs(stream)); });
  }
  Status streamQuery(DriverStream stream) override {
    return call("the stream", [&] { return d.hipStreamQuery(hs(stream)); });
  }
  Status streamWaitEvent(DriverStream stream, DriverEvent event) override {
    return call("hipStreamWaitEvent", [&] {
      return d.hipStreamWaitEvent(hs(stream), static_cast<hipEvent_t>(event),
                                  0);
    });
  }
  Status hostFunction(DriverStream stream, gpu::HostCallback fn,
                      void *data) override {
    return call("hipLaunchHostFunc",
                [&] { return d.hipLaunchHostFunc(hs(stream), fn, data); });
  }
  Status eventCreate(DriverEvent &out) override {
    return produce<hipEvent_t>("hipEventCreate", out, [&](hipEvent_t *event) {
      return d.hipEventCreate(event);
    });
  }
  Status eventDestroy(DriverEvent event) override {
    return call("hipEventDestroy", [&] {
      return d.hipEventDestroy(static_cast<hipEvent_t>(event));
    });
  }
  Status eventRecord(DriverEvent event, DriverStream stream) override {
    return call("hipEventRecord", [&] {
      return d.hipEventRecord(static_cast<hipEvent_t>(event), hs(stream));
    });
  }
  Status eventQuery(DriverEvent event) override {
    return call("the event", [&] {
      return d.hipEventQuery(static_cast<hipEvent_t>(event));
    });
  }
  Status eventSynchronize(DriverEvent event) override {
    return call("the event", [&] {
      return d.hipEventSynchronize(static_cast<hipEvent_t>(event));
    });
  }
  Status eventElapsed(DriverEvent start, DriverEvent end, float &ms) override {
    return call("hipEventElapsedTime", [&] {
      return d.hipEventElapsedTime(&ms, static_cast<hipEvent_t>(start),
                                   static_cast<hipEvent_t>(end));
    });
  }
  uint64_t mapGranularity() override {
    size_t granule = 0;
    if (!d.hasVirtualMemory() || !current() ||
        d.hipMemGetAllocationGranularity(&granule, &deviceMemory,
                                         hipMemAllocationGranularityMinimum) !=
            hipSuccess)
      return 0;
    return granule;
  }
  Status reserveRange(uint64_t bytes, uint64_t alignment,
                      DevicePtr &out) override {
    return produce<void *>("hipMemAddressReserve", out, [&](void **ptr) {
      return d.hipMemAddressReserve(ptr, bytes, alignment, nullptr, 0);
    });
  }
  Status freeRange(DevicePtr base, uint64_t bytes) override {
    return call("hipMemAddressFree",
                [&] { return d.hipMemAddressFree(dev(base), bytes); });
  }
  Status createMemory(uint64_t bytes, gpu::MemoryHandle &out) override {
    return produce<hipMemGenericAllocationHandle_t>(
        "hipMemCreate", out, [&](hipMemGenericAllocationHandle_t *handle) {
          return d.hipMemCreate(handle, bytes, &deviceMemory, 0);
        });
  }
  Status releaseMemory(gpu::MemoryHandle memory) override {
    return call("hipMemRelease",
                [&] { return d.hipMemRelease(handleOf(memory)); });
  }
  Status mapMemory(DevicePtr at, uint64_t bytes,
                   gpu::MemoryHandle memory) override {
    if (Status s = current(); !s)
      return s;
    if (Status s = d.check(d.hipMemMap(dev(at), bytes, 0, handleOf(memory), 0),
                           "hipMemMap");
        !s)
      return s;
    hipMemAccessDesc access{deviceMemory.location,
                            hipMemAccessFlagsProtReadWrite};
    return d.check(d.hipMemSetAccess(dev(at), bytes, &access, 1),
                   "hipMemSetAccess");
  }
  Status unmapMemory(DevicePtr at, uint64_t bytes) override {
    return call("hipMemUnmap", [&] { return d.hipMemUnmap(dev(at), bytes); });
  }

  uint64_t memoryUsed() override {
    size_t free = 0, total = 0;
    if (!current() || d.hipMemGetInfo(&free, &total) != hipSuccess)
      return 0;
    return total - free;
  }

  Status raiseStackSize(uint64_t bytes, uint64_t &now) override {
    return raiseLimit(
        "hipDeviceGetLimit",
        [&](size_t *size) {
          return d.hipDeviceGetLimit(size, hipLimitStackSize);
        },
        "hipDeviceSetLimit",
        [&](size_t size) {
          return d.hipDeviceSetLimit(hipLimitStackSize, size);
        },
        bytes, now);
  }

private:
  static hipStream_t hs(DriverStream stream) {
    return static_cast<hipStream_t>(stream);
  }
  static hipDeviceptr_t dev(DevicePtr ptr) {
    return reinterpret_cast<hipDeviceptr_t>(ptr);
  }
  static hipMemGenericAllocationHandle_t handleOf(gpu::MemoryHandle memory) {
    return reinterpret_cast<hipMemGenericAllocationHandle_t>(memory);
  }
  int ordinal;
  hipMemAllocationProp deviceMemory{}; // physical memory on this device
};

} // namespace

Status createHipExecutorFor(int ordinal, const ExecutorOptions &options,
                            std::unique_ptr<Executor> &out) {
  std::string why;
  const HipDriver *d = HipDriver::get(why);
  if (!d)
    return Status::error(ErrorCode::DeviceUnavailable, why);
  int count = 0;
  if (Status s = d->check(d->hipGetDeviceCount(&count), "hipGetDeviceCount");
      !s)
    return Status::error(ErrorCode::DeviceUnavailable, s.message);
  if (ordinal < 0 || ordinal >= count)
    return Status::error(ErrorCode::DeviceUnavailable,
                         count == 0
                             ? std::string("no AMD GPU is present")
                             : "no HIP device " + std::to_string(ordinal));
  DeviceInfo info;
  info.arch = gfxArchOfNode(ordinal, info.computeUnits);
  if (info.arch.empty())
    return Status::error(ErrorCode::DeviceUnavailable,
                         "cannot tell the processor of HIP device " +
                             std::to_string(ordinal) +
                             ": set WOOLY_HIP_ARCH (e.g. gfx942)");
  if (llvm::Error err = amdgpu::checkArchitecture(info.arch))
    return Status::error(ErrorCode::DeviceUnavailable,
                         llvm::toString(std::move(err)));
  auto api = std::make_unique<HipDeviceApi>(*d, ordinal);
  if (Status s = api->current(); !s)
    return Status::error(ErrorCode::DeviceUnavailable, s.message);
  char name[256] = {};
  d->hipDeviceGetName(name, sizeof name - 1, ordinal);
  info.name = name;
  info.vendor = "amd";
  info.executor = "hip";
  size_t total = 0;
  d->hipDeviceTotalMem(&total, ordinal);
  info.totalMemory = total;
  info.warpSize = 32; // the WIS warp, whatever the wave size
  info.maxThreadsPerBlock = 1024;
  info.maxBlockDim[0] = info.maxBlockDim[1] = info.maxBlockDim[2] = 1024;
  info.maxSharedPerBlock = info.maxSharedPerBlockOptin = 64 * 1024;
  // CUDA programs see a compute capability; report what the PTX corpus was
  // built for (sm_75), the features WIS guarantees.
  info.computeCapabilityMajor = 7;
  info.computeCapabilityMinor = 5;
  std::string arch = info.arch;
  if (options.launchTimeoutMs)
    std::fprintf(stderr,
                 "wooly: the hip executor cannot stop kernels yet (AMD code "
                 "has no fault polls); the launch timeout has no effect\n");
  out = std::make_unique<gpu::GpuExecutor>(
      std::move(api), std::move(info), "amdgpu",
      gpu::backendFor<amdgpu::CodegenOptions>(
          arch,
          [](mlir::ModuleOp module, const amdgpu::CodegenOptions &options) {
            return amdgpu::compileToCodeObject(module, options);
          }));
  return Status::ok();
}

} // namespace wooly::exec::hip

namespace wooly::exec {

Status createHipExecutor(const ExecutorOptions &options,
                         std::unique_ptr<Executor> &out) {
  return hip::createHipExecutorFor(0, options, out);
}

} // namespace wooly::exec
