//===- HostExecutor.cpp - Kernels on this machine's CPU cores -------------===//

#include "runtime/exec/host/HostExecutor.h"
#include "compiler/target/common/RecoverableCodegen.h"
#include "runtime/exec/common/AllocationTable.h"
#include "runtime/exec/common/Factories.h"
#include "runtime/exec/host/Arena.h"
#include "runtime/exec/host/BackgroundPolicy.h"
#include "runtime/exec/host/DeviceRuntime.h"
#include "runtime/exec/host/ModuleCompiler.h"
#include "runtime/exec/host/Preemption.h"
#include "runtime/exec/host/WakeSignal.h"

#include "llvm/Demangle/Demangle.h"

#include <cerrno>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace wooly::exec::host {
namespace {

uint64_t nowNs() {
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

//===--- HostExecutor -----------------------------------------------------===//

std::string cpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos)
        return line.substr(colon + 2);
    }
  return "CPU";
}

HostExecutor::HostExecutor(const ExecutorOptions &opts)
    : compiler(opts.cacheDir), options(opts) {
  unsigned n = opts.workerThreads ? opts.workerThreads
                                  : std::max(1u, std::thread::hardware_concurrency());
  device.name = cpuName() + " (host)";
  device.vendor = "host";
  device.arch = "x86_64";
  device.executor = "host";
  device.totalMemory = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                       static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  device.computeUnits = n;
  cores = n;
  using Yield = ExecutorOptions::BestEffortYield;
  backgroundPolicy = BackgroundPolicy::usableHere();
  idleWorkers = (opts.bestEffortYield == Yield::IdleWorkers ||
                 (opts.bestEffortYield == Yield::Auto && !backgroundPolicy)) &&
                BackgroundPolicy::entryAllowed();
  if (idleWorkers)
    backgroundPolicy = false;
  pausing = opts.bestEffortYield == Yield::Pause ||
            (!backgroundPolicy && !idleWorkers);
  active.assign(3 * n, nullptr);
  pausable = std::make_unique<std::atomic<bool>[]>(3 * n);
  device.maxSharedPerBlockOptin = 99 * 1024;
  device.clockRateKHz = 1000000; // clock64 counts nanoseconds
  device.computeCapabilityMajor = 7;
  device.computeCapabilityMinor = 5;
  lastSampleNs = nowNs();
  // LLVM's crash recovery (used around code generation) installs its own
  // signal handlers the first time; let it do so now, then put the kernel
  // fault handler in front (it passes non-kernel faults on).
  wooly::runRecoverable([] {});
  ensureFaultHandlers();
  for (unsigned i = 0; i < n; ++i)
    workers.emplace_back([this, i] { workerLoop(i, WorkerKind::Any); });
  // As many workers again that only take latency-sensitive work: a worker
  // inside a best-effort block cannot take it until that block ends, so
  // without them a latency-sensitive launch would wait for it; the OS
  // preempts best-effort blocks for them (SCHED_IDLE), or best-effort
  // workers pause (updatePauses).
  for (unsigned i = 0; i < n; ++i)
    workers.emplace_back([this, i, n] { workerLoop(n + i, WorkerKind::Urgent); });
  if (idleWorkers)
    for (unsigned i = 0; i < n; ++i)
      workers.emplace_back(
          [this, i, n] { workerLoop(2 * n + i, WorkerKind::Background); });
  if (opts.launchTimeoutMs)
    watchdog = std::thread([this] { watchdogLoop(); });
}

HostExecutor::~HostExecutor() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    pauses.setWanted(0);
  }
  workReady.notifyAll();
  urgentReady.notifyAll();
  backgroundReady.notifyAll();
  workDone.notify_all();
  for (std::thread &t : workers)
    t.join();
  if (watchdog.joinable())
    watchdog.join();
}

Status HostExecutor::createContext(const ContextOptions &opts,
                                   std::unique_ptr<Context> &out) {
  auto context = std::make_unique<HostContext>(*this, opts);
  Status s = context->init();
  if (!s)
    return s;
  out = std::move(context);
  return Status::ok();
}

double HostExecutor::busyFraction() {
  uint64_t now = nowNs();
  uint64_t busy = busyNs.load();
  double span = double(now - lastSampleNs) * double(cores);
  double fraction = span > 0 ? double(busy - lastBusyNs) / span : 0;
  lastBusyNs = busy;
  lastSampleNs = now;
  return std::clamp(fraction, 0.0, 1.0);
}

