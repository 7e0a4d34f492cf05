//===- HostExecutorImpl.h - The host executor's shared internals -*- C++ -*-===//
//
// The worker pool and scheduler (HostExecutor.cpp) and a session's handles
// and queues (HostContext.cpp) share these types; nothing outside the host
// executor includes this file (HostExecutor.h is its interface).
//
// Locking: the executor's one `mutex` guards the state of every context
// (streams and their queues, virtual time, counters, allocation tables,
// modules, events) and the executor's own (active work, pauses); workers
// run blocks and callers compile modules without it.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTORIMPL_H
#define WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTORIMPL_H

#include "runtime/exec/Executor.h"
#include "runtime/exec/common/AllocationTable.h"
#include "runtime/exec/host/Arena.h"
#include "runtime/exec/host/HostExecutor.h"
#include "runtime/exec/host/DeviceRuntime.h"
#include "runtime/exec/host/ModuleCompiler.h"
#include "runtime/exec/host/Preemption.h"
#include "runtime/exec/host/WakeSignal.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace wooly::exec::host {

inline uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

struct Event {
  uint64_t recordGen = 0; // bumped by each record
  uint64_t doneGen = 0;   // the record that completed last
  uint64_t timeNs = 0;
};

struct Launch {
  std::shared_ptr<CompiledModule> module;
  const CompiledKernel *kernel = nullptr;
  std::vector<uint8_t> args;
  BlockJob job;
  LaunchState state;
  uint64_t total = 0, next = 0, running = 0;
  uint64_t submitNs = 0, startNs = 0, blockNs = 0, blocksDone = 0;
  uint64_t pausedNs = 0; // time its workers spent paused (not charged)
  /// Time with at least one of its blocks running (the watchdog's measure:
  /// a launch waiting for workers that other launches hold is not running),
  /// up to the start of the current such stretch, `activeSinceNs`.
  uint64_t activeNs = 0, activeSinceNs = 0;
  uint64_t activeAt(uint64_t now) const {
    return activeNs + (running ? now - activeSinceNs : 0);
  }
  std::unique_ptr<LaunchTrace> trace; // only while a trace hook is set

  bool cancelled() const {
    return state.cancel.load(std::memory_order_relaxed) & kCancelBit;
  }
};

enum class OpKind { Launch, ToDevice, ToHost, OnDevice, Memset, HostFn, Record, Wait };

struct Op {
  OpKind kind;
  std::shared_ptr<Launch> launch;
  void *host = nullptr;
  const void *hostSrc = nullptr;
  DevicePtr dst = 0, src = 0;
  uint64_t bytes = 0;
  uint8_t value = 0;
  std::function<void()> fn;
  std::shared_ptr<Event> event;
  uint64_t gen = 0;
  bool running = false;
};

class HostContext;

struct Stream {
  HostContext *context = nullptr;
  std::deque<std::shared_ptr<Op>> ops;
  Status error; // first asynchronous error since the last synchronization
};

struct Work {
  Stream *stream = nullptr;
  std::shared_ptr<Op> op;
  uint64_t first = 0, count = 0;
};

class HostExecutor;

struct LoadedModule {
  std::shared_ptr<CompiledModule> code;
  DevicePtr segment = 0;
};

class HostContext final : public Context {
public:
  HostContext(HostExecutor &executor, const ContextOptions &options);
  ~HostContext() override;
  Status init();

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
  Status enqueueHostFunction(StreamId stream, std::function<void()> fn) override;
  Status synchronize(StreamId stream) override;
  Status synchronizeAll() override;
  Status queryStream(StreamId stream) override;
  void setShare(uint32_t weight, PriorityClass priority) override;
  ContextStats stats() const override;
  std::string takePrintfOutput() override;
  void abandon() override;

  // Scheduler state, guarded by the executor's mutex.
  ContextOptions options;
  double virtualTime = 0;
  std::map<StreamId, std::unique_ptr<Stream>> streams;
  uint64_t launches = 0, kernelNs = 0, pending = 0;
  std::vector<uint64_t> queueDelays; // ring of recent submit->start delays
  size_t queueDelayNext = 0;
  std::string printfBuffer;
  std::mutex printfMutex;
  /// Signalled when work of this context completes. One per context: with
  /// one for the whole executor, every completion woke every waiting caller
  /// of every tenant, and those woken for nothing competed for the cores
  /// with the one that was done. Shared, so that a worker may signal it
  /// after releasing the executor's mutex while the context goes away.
  std::shared_ptr<WakeSignal> changedPtr = std::make_shared<WakeSignal>();
  WakeSignal &changed = *changedPtr;

private:
  Stream *findStream(StreamId id);
  Status enqueue(StreamId stream, std::shared_ptr<Op> op);
  bool idle() const;

  HostExecutor &executor;
  Arena arena;
  RangeTable allocations;
  std::set<DevicePtr> moduleSegments;
  std::map<ModuleId, LoadedModule> modules;
  std::map<FunctionId, std::pair<ModuleId, size_t>> functions;
  std::map<EventId, std::shared_ptr<Event>> events;
  uint64_t nextId = 1;
};

class HostExecutor final : public Executor {
public:
  explicit HostExecutor(const ExecutorOptions &options);
  ~HostExecutor() override;
  const DeviceInfo &info() const override { return device; }
  Status createContext(const ContextOptions &options,
                       std::unique_ptr<Context> &out) override;
  double busyFraction() override;
  uint64_t memoryUsed() const override { return used.load(); }
  std::string schedulingNote() const override;

