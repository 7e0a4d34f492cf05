//===- Executor.h - The device executor API ---------------------*- C++ -*-===//
//
// One interface for every device Wooly can run kernels on (host CPU via ORC JIT,
// NVIDIA via the CUDA driver API, AMD via HIP). The daemon and the embedded
// default both talk to devices only through this header.
//
// Shape: an Executor owns one device context. Each client session gets its own
// Context (memory arena, modules, streams, events); nothing in one Context can
// name anything in another. All calls are thread-safe. Launches, copies on a
// stream and event records are asynchronous; their errors surface at the next
// synchronizing call on that stream (CUDA semantics).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_EXECUTOR_H
#define WOOLY_RUNTIME_EXEC_EXECUTOR_H

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace wooly::exec {

/// Error kinds that cross the executor boundary. They map 1:1 onto the
/// protocol's error codes and from there onto cudaError_t in the client shim.
enum class ErrorCode : uint32_t {
  Success = 0,
  InvalidValue,      // a bad argument (size, launch dimensions, flags)
  OutOfMemory,       // quota or device memory exhausted
  InvalidHandle,     // a module/function/stream/event not in this context
  InvalidAddress,    // a device pointer not inside one of this context's allocations
  CompileError,      // the WIS module failed verification or code generation
  NotFound,          // no such kernel or global symbol in a module
  LaunchFailure,     // a kernel faulted (out-of-bounds access, misaligned access)
  LaunchTimeout,     // the launch watchdog stopped a kernel
  Trap,              // the kernel executed `trap`
  NotReady,          // query: work still pending
  NotSupported,      // the device cannot do this
  DeviceUnavailable, // the driver is missing or failed
  Internal,
  Assert,            // a device-side assert failed (CUDA's cudaErrorAssert)
};

const char *errorCodeName(ErrorCode code);

/// Success, or an error code with a message that says what went wrong and,
/// where it helps, what to do.
struct Status {
  ErrorCode code = ErrorCode::Success;
  std::string message;

  static Status ok() { return {}; }
  static Status error(ErrorCode code, std::string message) {
    return {code, std::move(message)};
  }
  explicit operator bool() const { return code == ErrorCode::Success; }
  bool isOk() const { return code == ErrorCode::Success; }
};

/// A device address as the kernel sees it. 0 is never a valid allocation.
using DevicePtr = uint64_t;

struct DeviceInfo {
  std::string name;   // "AMD EPYC 7B13 (host)", "NVIDIA H100 80GB HBM3"
  std::string vendor; // "host", "nvidia", "amd"
  std::string arch;   // "x86_64", "sm_90", "gfx942"
  std::string executor; // "host", "cuda", "hip"
  uint64_t totalMemory = 0;
  uint32_t computeUnits = 0; // worker threads, SMs or CUs
  uint32_t warpSize = 32;    // always 32: the WIS abstract machine
  uint32_t maxThreadsPerBlock = 1024;
  uint32_t maxBlockDim[3] = {1024, 1024, 64};
  uint32_t maxGridDim[3] = {0x7fffffff, 65535, 65535};
  uint32_t maxSharedPerBlock = 48 * 1024;
  uint32_t maxSharedPerBlockOptin = 48 * 1024;
  uint32_t clockRateKHz = 0;
  uint32_t computeCapabilityMajor = 0; // reported to CUDA programs
  uint32_t computeCapabilityMinor = 0;
};

/// Where one kernel parameter sits in the packed argument buffer.
struct ParamInfo {
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t align = 1;
};

struct KernelInfo {
  std::string name;
  std::vector<ParamInfo> params;
  uint32_t argBufferSize = 0;
  uint32_t staticSharedBytes = 0;
  uint32_t localBytesPerThread = 0;
  uint32_t maxThreadsPerBlock = 1024; // from .maxntid/.reqntid, else the device limit
  uint32_t numRegs = 0;               // where the backend knows it
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  uint32_t dynamicSharedBytes = 0;
};

using ModuleId = uint64_t;
using FunctionId = uint64_t;
using StreamId = uint64_t; // 0 is the context's default (legacy) stream
using EventId = uint64_t;

/// Scheduling class of a context. The executor drains work from all contexts
/// by weighted fair share within a class; a higher class goes first.
enum class PriorityClass : uint32_t { BestEffort = 0, Normal = 1, LatencySensitive = 2 };

struct ContextOptions {
  uint64_t memoryLimit = 0;      // burstable limit in bytes; 0 = device memory
  uint64_t memoryGuaranteed = 0; // reserved at creation
  uint32_t weight = 1;
  PriorityClass priority = PriorityClass::Normal;
  bool addressFencing = true;    // sandbox global/generic accesses into the arena
};

struct MemoryUsage {
  uint64_t allocatedBytes = 0;
  uint64_t allocations = 0;
  uint64_t limitBytes = 0;
};

struct ContextStats {
  uint64_t launches = 0;
  uint64_t kernelNanoseconds = 0; // device time spent on this context's kernels
  uint64_t queueDelayP50Ns = 0;   // submit -> first block started
  uint64_t queueDelayP99Ns = 0;
  uint64_t pendingLaunches = 0;
};

/// One client's view of the device.
class Context {
public:
  virtual ~Context();

  // Memory. Every pointer argument is checked against this context's own
  // allocations (bounds included) before it is touched.
  virtual Status allocate(uint64_t bytes, DevicePtr &out) = 0;
  virtual Status free(DevicePtr ptr) = 0;
  virtual MemoryUsage memoryUsage() const = 0;
  /// The allocation containing `ptr`: its base and size.
  virtual Status lookup(DevicePtr ptr, DevicePtr &base, uint64_t &size) const = 0;

  // Modules. `wis` is a WIS module in MLIR bytecode (or text); it is verified,
  // compiled for this device (once per content hash) and loaded.
  virtual Status loadModule(std::span<const uint8_t> wis, ModuleId &out) = 0;
  virtual Status unloadModule(ModuleId module) = 0;
  virtual Status getFunction(ModuleId module, const std::string &name,
                             FunctionId &out, KernelInfo &info) = 0;
  virtual Status getGlobal(ModuleId module, const std::string &name,
                           DevicePtr &out, uint64_t &size) = 0;

  // Streams and events.
  virtual Status createStream(int priority, StreamId &out) = 0;
  virtual Status destroyStream(StreamId stream) = 0;
  virtual Status createEvent(EventId &out) = 0;
  virtual Status destroyEvent(EventId event) = 0;
  virtual Status recordEvent(EventId event, StreamId stream) = 0;
  virtual Status waitEvent(StreamId stream, EventId event) = 0;
  virtual Status queryEvent(EventId event) = 0; // Success or NotReady
  virtual Status synchronizeEvent(EventId event) = 0;
  /// Milliseconds between two recorded, completed events.
  virtual Status elapsedTime(EventId start, EventId end, float &ms) = 0;

  // Asynchronous work on a stream. Host pointers must stay valid until the
  // stream reaches the operation (the caller owns that guarantee).
  virtual Status launch(FunctionId fn, const LaunchConfig &config,
                        std::span<const uint8_t> args, StreamId stream) = 0;
  virtual Status copyToDevice(DevicePtr dst, const void *src, uint64_t bytes,
                              StreamId stream) = 0;
  virtual Status copyToHost(void *dst, DevicePtr src, uint64_t bytes,
                            StreamId stream) = 0;
  virtual Status copyOnDevice(DevicePtr dst, DevicePtr src, uint64_t bytes,
                              StreamId stream) = 0;
  virtual Status memset(DevicePtr dst, uint8_t value, uint64_t bytes,
                        StreamId stream) = 0;
  /// Runs `fn` on a host thread once all earlier work on `stream` is done.
  virtual Status enqueueHostFunction(StreamId stream, std::function<void()> fn) = 0;

  /// Waits for the stream (or every stream, for the whole context) and returns
  /// the first asynchronous error raised since the last synchronization.
  virtual Status synchronize(StreamId stream) = 0;
  virtual Status synchronizeAll() = 0;
  virtual Status queryStream(StreamId stream) = 0; // Success or NotReady

  // Scheduling, changeable while work runs.
  virtual void setShare(uint32_t weight, PriorityClass priority) = 0;
  virtual ContextStats stats() const = 0;

  /// Device-side printf output produced by this context's kernels since the
  /// last call (drained).
  virtual std::string takePrintfOutput() = 0;

  /// Gives this context's kernels at least `bytes` of stack per thread
  /// (cudaDeviceSetLimit(cudaLimitStackSize): recursion, large frames);
  /// `granted` is the size they now get. The default, the host executor's,
  /// accepts any size: its kernels run on the workers' own stacks.
  virtual Status setStackSize(uint64_t bytes, uint64_t &granted);

  /// The client is gone: stop this context's kernels now, running and
  /// queued (they fail; a synchronize waiting for them returns), so that
  /// neither a wait on the client's behalf nor the context's destruction
  /// waits for a kernel that may never end. Thread-safe; the context is to
  /// be destroyed next. Copies still run (they may read the caller's
  /// buffers). The default does nothing.
  virtual void abandon() {}
};

/// One device.
class Executor {
public:
  virtual ~Executor();
  virtual const DeviceInfo &info() const = 0;
  virtual Status createContext(const ContextOptions &options,
                               std::unique_ptr<Context> &out) = 0;
  /// Fraction of the time since the previous call the device was busy, in
  /// [0,1]; each call starts a new interval, so one caller samples it (the
  /// server, once per telemetry tick) and the others read that sample.
  virtual double busyFraction() = 0;
  virtual uint64_t memoryUsed() const = 0;
  /// Why this executor can no longer serve anyone, for good: a GPU context
  /// lost to a fault that only a new process clears (woolyd then restarts
  /// itself). Empty while it can serve.
  virtual std::string lost() const { return {}; }
  /// How best-effort work makes way for latency-sensitive work here, in a
  /// line for operators (woolyd says it at start and in --status); empty
  /// where there is nothing this process's privileges change.
  virtual std::string schedulingNote() const { return {}; }
};

struct ExecutorOptions {
  unsigned workerThreads = 0;         // host: 0 = one per core
  uint64_t launchTimeoutMs = 0;       // watchdog; 0 = none
  std::string cacheDir;               // compiled-kernel cache; "" = $WOOLY_CACHE_DIR or ~/.cache/wooly
  /// host: how best-effort blocks make way for latency-sensitive ones.
  /// Auto: where a thread may leave SCHED_IDLE again (root, or an
  /// RLIMIT_NICE that allows it), the workers run best-effort blocks under
  /// SCHED_IDLE and the OS preempts them; elsewhere best-effort work gets
  /// workers of its own that stay under SCHED_IDLE (IdleWorkers); where
  /// SCHED_IDLE is refused, best-effort blocks pause at their kernels' poll
  /// points. Pause: they pause in every case (measured worse where
  /// SCHED_IDLE works: bench/RESULTS.md, daemon, session 6). IdleWorkers:
  /// workers of their own even where the others could switch.
  enum class BestEffortYield { Auto, Pause, IdleWorkers };
  BestEffortYield bestEffortYield = BestEffortYield::Auto;
};

/// Creates the executor named `kind` ("host", "cuda", "hip"); "auto" picks the
/// first one whose device is present, falling back to host. Returns an error
/// status naming what was tried when none can start.
Status createExecutor(const std::string &kind, const ExecutorOptions &options,
                      std::unique_ptr<Executor> &out);

/// The executor kinds whose devices are present on this machine.
std::vector<std::string> availableExecutors();

} // namespace wooly::exec

#endif // WOOLY_RUNTIME_EXEC_EXECUTOR_H