bool HostExecutor::claimFrom(Stream &stream, Work &work) {
  while (!stream.ops.empty()) {
    std::shared_ptr<Op> &head = stream.ops.front();
    switch (head->kind) {
    case OpKind::Launch: {
      Launch &l = *head->launch;
      if (l.cancelled())
        l.next = l.total; // stop handing out blocks
      if (l.next >= l.total)
        return false;     // the rest is running
      // Claim enough blocks to amortise the lock (about 100 us of work),
      // few enough that other contexts get a turn soon.
      uint64_t perBlock = l.blocksDone ? l.blockNs / l.blocksDone : 0;
      uint64_t byTime = perBlock ? std::max<uint64_t>(1, 100000 / std::max<uint64_t>(perBlock, 1)) : 1;
      uint64_t byShare = std::max<uint64_t>(1, (l.total - l.next) / (cores * 4));
      uint64_t count = std::min({byTime, byShare, l.total - l.next});
      if (l.next == 0 && l.running == 0) {
        l.startNs = nowNs();
        HostContext *c = stream.context;
        uint64_t delay = l.startNs - l.submitNs;
        if (c->queueDelays.size() < 1024)
          c->queueDelays.push_back(delay);
        else
          c->queueDelays[c->queueDelayNext++ % 1024] = delay;
      }
      work = {&stream, head, l.next, count};
      l.next += count;
      l.running++;
      return true;
    }
    case OpKind::Record:
      head->event->doneGen = std::max(head->event->doneGen, head->gen);
      head->event->timeNs = nowNs();
      stream.ops.pop_front();
      stream.context->changed.notifyAll();
      continue;
    case OpKind::Wait:
      if (head->event->doneGen < head->gen)
        return false;
      stream.ops.pop_front();
      if (stream.ops.empty()) // a caller may wait for the stream to drain
        stream.context->changed.notifyAll();
      continue;
    default:
      if (head->running)
        return false;
      head->running = true;
      work = {&stream, head, 0, 0};
      return true;
    }
  }
  return false;
}

bool HostExecutor::pick(Work &work, PriorityClass minimum,
                        PriorityClass maximum) {
  std::vector<HostContext *> order;
  order.reserve(contexts.size());
  for (HostContext *c : contexts)
    if (c->options.priority >= minimum && c->options.priority <= maximum)
      order.push_back(c);
  std::sort(order.begin(), order.end(), [](HostContext *a, HostContext *b) {
    if (a->options.priority != b->options.priority)
      return a->options.priority > b->options.priority;
    return a->virtualTime < b->virtualTime;
  });
  for (HostContext *c : order)
    for (auto &[id, stream] : c->streams)
      if (claimFrom(*stream, work))
        return true;
  return false;
}

void HostExecutor::execute(const Work &work, BlockRunner &runner) {
  Op &op = *work.op;
  switch (op.kind) {
  case OpKind::Launch: {
    Launch &l = *op.launch;
    const Dim3 g = l.job.grid;
    for (uint64_t i = work.first; i < work.first + work.count; ++i) {
      if (l.cancelled())
        break;
      Dim3 id;
      id.x = static_cast<uint32_t>(i % g.x);
      id.y = static_cast<uint32_t>((i / g.x) % g.y);
      id.z = static_cast<uint32_t>(i / (uint64_t(g.x) * g.y));
      runner.run(l.job, id);
    }
    break;
  }
  case OpKind::ToDevice:
    std::memcpy(reinterpret_cast<void *>(op.dst), op.hostSrc, op.bytes);
    break;
  case OpKind::ToHost:
    std::memcpy(op.host, reinterpret_cast<const void *>(op.src), op.bytes);
    break;
  case OpKind::OnDevice:
    std::memmove(reinterpret_cast<void *>(op.dst),
                 reinterpret_cast<const void *>(op.src), op.bytes);
    break;
  case OpKind::Memset:
    std::memset(reinterpret_cast<void *>(op.dst), op.value, op.bytes);
    break;
  case OpKind::HostFn:
    if (op.fn)
      op.fn();
    break;
  default:
    break;
  }
}