  // Shared with HostContext.
  std::mutex mutex;
  WakeSignal workReady;
  /// Wakes the watchdog when the executor stops.
  std::condition_variable workDone;
  /// Wakes the urgent worker (see workerLoop); signalled wherever work may
  /// have become claimable.
  WakeSignal urgentReady;
  /// Wakes best-effort workers (idleWorkers); signalled wherever work may
  /// have become claimable, like workReady.
  WakeSignal backgroundReady;
  /// Which sleeping workers and callers to wake: decided under the mutex,
  /// done after releasing it. A thread woken onto this core may preempt
  /// this one at once, and a holder of the mutex preempted then stalls
  /// whoever needs it next; a SCHED_IDLE holder (a best-effort worker of
  /// its own) for as long as the core is busy (the urgent workers waited
  /// on the mutex up to 29 ms in a trace, 2026-11-26 session 6).
  struct Wakes {
    enum { None, One, All } workers = None; // workReady and backgroundReady
    bool urgent = false;
    std::shared_ptr<WakeSignal> waiters; // a finished op's callers
  };
  /// Work may have become claimable (mutex held).
  Wakes claimableWakes() {
    Wakes w;
    w.workers = Wakes::One;
    w.urgent = urgentWorkQueued();
    return w;
  }
  /// Delivers `w` (mutex not held).
  void deliver(const Wakes &w) {
    if (w.workers == Wakes::One) {
      workReady.notifyOne();
      if (idleWorkers)
        backgroundReady.notifyOne();
    } else if (w.workers == Wakes::All) {
      workReady.notifyAll();
      if (idleWorkers)
        backgroundReady.notifyAll();
    }
    if (w.urgent)
      urgentReady.notifyOne();
    if (w.waiters)
      w.waiters->notifyAll();
  }
  /// Whether a latency-sensitive context has work a worker could claim
  /// now. Urgent workers are woken only then: they used to be woken at
  /// every claim, and one woken for nothing that waits for a core (behind
  /// a best-effort block) does not take the next notification, which the
  /// urgent launch that came next then needed (bench/RESULTS.md, daemon,
  /// 2026-11-26).
  bool urgentWorkQueued() const {
    for (const HostContext *c : contexts) {
      if (c->options.priority != PriorityClass::LatencySensitive)
        continue;
      for (auto &[id, stream] : c->streams) {
        if (stream->ops.empty())
          continue;
        const Op &head = *stream->ops.front();
        if (head.kind == OpKind::Launch ? head.launch->next < head.launch->total
                                        : !head.running)
          return true;
      }
    }
    return false;
  }
  std::vector<HostContext *> contexts;
  ModuleCompiler compiler;
  std::atomic<uint64_t> used{0};
  ExecutorOptions options;
  DeviceInfo device;
  /// Best-effort workers paused at their kernels' poll points (see
  /// updatePauses).
  PauseControl pauses;
  /// Whether best-effort blocks run under SCHED_IDLE (BackgroundPolicy).
  bool backgroundPolicy = false;
  /// Whether best-effort work runs on workers of its own that stay under
  /// SCHED_IDLE ("wooly-b<i>"), and the other workers take none: where a
  /// thread may not leave SCHED_IDLE again (no root, no RLIMIT_NICE), so
  /// the workers that take every class cannot use it for best-effort
  /// blocks. Entering SCHED_IDLE needs no privilege.
  bool idleWorkers = false;
  /// Whether best-effort blocks pause at poll points for latency-sensitive
  /// work: only where the OS does not preempt them for it (no
  /// SCHED_IDLE), unless the options ask for pauses anyway.
  bool pausing = true;
  /// Returns whether it asked best-effort launches to yield.
  bool updatePauses();
  /// Called as latency-sensitive launches complete (setLaunchTraceHook).
  std::function<void(const LaunchTrace &)> traceHook;

private:
  enum class WorkerKind { Any, Urgent, Background };
  void workerLoop(unsigned index, WorkerKind kind);
  void tracePick(LaunchTrace &trace, unsigned index, bool urgent);
  void watchdogLoop();
  /// Claims work of a context whose class is within [minimum, maximum].
  bool pick(Work &work, PriorityClass minimum, PriorityClass maximum);
  bool claimFrom(Stream &stream, Work &work);
  /// Returns whom to wake once the mutex is released (nobody when nothing
  /// completed).
  Wakes finish(const Work &work, uint64_t elapsedNs);
  /// Settles a launch none of whose blocks runs or will run (its stream's
  /// error, the context's pending count, its trace); the caller pops it.
  void completeLaunch(Stream &stream, Launch &launch);
  void execute(const Work &work, BlockRunner &runner);

  std::vector<std::thread> workers;
  unsigned cores = 1; // workers that take any class (one per core)
  /// What each worker runs now (null: idle); guarded by `mutex`.
  std::vector<const Work *> active;
  /// Whether each worker may pause now (read by its polls).
  std::unique_ptr<std::atomic<bool>[]> pausable;
  std::thread watchdog;
  bool stopping = false;
  std::atomic<uint64_t> busyNs{0};
  uint64_t lastBusyNs = 0, lastSampleNs = 0;
};

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_HOSTEXECUTORIMPL_H
