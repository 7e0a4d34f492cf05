//===- DeviceApi.h - What a GPU driver must provide to the executor -*- C++
//-*-===//
//
// The CUDA and HIP executors share their per-client bookkeeping (GpuContext:
// allocation tables, handle tables, argument packing, validation). What
// differs is the driver underneath: this interface is that difference, one
// implementation over libcuda.so.1 and one over libamdhip64.so, both loaded
// with dlopen.
//
// Handles are the driver's opaque pointers; the GpuContext never lets a
// client name them directly.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_CUDA_DEVICEAPI_H
#define WOOLY_RUNTIME_EXEC_CUDA_DEVICEAPI_H

#include "runtime/exec/Executor.h"

#include <span>

namespace wooly::exec::gpu {

using DriverStream = void *;
using DriverEvent = void *;
using DriverModule = void *;
using DriverFunction = void *;
using HostCallback = void (*)(void *);

/// A module compiled for the device: the image the driver loads (PTX text
/// with its NUL, or an HSA code object) and what each kernel takes.
struct CompiledModule {
  std::vector<uint8_t> image;
  std::vector<KernelInfo> kernels;
};

/// Compiles a WIS module (bytecode or text) for the executor's device.
using ModuleCompiler =
    std::function<Status(std::span<const uint8_t> wis, CompiledModule &out)>;

/// Thread-safe: every call makes the device's context current itself.
class DeviceApi {
public:
  virtual ~DeviceApi();

  virtual Status memAlloc(uint64_t bytes, DevicePtr &out) = 0;
  virtual Status memFree(DevicePtr ptr) = 0;
  virtual Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                          DriverStream stream) = 0;
  virtual Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                          DriverStream stream) = 0;
  virtual Status copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                          DriverStream stream) = 0;
  virtual Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                          DriverStream stream) = 0;

  virtual Status moduleLoad(std::span<const uint8_t> image,
                            DriverModule &out) = 0;
  virtual Status moduleUnload(DriverModule module) = 0;
  virtual Status moduleGetFunction(DriverModule module, const std::string &name,
                                   DriverFunction &out) = 0;
  virtual Status moduleGetGlobal(DriverModule module, const std::string &name,
                                 DevicePtr &out, uint64_t &bytes) = 0;
  /// Fills what the driver knows of a loaded kernel (registers, limits).
  virtual Status functionInfo(DriverFunction fn, KernelInfo &info) = 0;
  /// `params` holds one pointer per kernel parameter, as cuLaunchKernel
  /// and hipModuleLaunchKernel take them.
  virtual Status launch(DriverFunction fn, const LaunchConfig &config,
                        void **params, DriverStream stream) = 0;

  /// The device's stream priorities: numerically lower is more urgent.
  virtual void priorityRange(int &least, int &greatest) = 0;
  virtual Status streamCreate(int priority, DriverStream &out) = 0;
  virtual Status streamDestroy(DriverStream stream) = 0;
  virtual Status streamSynchronize(DriverStream stream) = 0;
  virtual Status streamQuery(DriverStream stream) = 0;
  virtual Status streamWaitEvent(DriverStream stream, DriverEvent event) = 0;
  virtual Status hostFunction(DriverStream stream, HostCallback fn,
                              void *data) = 0;

  virtual Status eventCreate(DriverEvent &out) = 0;
  virtual Status eventDestroy(DriverEvent event) = 0;
  virtual Status eventRecord(DriverEvent event, DriverStream stream) = 0;
  virtual Status eventQuery(DriverEvent event) = 0;
  virtual Status eventSynchronize(DriverEvent event) = 0;
  virtual Status eventElapsed(DriverEvent start, DriverEvent end,
                              float &ms) = 0;

  /// Device memory in use by anyone (total minus free).
  virtual uint64_t memoryUsed() = 0;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_CUDA_DEVICEAPI_H