HostExecutor::Wakes HostExecutor::finish(const Work &work, uint64_t elapsedNs) {
  Stream &stream = *work.stream;
  HostContext &c = *stream.context;
  Op &op = *work.op;
  if (op.kind == OpKind::Launch) {
    Launch &l = *op.launch;
    l.running--;
    l.blockNs += elapsedNs;
    l.blocksDone += work.count;
    c.kernelNs += elapsedNs;
    c.virtualTime += double(elapsedNs) / std::max<uint32_t>(1, c.options.weight);
    if (l.cancelled())
      l.next = l.total;
    if (l.next < l.total || l.running > 0)
      return {};
    Status s = l.state.status();
    if (!s && stream.error)
      stream.error = s;
    c.pending--;
    if (l.trace && traceHook) {
      l.trace->doneNs = nowNs();
      uint64_t pause = pauses.lastPauseNs();
      if (pause >= l.trace->submitNs)
        l.trace->pauseStartNs = pause;
      traceHook(*l.trace);
    }
  }
  stream.ops.pop_front();
  Wakes w;
  w.workers = Wakes::All; // the stream's next op may be claimable now
  w.urgent = urgentWorkQueued();
  w.waiters = c.changedPtr;
  return w;
}

namespace {
/// What a worker measures around one traced chunk (LaunchTrace).
class ChunkTrace {
public:
  void begin() {
    cpu = sched_getcpu();
    getrusage(RUSAGE_THREAD, &before);
  }
  void end() { getrusage(RUSAGE_THREAD, &after); }
  /// Under the executor's lock: chunks of one launch may run on several
  /// workers at once.
  void mergeInto(LaunchTrace &t, uint64_t startNs, uint64_t endNs) const {
    if (!t.startNs || startNs < t.startNs) {
      t.startNs = startNs;
      t.cpu = cpu;
    }
    t.endNs = std::max(t.endNs, endNs);
    t.chunks++;
    t.involuntarySwitches += uint64_t(after.ru_nivcsw - before.ru_nivcsw);
    t.voluntarySwitches += uint64_t(after.ru_nvcsw - before.ru_nvcsw);
  }

private:
  int cpu = -1;
  struct rusage before {}, after {};
};
} // namespace

/// Called with the lock held when a worker claims blocks of a traced launch.
void HostExecutor::tracePick(LaunchTrace &trace, unsigned index, bool urgent) {
  if (trace.pickNs)
    return;
  trace.pickNs = nowNs();
  trace.worker = index;
  trace.urgentWorker = urgent;
  trace.bestEffortPaused = pauses.paused();
  for (const Work *w : active)
    if (w && w->stream->context->options.priority == PriorityClass::BestEffort)
      trace.bestEffortRunning++;
}

void HostExecutor::workerLoop(unsigned index, WorkerKind kind) {
  // Named for `top -H`, perf and scheduler traces: "wooly-w<i>" take any
  // work (all but best-effort work where that has workers of its own),
  // "wooly-u<i>" only latency-sensitive work, "wooly-b<i>" only best-effort
  // work, under SCHED_IDLE for good.
  bool urgent = kind == WorkerKind::Urgent;
  const char *prefix = urgent ? "wooly-u"
                       : kind == WorkerKind::Background ? "wooly-b"
                                                        : "wooly-w";
  std::string name = prefix + std::to_string(index % cores);
  pthread_setname_np(pthread_self(), name.c_str());
  BlockRunner runner(index);
  BackgroundPolicy policy(backgroundPolicy);
  if (kind == WorkerKind::Background)
    BackgroundPolicy::enterForGood();
  PauseControl::bindWorker(&pauses, &pausable[index]);
  PriorityClass minimum = PriorityClass::BestEffort,
                maximum = PriorityClass::LatencySensitive;
  if (urgent)
    minimum = PriorityClass::LatencySensitive;
  else if (kind == WorkerKind::Background)
    maximum = PriorityClass::BestEffort;
  else if (idleWorkers)
    minimum = PriorityClass::Normal;
  WakeSignal &ready = urgent ? urgentReady
                      : kind == WorkerKind::Background ? backgroundReady
                                                       : workReady;
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    Work work;
    if (!pick(work, minimum, maximum)) {
      ready.wait(lock);
      continue;
    }
    // More claimable work may remain: let another worker look.
    Wakes claimable = claimableWakes();
    PriorityClass priority = work.stream->context->options.priority;
    active[index] = &work;
    updatePauses();
    LaunchTrace *trace =
        work.op->kind == OpKind::Launch ? work.op->launch->trace.get() : nullptr;
    if (trace)
      tracePick(*trace, index, urgent);
    lock.unlock();
    deliver(claimable);
    policy.forClass(priority);
    ChunkTrace chunk;
    if (trace)
      chunk.begin();
    uint64_t start = nowNs();
    execute(work, runner);
    // Time paused at poll points is neither busy time nor charged to the
    // context's fair share.
    uint64_t paused = PauseControl::takePausedNs();
    uint64_t end = nowNs();
    uint64_t elapsed = end - start;
    elapsed -= std::min(paused, elapsed);
    busyNs += elapsed;
    if (trace)
      chunk.end();
    // Back to full priority before taking the scheduler lock: a background
    // thread holding it would stall the urgent worker (priority inversion).
    policy.forClass(PriorityClass::Normal);
    lock.lock();
    active[index] = nullptr;
    if (trace)
      chunk.mergeInto(*trace, start, end);
    if (work.op->kind == OpKind::Launch)
      work.op->launch->pausedNs += paused;
    Wakes done = finish(work, elapsed);
    updatePauses();
    if (done.workers != Wakes::None || done.urgent || done.waiters) {
      // With the mutex free: a waiter woken under it blocked on it at
      // once, and this worker, preempted by the waiter it woke onto its
      // own core, could then sit runnable behind a best-effort block while
      // holding the mutex (seen in a scheduler trace: 1.4 ms).
      lock.unlock();
      deliver(done);
      lock.lock();
    }
  }
}

