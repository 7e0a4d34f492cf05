//===- HipExecutor.cpp - AMD GPUs through the HIP module API --------------===//

#include "runtime/exec/hip/HipExecutor.h"

#include "compiler/target/amdgpu/AMDGPUPipeline.h"
#include "runtime/exec/common/Factories.h"
#include "runtime/exec/cuda/GpuContext.h"
#include "runtime/exec/cuda/GpuModuleCompiler.h"
#include "runtime/exec/hip/HipDriver.h"

#include "llvm/Support/Error.h"

namespace wooly::exec::hip {

namespace {

using gpu::DriverEvent;
using gpu::DriverFunction;
using gpu::DriverModule;
using gpu::DriverStream;

/// DeviceApi over HIP; every call first selects the device on the calling
/// thread (HIP's current device is per thread).
class HipDeviceApi final : public gpu::DeviceApi {
public:
  HipDeviceApi(const HipDriver &d, int ordinal) : d(d), ordinal(ordinal) {}

  Status current() { return d.check(d.hipSetDevice(ordinal), "hipSetDevice"); }

  Status memAlloc(uint64_t bytes, DevicePtr &out) override {
    if (Status s = current(); !s)
      return s;
    void *ptr = nullptr;
    if (Status s = d.check(d.hipMalloc(&ptr, bytes), "hipMalloc"); !s)
      return s;
    out = reinterpret_cast<DevicePtr>(ptr);
    return Status::ok();
  }
  Status memFree(DevicePtr ptr) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipFree(dev(ptr)), "hipFree");
  }
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipMemcpyHtoDAsync(dev(dst), const_cast<void *>(src),
                                        bytes, hs(stream)),
                   "hipMemcpyHtoDAsync");
  }
  Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipMemcpyDtoHAsync(dst, dev(src), bytes, hs(stream)),
                   "hipMemcpyDtoHAsync");
  }
  Status copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipMemcpyDtoDAsync(dev(dst), dev(src), bytes, hs(stream)),
                   "hipMemcpyDtoDAsync");
  }
  Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                  DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipMemsetD8Async(dev(dst), value, bytes, hs(stream)),
                   "hipMemsetD8Async");
  }
  Status moduleLoad(std::span<const uint8_t> image,
                    DriverModule &out) override {
    if (Status s = current(); !s)
      return s;
    hipModule_t module = nullptr;
    if (Status s = d.check(d.hipModuleLoadData(&module, image.data()),
                           "hipModuleLoadData");
        !s)
      return s;
    out = module;
    return Status::ok();
  }
  Status moduleUnload(DriverModule module) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipModuleUnload(static_cast<hipModule_t>(module)),
                   "hipModuleUnload");
  }
  Status moduleGetFunction(DriverModule module, const std::string &name,
                           DriverFunction &out) override {
    if (Status s = current(); !s)
      return s;
    hipFunction_t fn = nullptr;
    if (Status s =
            d.check(d.hipModuleGetFunction(
                        &fn, static_cast<hipModule_t>(module), name.c_str()),
                    "hipModuleGetFunction(" + name + ")");
        !s)
      return s;
    out = fn;
    return Status::ok();
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
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipModuleLaunchKernel(
                       static_cast<hipFunction_t>(fn), config.grid.x,
                       config.grid.y, config.grid.z, config.block.x,
                       config.block.y, config.block.z,
                       config.dynamicSharedBytes, hs(stream), params, nullptr),
                   "hipModuleLaunchKernel");
  }
  void priorityRange(int &least, int &greatest) override {
    least = greatest = 0;
    if (current())
      d.hipDeviceGetStreamPriorityRange(&least, &greatest);
  }
  Status streamCreate(int priority, DriverStream &out) override {
    if (Status s = current(); !s)
      return s;
    hipStream_t stream = nullptr;
    if (Status s = d.check(d.hipStreamCreateWithPriority(
                               &stream, hipStreamNonBlocking, priority),
                           "hipStreamCreateWithPriority");
        !s)
      return s;
    out = stream;
    return Status::ok();
  }
  Status streamDestroy(DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipStreamDestroy(hs(stream)), "hipStreamDestroy");
  }
  Status streamSynchronize(DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipStreamSynchronize(hs(stream)), "the stream");
  }
  Status streamQuery(DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipStreamQuery(hs(stream)), "the stream");
  }
  Status streamWaitEvent(DriverStream stream, DriverEvent event) override {
    if (Status s = current(); !s)
      return s;
    return d.check(
        d.hipStreamWaitEvent(hs(stream), static_cast<hipEvent_t>(event), 0),
        "hipStreamWaitEvent");
  }
  Status hostFunction(DriverStream stream, gpu::HostCallback fn,
                      void *data) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipLaunchHostFunc(hs(stream), fn, data),
                   "hipLaunchHostFunc");
  }
  Status eventCreate(DriverEvent &out) override {
    if (Status s = current(); !s)
      return s;
    hipEvent_t event = nullptr;
    if (Status s = d.check(d.hipEventCreate(&event), "hipEventCreate"); !s)
      return s;
    out = event;
    return Status::ok();
  }
  Status eventDestroy(DriverEvent event) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipEventDestroy(static_cast<hipEvent_t>(event)),
                   "hipEventDestroy");
  }
  Status eventRecord(DriverEvent event, DriverStream stream) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipEventRecord(static_cast<hipEvent_t>(event), hs(stream)),
                   "hipEventRecord");
  }
  Status eventQuery(DriverEvent event) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipEventQuery(static_cast<hipEvent_t>(event)),
                   "the event");
  }
  Status eventSynchronize(DriverEvent event) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipEventSynchronize(static_cast<hipEvent_t>(event)),
                   "the event");
  }
  Status eventElapsed(DriverEvent start, DriverEvent end, float &ms) override {
    if (Status s = current(); !s)
      return s;
    return d.check(d.hipEventElapsedTime(&ms, static_cast<hipEvent_t>(start),
                                         static_cast<hipEvent_t>(end)),
                   "hipEventElapsedTime");
  }
  uint64_t memoryUsed() override {
    size_t free = 0, total = 0;
    if (!current() || d.hipMemGetInfo(&free, &total) != hipSuccess)
      return 0;
    return total - free;
  }

