//===- GpuContext.h - One client's view of a GPU ----------------*- C++ -*-===//
//
// exec::Context over a DeviceApi (CUDA or HIP). Everything a client names
// (pointers, modules, functions, streams, events) goes through this
// context's own tables before the driver sees it, so one session can never
// name another's resources, and nothing a client sends reaches the driver
// unchecked.
//
// Each context owns its streams, including its default stream 0, which is a
// real driver stream (not the device's legacy NULL stream, which would
// serialize sessions against each other).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_CUDA_GPUCONTEXT_H
#define WOOLY_RUNTIME_EXEC_CUDA_GPUCONTEXT_H

#include "runtime/exec/common/AllocationTable.h"
#include "runtime/exec/cuda/DeviceApi.h"

#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

namespace wooly::exec::gpu {

class GpuContext final : public Context {
public:
  /// Use `create`: the constructor leaves the context without a stream 0.
  GpuContext(DeviceApi &api, const DeviceInfo &device,
             const ContextOptions &options, ModuleCompiler compiler);
  ~GpuContext() override;

  static Status create(DeviceApi &api, const DeviceInfo &device,
                       const ContextOptions &options, ModuleCompiler compiler,
                       std::unique_ptr<Context> &out);

  Status allocate(uint64_t bytes, DevicePtr &out) override;
  Status free(DevicePtr ptr) override;
  MemoryUsage memoryUsage() const override;
  Status lookup(DevicePtr ptr, DevicePtr &base, uint64_t &size) const override;

  Status loadModule(std::span<const uint8_t> wis, ModuleId &out) override;
  Status unloadModule(ModuleId module) override;
  Status getFunction(ModuleId module, const std::string &name, FunctionId &out,
                     KernelInfo &info) override;
  Status getGlobal(ModuleId module, const std::string &name, DevicePtr &out,
                   uint64_t &size) override;

  Status createStream(int priority, StreamId &out) override;
  Status destroyStream(StreamId stream) override;
  Status createEvent(EventId &out) override;
  Status destroyEvent(EventId event) override;
  Status recordEvent(EventId event, StreamId stream) override;
  Status waitEvent(StreamId stream, EventId event) override;
  Status queryEvent(EventId event) override;
  Status synchronizeEvent(EventId event) override;
  Status elapsedTime(EventId start, EventId end, float &ms) override;

  Status launch(FunctionId fn, const LaunchConfig &config,
                std::span<const uint8_t> args, StreamId stream) override;
  Status copyToDevice(DevicePtr dst, const void *src, uint64_t bytes,
                      StreamId stream) override;
  Status copyToHost(void *dst, DevicePtr src, uint64_t bytes,
                    StreamId stream) override;
  Status copyOnDevice(DevicePtr dst, DevicePtr src, uint64_t bytes,
                      StreamId stream) override;
  Status memset(DevicePtr dst, uint8_t value, uint64_t bytes,
                StreamId stream) override;
  Status enqueueHostFunction(StreamId stream,
                             std::function<void()> fn) override;

  Status synchronize(StreamId stream) override;
  Status synchronizeAll() override;
  Status queryStream(StreamId stream) override;

  void setShare(uint32_t weight, PriorityClass priority) override;
  ContextStats stats() const override;
  std::string takePrintfOutput() override;

  /// Checks a launch configuration against the kernel and the device.
  static Status checkLaunch(const KernelInfo &kernel, const DeviceInfo &device,
                            const LaunchConfig &config,
                            std::span<const uint8_t> args);

private:
  struct Module {
    DriverModule handle = nullptr;
    std::map<std::string, KernelInfo> kernels;
  };
  struct Function {
    ModuleId module = 0;
    DriverFunction handle = nullptr;
    KernelInfo info;
  };

  // Lookups; callers hold `mutex`.
  Status findStream(StreamId id, DriverStream &out) const;
  Status findEvent(EventId id, DriverEvent &out) const;
  int driverPriority(int requested) const;

  DeviceApi &api;
  const DeviceInfo &device;
  ModuleCompiler compiler;
  mutable std::mutex mutex;
  RangeTable memory;
  uint64_t memoryLimit = 0; // bytes this context may hold at once
  std::unordered_map<ModuleId, Module> modules;
  std::unordered_map<FunctionId, Function> functions;
  std::unordered_map<StreamId, DriverStream> streams;
  std::unordered_map<EventId, DriverEvent> events;
  uint64_t nextId = 1;
  uint32_t weight = 1;
  PriorityClass priority = PriorityClass::Normal;
  std::atomic<uint64_t> launches{0};
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_CUDA_GPUCONTEXT_H