/// Decides how many best-effort workers should pause at their next poll
/// point, so that latency-sensitive blocks get a core at once instead of
/// sharing one with a long best-effort block until the OS moves it (nice 15
/// does not make the OS preempt a running thread's slice). Exactly as many
/// as the cores are oversubscribed: latency-sensitive blocks that want a
/// worker, plus whatever else runs, minus the cores; never more than the
/// pausable workers (those running best-effort launches, in any form: the
/// fiber scheduler ends a block only on the stop bit).
/// Only latency-sensitive work makes others pause: it has workers of its
/// own (urgent ones) to run on, while a paused worker could never take a
/// normal-class launch. Called with the lock held wherever that balance may
/// change.
bool HostExecutor::updatePauses() {
  uint64_t urgentWork = 0;
  for (HostContext *c : contexts) {
    if (c->options.priority != PriorityClass::LatencySensitive)
      continue;
    for (auto &[id, stream] : c->streams) {
      if (stream->ops.empty())
        continue;
      const Op &op = *stream->ops.front();
      if (op.kind == OpKind::Launch)
        urgentWork += (op.launch->total - std::min(op.launch->next, op.launch->total)) +
                      op.launch->running;
      else if (op.running)
        urgentWork += 1;
    }
  }
  int64_t canPause = 0, others = 0;
  bool withdrawn = false;
  for (size_t i = 0; i < active.size(); ++i) {
    const Work *w = active[i];
    bool may = false;
    if (w) {
      PriorityClass p = w->stream->context->options.priority;
      if (p == PriorityClass::BestEffort && w->op->kind == OpKind::Launch)
        may = true;
      else if (p != PriorityClass::LatencySensitive)
        ++others; // latency-sensitive work is in urgentWork
    }
    canPause += may;
    if (pausable[i].exchange(may, std::memory_order_acq_rel) && !may)
      withdrawn = true;
  }
  int64_t wanting = static_cast<int64_t>(
      std::min<uint64_t>(urgentWork, active.size()));
  int64_t want = pausing ? std::clamp<int64_t>(wanting + others + canPause - cores,
                                               0, canPause)
                         : 0;
  int32_t before = pauses.wanted();
  pauses.setWanted(static_cast<int32_t>(want)); // wakes when lowered
  if (withdrawn && want >= before)
    pauses.poke(); // a paused worker's work is no longer pausable
  if (want <= pauses.paused())
    return false;
  for (const Work *w : active)
    if (w && w->stream->context->options.priority == PriorityClass::BestEffort &&
        w->op->kind == OpKind::Launch)
      PauseControl::requestYield(w->op->launch->state.cancel);
  return true;
}