private:
  static hipStream_t hs(DriverStream stream) {
    return static_cast<hipStream_t>(stream);
  }
  static hipDeviceptr_t dev(DevicePtr ptr) {
    return reinterpret_cast<hipDeviceptr_t>(ptr);
  }
  const HipDriver &d;
  int ordinal;
};

class HipExecutor final : public Executor {
public:
  HipExecutor(std::unique_ptr<HipDeviceApi> api, DeviceInfo info)
      : api(std::move(api)), device(std::move(info)),
        compiler("amdgpu:" + device.arch,
                 [arch = device.arch](mlir::ModuleOp module,
                                      std::vector<uint8_t> &image,
                                      std::string &error) {
                   amdgpu::CodegenOptions options;
                   options.arch = arch;
                   auto object = amdgpu::compileToCodeObject(module, options);
                   if (!object) {
                     error = llvm::toString(object.takeError());
                     return false;
                   }
                   image.assign(object->begin(), object->end());
                   return true;
                 }) {}

  const DeviceInfo &info() const override { return device; }
  Status createContext(const ContextOptions &options,
                       std::unique_ptr<Context> &out) override {
    return gpu::GpuContext::create(*api, device, options, compiler.asCallback(),
                                   out);
  }
  double busyFraction() override { return 0.0; }
  uint64_t memoryUsed() const override { return api->memoryUsed(); }

private:
  std::unique_ptr<HipDeviceApi> api;
  DeviceInfo device;
  gpu::GpuModuleCompiler compiler;
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
  out = std::make_unique<HipExecutor>(std::move(api), std::move(info));
  return Status::ok();
}

} // namespace wooly::exec::hip

namespace wooly::exec {

Status createHipExecutor(const ExecutorOptions &options,
                         std::unique_ptr<Executor> &out) {
  return hip::createHipExecutorFor(0, options, out);
}

} // namespace wooly::exec
