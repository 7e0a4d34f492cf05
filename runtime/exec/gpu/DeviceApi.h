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
#ifndef WOOLY_RUNTIME_EXEC_GPU_DEVICEAPI_H
#define WOOLY_RUNTIME_EXEC_GPU_DEVICEAPI_H

#include "runtime/exec/Executor.h"

#include <map>
#include <span>

namespace wooly::exec::gpu {

using DriverStream = void *;
using DriverEvent = void *;
using DriverModule = void *;
using DriverFunction = void *;
using HostCallback = void (*)(void *);
using MemoryHandle = uint64_t; // physical device memory, before it is mapped

/// A fenced module's variables (wooly.data_segment): the executor allocates
/// `size` bytes in the session's arena per loaded module and copies `init`.
struct DataSegmentImage {
  uint64_t size = 0;
  uint64_t alignment = 1;
  std::string init; // initial bytes, zero where uninitialized
  std::map<std::string, std::pair<uint64_t, uint64_t>> symbols; // offset, bytes
};

/// A module compiled for the device: the image the driver loads (PTX text
/// with its NUL, or an HSA code object) and what each kernel takes.
struct CompiledModule {
  std::vector<uint8_t> image;
  /// Client-visible parameters only: a fenced kernel also takes the three
  /// hidden i64 parameters (arena_base, arena_mask, data_base) after them.
  std::vector<KernelInfo> kernels;
  bool fenced = false;
  DataSegmentImage segment; // fenced modules only
  /// The format of each printf record the module writes, by index
  /// (compiler/target/gpu/GpuPrintfABI.h); empty when it writes none.
  std::vector<std::string> printfFormats;
  /// Whether a kernel of the module can trap or fail an assert (on NVIDIA
  /// GPUs it then has a fault slot: runtime/exec/gpu/FaultRecord.h).
  bool canFault = false;
};

/// Compiles a WIS module (bytecode or text) for the executor's device,
/// address-fenced when `fence` is set.
using ModuleCompiler = std::function<Status(std::span<const uint8_t> wis,
                                            bool fence, CompiledModule &out)>;

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
  /// A stream whose kernels run only on the device's best-effort partition
  /// of its SMs (SmPartition.h); NotSupported where the driver cannot
  /// partition the device or partitioning is not turned on.
  virtual Status streamCreateBestEffort(int priority, DriverStream &out) {
    return Status::error(ErrorCode::NotSupported,
                         "no SM partition for best-effort work");
  }
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

  /// Virtual memory management, for address fencing's arena: a reserved
  /// range of device addresses into which physical memory is mapped.
  /// The granule of mappings; 0 when the driver cannot map memory into
  /// reserved ranges (then fencing is unavailable on this device).
  virtual uint64_t mapGranularity() = 0;
  /// Reserves `bytes` of device address space aligned to `alignment`.
  virtual Status reserveRange(uint64_t bytes, uint64_t alignment,
                              DevicePtr &out) = 0;
  virtual Status freeRange(DevicePtr base, uint64_t bytes) = 0;
  /// Physical device memory of `bytes` (a multiple of the granule).
  virtual Status createMemory(uint64_t bytes, MemoryHandle &out) = 0;
  virtual Status releaseMemory(MemoryHandle memory) = 0;
  /// Maps the first `bytes` of `memory` at `at`, readable and writable by
  /// the device.
  virtual Status mapMemory(DevicePtr at, uint64_t bytes,
                           MemoryHandle memory) = 0;
  virtual Status unmapMemory(DevicePtr at, uint64_t bytes) = 0;

  /// Device memory in use by anyone (total minus free).
  virtual uint64_t memoryUsed() = 0;

  /// The per-thread stack of kernels (CUDA's CU_LIMIT_STACK_SIZE, HIP's
  /// hipLimitStackSize), raised to at least `bytes` and never lowered: the
  /// device's context is shared, and other sessions' kernels may need the
  /// size it has. `now` is the size in effect afterwards.
  virtual Status raiseStackSize(uint64_t bytes, uint64_t &now) = 0;

  /// Whether the device's context was lost to a fatal fault in a kernel
  /// (CUDA's "sticky" errors: an illegal address, a trap, an assert): the
  /// driver then fails every call in it (DeviceEpochs.h).
  virtual bool contextLost() { return false; }
  /// Destroys the context with everything in it and makes a new one.
  virtual Status resetContext() {
    return Status::error(ErrorCode::NotSupported,
                         "this driver cannot reset its context");
  }
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_DEVICEAPI_H