void HostExecutor::watchdogLoop() {
  uint64_t limitNs = options.launchTimeoutMs * 1000000ull;
  auto period = std::chrono::milliseconds(
      std::clamp<uint64_t>(options.launchTimeoutMs / 4, 1, 50));
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    workDone.wait_for(lock, period);
    uint64_t now = nowNs();
    for (HostContext *c : contexts)
      for (auto &[id, stream] : c->streams) {
        if (stream->ops.empty() || stream->ops.front()->kind != OpKind::Launch)
          continue;
        Launch &l = *stream->ops.front()->launch;
        // Time its workers spent paused for latency-sensitive work does
        // not count (only finished chunks' pauses are known here).
        if (l.startNs && now - l.startNs > limitNs + l.pausedNs) {
          l.state.fail(ErrorCode::LaunchTimeout,
                       "kernel '" + llvm::demangle(l.kernel->info.name) +
                           "' ran longer than the " +
                           std::to_string(options.launchTimeoutMs) +
                           " ms launch watchdog limit and was stopped "
                           "(an infinite loop?)");
          pauses.poke(); // a paused worker of it leaves now
        }
      }
  }
}

//===--- HostContext ------------------------------------------------------===//

HostContext::HostContext(HostExecutor &executor, const ContextOptions &opts)
    : options(opts), executor(executor) {}

Status HostContext::init() {
  uint64_t limit = options.memoryLimit ? options.memoryLimit
                                       : executor.device.totalMemory;
  // Address space is cheap: reserve twice the limit so fragmentation and
  // guard pages never make a within-quota allocation fail.
  // Fenced code may reach up to kArenaGuardBytes beyond either end of the
  // arena (and faults there): keep that address space reserved.
  Status s = arena.reserve(std::min<uint64_t>(limit * 2, 1ull << 40), limit,
                           options.addressFencing ? kArenaGuardBytes : 0);
  if (!s)
    return s;
  std::lock_guard<std::mutex> lock(executor.mutex);
  streams[0] = std::make_unique<Stream>();
  streams[0]->context = this;
  double start = 0;
  bool first = true;
  for (HostContext *c : executor.contexts) {
    start = first ? c->virtualTime : std::min(start, c->virtualTime);
    first = false;
  }
  virtualTime = start; // join the fair share without a backlog of credit
  executor.contexts.push_back(this);
  return Status::ok();
}

void HostContext::abandon() {
  std::lock_guard<std::mutex> lock(executor.mutex);
  for (auto &[id, stream] : streams)
    for (auto &op : stream->ops)
      if (op->kind == OpKind::Launch)
        op->launch->state.fail(ErrorCode::InvalidHandle, "context destroyed");
  executor.pauses.poke(); // paused workers of those launches leave now
  executor.workReady.notifyAll();
  executor.urgentReady.notifyAll();
  executor.backgroundReady.notifyAll();
}

HostContext::~HostContext() {
  abandon();
  std::unique_lock<std::mutex> lock(executor.mutex);
  changed.wait(lock, [&] { return idle(); });
  executor.contexts.erase(std::find(executor.contexts.begin(),
                                    executor.contexts.end(), this));
  executor.used -= arena.allocatedBytes();
}

bool HostContext::idle() const {
  for (auto &[id, stream] : streams)
    if (!stream->ops.empty())
      return false;
  return true;
}

Stream *HostContext::findStream(StreamId id) {
  auto it = streams.find(id);
  return it == streams.end() ? nullptr : it->second.get();
}

Status HostContext::enqueue(StreamId id, std::shared_ptr<Op> op) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle,
                         "stream " + std::to_string(id) + " is not a stream of this context");
  if (op->kind == OpKind::Launch) {
    op->launch->submitNs = nowNs();
    launches++;
    pending++;
  }
  bool urgent = op->kind == OpKind::Launch &&
                options.priority == PriorityClass::LatencySensitive;
  LaunchTrace *trace = nullptr;
  if (urgent && executor.traceHook) {
    op->launch->trace = std::make_unique<LaunchTrace>();
    trace = op->launch->trace.get();
    trace->submitNs = op->launch->submitNs;
  }
  stream->ops.push_back(std::move(op));
  if (urgent && executor.updatePauses() && trace)
    trace->yieldNs = nowNs();
  HostExecutor::Wakes wakes = executor.claimableWakes();
  lock.unlock();
  executor.deliver(wakes);
  return Status::ok();
}

