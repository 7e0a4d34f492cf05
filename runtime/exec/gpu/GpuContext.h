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
// With address fencing (the default, docs/address-fencing.md) all of a
// context's memory lies in one arena: a power-of-two range of device
// addresses, aligned to its size, reserved with the driver's virtual memory
// management. Allocations and each module's data segment are mapped into
// it; every granule not allocated is backed by one scratch granule of the
// context, so a fenced stray access lands on the session's own memory and
// never faults the shared device context.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_GPUCONTEXT_H
#define WOOLY_RUNTIME_EXEC_GPU_GPUCONTEXT_H

#include "runtime/exec/common/AllocationTable.h"
#include "runtime/exec/gpu/ArenaAllocator.h"
#include "runtime/exec/gpu/DeviceApi.h"
#include "runtime/exec/gpu/FaultRecord.h"
#include "runtime/exec/gpu/LaunchWatchdog.h"
#include "runtime/exec/gpu/LaunchTimer.h"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

namespace wooly::exec::gpu {

class GpuContext final : public Context, public WatchedSession {
public:
  /// Use `create`: the constructor leaves the context without a stream 0.
  GpuContext(DeviceApi &api, const DeviceInfo &device,
             const ContextOptions &options, ModuleCompiler compiler,
             GpuTelemetry *telemetry = nullptr,
             LaunchWatchdog *watchdog = nullptr);
  ~GpuContext() override;

  /// With `telemetry` (the executor's), every launch is timed with driver
  /// events (LaunchTimer) and stats() reports kernel time, queueing delays
  /// and pending launches; without it, launches only. With `watchdog` (and
  /// telemetry, which tells when kernels started), kernels running past its
  /// limit are stopped; every module's fault slot is then attached.
  static Status create(DeviceApi &api, const DeviceInfo &device,
                       const ContextOptions &options, ModuleCompiler compiler,
                       std::unique_ptr<Context> &out,
                       GpuTelemetry *telemetry = nullptr,
                       LaunchWatchdog *watchdog = nullptr);

  /// Stops the kernels that poll the fault record (NVIDIA modules that can
  /// fault, or every module under a launch timeout); others run on.
  void abandon() override;

  // WatchedSession
  std::optional<uint64_t> oldestRunningStart() override;
  bool stopOverdue(uint64_t limitMs) override;

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
  /// Raises the device's stack (shared by every session) to `bytes`, up to
  /// maxStackBytes().
  Status setStackSize(uint64_t bytes, uint64_t &granted) override;

  /// The most stack per thread a session may ask for:
  /// $WOOLY_GPU_MAX_STACK_BYTES, else kDefaultMaxStackBytes.
  static uint64_t maxStackBytes();
  static constexpr uint64_t kDefaultMaxStackBytes = 16 * 1024;

  /// Checks a launch configuration against the kernel and the device.
  static Status checkLaunch(const KernelInfo &kernel, const DeviceInfo &device,
                            const LaunchConfig &config,
                            std::span<const uint8_t> args);

private:
  struct Module {
    DriverModule handle = nullptr;
    std::map<std::string, KernelInfo> kernels;
    bool fenced = false;
    DevicePtr segment = 0; // the data segment in the arena (fenced only)
    std::map<std::string, std::pair<uint64_t, uint64_t>> symbols;
    bool prints = false; // writes printf records
    bool reportsFaults = false; // traps into the context's fault record
  };
  /// The fenced arena: where it is, what is allocated, what backs it.
  struct Arena {
    DevicePtr base = 0;
    ArenaAllocator layout;
    MemoryHandle scratch = 0; // backs every granule not allocated
    std::map<DevicePtr, MemoryHandle> mapped; // allocation -> its memory
    DevicePtr reservation = 0; // the reserved range holding [base, +size)
    uint64_t reservationBytes = 0;
  };
  struct Function {
    ModuleId module = 0;
    DriverFunction handle = nullptr;
    KernelInfo info;
  };

  /// Device printf (compiler/target/gpu/GpuPrintfABI.h): one buffer per
  /// context, outside its arena and quota, made when the first module that
  /// prints is loaded; each such module is told where it is and its tag
  /// (its ModuleId), which names its format table here.
  struct PrintfState {
    DevicePtr buffer = 0;
    std::unordered_map<ModuleId, std::vector<std::string>> formats;
    std::set<ModuleId> unloaded; // formats kept until their records drain
    /// A kernel that may print was launched since the last drain (else a
    /// synchronization does not read the buffer back).
    bool pending = false;
  };
  /// Bytes of the printf buffer, header included.
  static constexpr uint64_t kPrintfBufferBytes = 4u << 20;

  /// After a wait that succeeded: the fault a kernel of this context
  /// recorded (FaultRecord.h), else ok. Takes the lock.
  Status checkFaults();

  // Callers hold `mutex`.
  Status preparePrintf(ModuleId id, DriverModule handle,
                       std::vector<std::string> formats);
  Status createPrintfBuffer();

  // Device memory, in the arena when fenced; callers hold `mutex`.
  Status reserveArena();
  void releaseArena();
  Status deviceAlloc(uint64_t bytes, DevicePtr &out);
  Status deviceFree(DevicePtr ptr);
  Status backWithScratch(DevicePtr at, uint64_t bytes);
  Status allocateLocked(uint64_t bytes, DevicePtr &out);
  Status loadSegment(const DataSegmentImage &image, DevicePtr &out);

  /// Under the lock: finds the stream, returns early for 0 bytes, checks
  /// every (pointer, what) range of `bytes` against this context's
  /// allocations, then runs `work` on the stream.
  Status
  onCheckedRanges(StreamId stream, uint64_t bytes,
                  std::initializer_list<std::pair<DevicePtr, const char *>>
                      ranges,
                  const std::function<Status(DriverStream)> &work);
  /// Takes the lock for one lookup in a stream or event table.
  Status findUnlocked(const std::unordered_map<uint64_t, void *> &table,
                      const char *what, uint64_t id, void *&out) const;

  // Lookups; callers hold `mutex`.
  Status findStream(StreamId id, DriverStream &out) const;
  Status findEvent(EventId id, DriverEvent &out) const;
  int driverPriority(int requested) const;
  /// A driver stream for this context's class (SmPartition.h).
  Status newStream(int requested, DriverStream &out);

  DeviceApi &api;
  const DeviceInfo &device;
  ModuleCompiler compiler;
  mutable std::mutex mutex;
  RangeTable memory;
  uint64_t memoryLimit = 0; // bytes this context may hold at once
  bool fencing = false;
  std::optional<Arena> arena;   // when fencing
  std::set<DevicePtr> segments; // module data: freed by unloading only
  std::unordered_map<ModuleId, Module> modules;
  std::unordered_map<FunctionId, Function> functions;
  std::unordered_map<StreamId, DriverStream> streams;
  std::unordered_map<EventId, DriverEvent> events;
  uint64_t nextId = 1;
  uint32_t weight = 1;
  PriorityClass priority = PriorityClass::Normal;
  std::atomic<uint64_t> launches{0};
  std::unique_ptr<LaunchTimer> timer; // with the executor's telemetry
  PrintfState printfState;
  FaultRecord faultRecord;
  LaunchWatchdog *watchdog = nullptr;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_GPUCONTEXT_H
