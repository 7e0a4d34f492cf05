//===- HostExecutor.cpp - Kernels on this machine's CPU cores -------------===//

#include "runtime/exec/host/HostExecutor.h"
#include "runtime/exec/host/HostExecutorImpl.h"
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
} // namespace

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

std::string HostExecutor::schedulingNote() const {
  std::string note;
  if (backgroundPolicy)
    note = "best-effort blocks run under SCHED_IDLE, at normal priority "
           "between blocks (the OS preempts them for latency-sensitive work)";
  else if (idleWorkers)
    note = "best-effort work runs on idle-priority workers of its own, as "
           "this process may not raise a thread's priority again (as root, "
           "or with `ulimit -e 20` / systemd LimitNICE=20, best-effort "
           "blocks leave the cores to latency-sensitive work more promptly)";
  if (pausing)
    note += std::string(note.empty() ? "best-effort blocks" : "; they also") +
            " pause at their kernels' poll points for latency-sensitive work" +
            (note.empty() ? " (SCHED_IDLE is not available here)" : "");
  return note;
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
      if (l.next >= l.total) {
        if (l.running > 0)
          return false; // the rest is running; its last chunk completes it
        // Stopped while none of its blocks ran (the watchdog between two
        // chunks, a context torn down with it queued): no worker will
        // finish it, so it ends here.
        completeLaunch(stream, l);
        stream.ops.pop_front();
        stream.context->changed.notifyAll();
        continue;
      }
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
      if (l.running++ == 0)
        l.activeSinceNs = nowNs();
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

void HostExecutor::completeLaunch(Stream &stream, Launch &l) {
  Status s = l.state.status();
  if (!s && stream.error)
    stream.error = s;
  stream.context->pending--;
  if (l.trace && traceHook) {
    l.trace->doneNs = nowNs();
    uint64_t pause = pauses.lastPauseNs();
    if (pause >= l.trace->submitNs)
      l.trace->pauseStartNs = pause;
    traceHook(*l.trace);
  }
}

HostExecutor::Wakes HostExecutor::finish(const Work &work, uint64_t elapsedNs) {
  Stream &stream = *work.stream;
  HostContext &c = *stream.context;
  Op &op = *work.op;
  if (op.kind == OpKind::Launch) {
    Launch &l = *op.launch;
    if (--l.running == 0)
      l.activeNs += nowNs() - l.activeSinceNs;
    l.blockNs += elapsedNs;
    l.blocksDone += work.count;
    c.kernelNs += elapsedNs;
    c.virtualTime += double(elapsedNs) / std::max<uint32_t>(1, c.options.weight);
    if (l.cancelled())
      l.next = l.total;
    if (l.next < l.total || l.running > 0)
      return {};
    completeLaunch(stream, l);
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
    bool stopped = false;
    for (HostContext *c : contexts)
      for (auto &[id, stream] : c->streams) {
        if (stream->ops.empty() || stream->ops.front()->kind != OpKind::Launch)
          continue;
        Launch &l = *stream->ops.front()->launch;
        // Only time its blocks ran counts: not time it waited for workers
        // other launches held (another session's endless kernel must not
        // get this one stopped), nor time its workers spent paused for
        // latency-sensitive work (only finished chunks' pauses are known).
        if (l.activeAt(now) > limitNs + l.pausedNs) {
          // Woken once per launch, not every period while its blocks leave.
          stopped |= !l.cancelled();
          l.state.fail(ErrorCode::LaunchTimeout,
                       "kernel '" + llvm::demangle(l.kernel->info.name) +
                           "' ran longer than the " +
                           std::to_string(options.launchTimeoutMs) +
                           " ms launch watchdog limit and was stopped "
                           "(an infinite loop?)");
          pauses.poke(); // a paused worker of it leaves now
        }
      }
    if (stopped) {
      // A launch stopped while none of its blocks ran ends when a worker
      // next looks at its stream (claimFrom): let one look now.
      Wakes all;
      all.workers = Wakes::All;
      lock.unlock();
      deliver(all);
      lock.lock();
    }
  }
}

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