Status HostContext::allocate(uint64_t bytes, DevicePtr &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  Status s = arena.allocate(bytes, out);
  if (!s)
    return s;
  allocations.insert(out, bytes);
  executor.used += ((bytes + 4095) & ~uint64_t(4095));
  return Status::ok();
}

Status HostContext::free(DevicePtr ptr) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  if (moduleSegments.count(ptr))
    return Status::error(ErrorCode::InvalidAddress,
                         "that address belongs to a loaded module's variables");
  DevicePtr base;
  uint64_t size;
  if (Status s = allocations.lookup(ptr, base, size); !s || base != ptr)
    return Status::error(ErrorCode::InvalidAddress,
                         "free of an address that is not the start of an "
                         "allocation of this context");
  // Like cudaFree: work that may still use the memory finishes first.
  changed.wait(lock, [&] { return idle(); });
  allocations.erase(ptr, size);
  uint64_t committed;
  Status s = arena.release(ptr, committed);
  executor.used -= committed;
  return s;
}

MemoryUsage HostContext::memoryUsage() const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return {allocations.totalBytes(), allocations.count(), arena.limitBytes()};
}

Status HostContext::lookup(DevicePtr ptr, DevicePtr &base, uint64_t &size) const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return allocations.lookup(ptr, base, size);
}

Status HostContext::loadModule(std::span<const uint8_t> wis, ModuleId &out) {
  std::shared_ptr<CompiledModule> code;
  Status s = executor.compiler.load(wis, options.addressFencing, code);
  if (!s)
    return s;
  LoadedModule module{code, 0};
  if (code->segment.size) {
    if (Status a = allocate(code->segment.size, module.segment); !a)
      return a;
    std::memcpy(reinterpret_cast<void *>(module.segment),
                code->segment.init.data(),
                std::min<size_t>(code->segment.init.size(), code->segment.size));
  }
  std::lock_guard<std::mutex> lock(executor.mutex);
  if (module.segment)
    moduleSegments.insert(module.segment);
  out = nextId++;
  modules[out] = std::move(module);
  return Status::ok();
}

Status HostContext::unloadModule(ModuleId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  changed.wait(lock, [&] { return idle(); });
  DevicePtr segment = it->second.segment;
  for (auto f = functions.begin(); f != functions.end();)
    f = f->second.first == id ? functions.erase(f) : std::next(f);
  modules.erase(it);
  if (segment) {
    moduleSegments.erase(segment);
    uint64_t size, committed;
    allocations.erase(segment, size);
    arena.release(segment, committed);
    executor.used -= committed;
  }
  return Status::ok();
}

Status HostContext::getFunction(ModuleId id, const std::string &name,
                                FunctionId &out, KernelInfo &info) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  const auto &kernels = it->second.code->kernels;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const wooly::host::HostKernel &k = kernels[i].info;
    if (k.name != name)
      continue;
    info = KernelInfo();
    info.name = k.name;
    for (const auto &p : k.params)
      if (p.hidden.empty())
        info.params.push_back({p.offset, p.size, p.align});
    info.argBufferSize = k.argBufferSize;
    info.staticSharedBytes = k.staticSharedBytes;
    info.localBytesPerThread = k.localBytesPerThread;
    info.maxThreadsPerBlock = std::min<uint32_t>(k.maxThreadsPerBlock, 1024);
    out = nextId++;
    functions[out] = {id, i};
    return Status::ok();
  }
  return Status::error(ErrorCode::NotFound,
                       "module has no kernel named '" + name + "'");
}

Status HostContext::getGlobal(ModuleId id, const std::string &name,
                              DevicePtr &out, uint64_t &size) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  auto &symbols = it->second.code->segment.symbols;
  auto s = symbols.find(name);
  if (s == symbols.end())
    return Status::error(ErrorCode::NotFound,
                         "module has no global or const variable named '" + name + "'");
  out = it->second.segment + s->second.first;
  size = s->second.second;
  return Status::ok();
}

Status HostContext::createStream(int, StreamId &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  out = nextId++;
  streams[out] = std::make_unique<Stream>();
  streams[out]->context = this;
  return Status::ok();
}

Status HostContext::destroyStream(StreamId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  if (id == 0 || !findStream(id))
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  changed.wait(lock, [&] { return findStream(id)->ops.empty(); });
  streams.erase(id);
  return Status::ok();
}

Status HostContext::createEvent(EventId &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  out = nextId++;
  events[out] = std::make_shared<Event>();
  return Status::ok();
}

Status HostContext::destroyEvent(EventId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return events.erase(id) ? Status::ok()
                          : Status::error(ErrorCode::InvalidHandle,
                                          "no such event in this context");
}

Status HostContext::recordEvent(EventId id, StreamId stream) {
  std::shared_ptr<Event> event;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto it = events.find(id);
    if (it == events.end())
      return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
    event = it->second;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Record;
  op->event = event;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    op->gen = ++event->recordGen;
  }
  return enqueue(stream, op);
}

Status HostContext::waitEvent(StreamId stream, EventId id) {
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Wait;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto it = events.find(id);
    if (it == events.end())
      return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
    op->event = it->second;
    op->gen = it->second->recordGen;
  }
  return enqueue(stream, op);
}

Status HostContext::queryEvent(EventId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = events.find(id);
  if (it == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  return it->second->doneGen >= it->second->recordGen
             ? Status::ok()
             : Status::error(ErrorCode::NotReady, "event not reached yet");
}

Status HostContext::synchronizeEvent(EventId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  auto it = events.find(id);
  if (it == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  std::shared_ptr<Event> event = it->second;
  changed.wait(lock, [&] { return event->doneGen >= event->recordGen; });
  return Status::ok();
}

Status HostContext::elapsedTime(EventId start, EventId end, float &ms) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto a = events.find(start), b = events.find(end);
  if (a == events.end() || b == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  for (auto *e : {&a->second, &b->second})
    if ((*e)->recordGen == 0 || (*e)->doneGen < (*e)->recordGen)
      return Status::error(ErrorCode::NotReady,
                           "both events must be recorded and completed");
  ms = float(double(int64_t(b->second->timeNs - a->second->timeNs)) / 1e6);
  return Status::ok();
}

Status HostContext::launch(FunctionId fn, const LaunchConfig &config,
                           std::span<const uint8_t> args, StreamId stream) {
  auto l = std::make_shared<Launch>();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto f = functions.find(fn);
    if (f == functions.end())
      return Status::error(ErrorCode::InvalidHandle, "no such function in this context");
    const LoadedModule &module = modules.at(f->second.first);
    l->module = module.code;
    l->kernel = &module.code->kernels[f->second.second];
    l->job.globals = reinterpret_cast<uint8_t *>(module.segment);
    l->job.dataBase = module.segment;
  }
  const wooly::host::HostKernel &k = l->kernel->info;
  const Dim3 &g = config.grid, &b = config.block;
  const DeviceInfo &d = executor.device;
  uint64_t threads = uint64_t(b.x) * b.y * b.z;
  if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z || g.x > d.maxGridDim[0] ||
      g.y > d.maxGridDim[1] || g.z > d.maxGridDim[2] || b.x > d.maxBlockDim[0] ||
      b.y > d.maxBlockDim[1] || b.z > d.maxBlockDim[2])
    return Status::error(ErrorCode::InvalidValue,
                         "invalid launch dimensions for kernel '" + k.name + "'");
  if (threads > std::min<uint32_t>(k.maxThreadsPerBlock, d.maxThreadsPerBlock))
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' allows at most " +
                             std::to_string(std::min<uint32_t>(k.maxThreadsPerBlock, 1024)) +
                             " threads per block, the launch asks for " +
                             std::to_string(threads));
  uint64_t window = l->module->dynamicSharedOffset + config.dynamicSharedBytes;
  if (k.staticSharedBytes + uint64_t(config.dynamicSharedBytes) > d.maxSharedPerBlockOptin)
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' needs " +
                             std::to_string(k.staticSharedBytes + config.dynamicSharedBytes) +
                             " bytes of shared memory; the limit is " +
                             std::to_string(d.maxSharedPerBlockOptin));
  if (args.size() < k.argBufferSize)
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' takes " +
                             std::to_string(k.argBufferSize) +
                             " bytes of arguments, got " + std::to_string(args.size()));
  l->args.assign(args.begin(), args.end());
  l->args.resize(std::max<size_t>(l->args.size(), 16));
  l->job.entry = l->kernel->entry;
  l->job.perThread = k.perThread;
  l->job.args = l->args.data();
  l->job.grid = g;
  l->job.block = b;
  l->job.dynamicSharedBytes = config.dynamicSharedBytes;
  l->job.sharedWindowBytes = std::max<uint64_t>(window, 16);
  l->job.arenaBase = arena.base();
  l->job.arenaMask = arena.mask();
  l->job.launch = &l->state;
  l->state.printfSink = &printfBuffer;
  l->state.printfMutex = &printfMutex;
  l->total = uint64_t(g.x) * g.y * g.z;
  ensureFaultHandlers();
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Launch;
  op->launch = std::move(l);
  return enqueue(stream, op);
}

Status HostContext::copyToDevice(DevicePtr dst, const void *src, uint64_t bytes,
                                 StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "copy to device"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::ToDevice;
  op->dst = dst;
  op->hostSrc = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::copyToHost(void *dst, DevicePtr src, uint64_t bytes,
                               StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(src, bytes, "copy to host"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::ToHost;
  op->host = dst;
  op->src = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::copyOnDevice(DevicePtr dst, DevicePtr src, uint64_t bytes,
                                 StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "device copy destination"); !s)
      return s;
    if (Status s = allocations.checkRange(src, bytes, "device copy source"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::OnDevice;
  op->dst = dst;
  op->src = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::memset(DevicePtr dst, uint8_t value, uint64_t bytes,
                           StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "memset"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Memset;
  op->dst = dst;
  op->value = value;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::enqueueHostFunction(StreamId stream, std::function<void()> fn) {
  auto op = std::make_shared<Op>();
  op->kind = OpKind::HostFn;
  op->fn = std::move(fn);
  return enqueue(stream, op);
}

Status HostContext::synchronize(StreamId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  changed.wait(lock, [&] { return stream->ops.empty(); });
  Status s = stream->error;
  stream->error = Status::ok();
  return s;
}

Status HostContext::synchronizeAll() {
  std::unique_lock<std::mutex> lock(executor.mutex);
  changed.wait(lock, [&] { return idle(); });
  Status first;
  for (auto &[id, stream] : streams) {
    if (!stream->error && first)
      first = stream->error;
    stream->error = Status::ok();
  }
  return first;
}

Status HostContext::queryStream(StreamId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  return stream->ops.empty() ? Status::ok()
                             : Status::error(ErrorCode::NotReady, "work pending");
}

void HostContext::setShare(uint32_t weight, PriorityClass priority) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  options.weight = std::max<uint32_t>(1, weight);
  options.priority = priority;
  executor.updatePauses();
}

ContextStats HostContext::stats() const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  ContextStats s;
  s.launches = launches;
  s.kernelNanoseconds = kernelNs;
  s.pendingLaunches = pending;
  std::vector<uint64_t> d(queueDelays);
  if (!d.empty()) {
    std::sort(d.begin(), d.end());
    s.queueDelayP50Ns = d[d.size() / 2];
    s.queueDelayP99Ns = d[std::min(d.size() - 1, d.size() * 99 / 100)];
  }
  return s;
}

std::string HostContext::takePrintfOutput() {
  std::lock_guard<std::mutex> lock(printfMutex);
  std::string out;
  out.swap(printfBuffer);
  return out;
}

} // namespace

HostCompileCounters compileCounters(Executor &executor) {
  CompileStats s = static_cast<HostExecutor &>(executor).compiler.stats();
  return {s.compiles, s.memoryHits, s.diskHits, s.remembered};
}

void setLaunchTraceHook(Executor &executor,
                        std::function<void(const LaunchTrace &)> hook) {
  auto &e = static_cast<HostExecutor &>(executor);
  std::lock_guard<std::mutex> lock(e.mutex);
  e.traceHook = std::move(hook);
}

HostPauseCounters pauseCounters(Executor &executor) {
  HostExecutor &e = static_cast<HostExecutor &>(executor);
  return {e.pauses.pauses(), e.pauses.paused(), e.pausing, e.idleWorkers};
}

} // namespace wooly::exec::host

namespace wooly::exec {

Status createHostExecutor(const ExecutorOptions &options,
                          std::unique_ptr<Executor> &out) {
  out = std::make_unique<host::HostExecutor>(options);
  return Status::ok();
}

} // namespace wooly::exec
