//===- SchedulingTests.cpp - Priorities and streams on the worker pool ----===//

#include "test/unit/exec/HostTestSupport.h"

#include "runtime/exec/host/BackgroundPolicy.h"
#include "runtime/exec/host/HostExecutor.h"
#include "runtime/exec/host/Preemption.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <string>
#include <thread>
#include <unistd.h>

using namespace wooly;
using namespace wooly::test;

namespace {

// Each thread spins %n times on a volatile store: a slow block.
const char *kSlow = R"(
wooly.kernel @slow(%p: !wooly.ptr<global>, %n: i32) {
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  wooly.store %i, %p {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  %one = arith.constant 1 : i32
  %next = arith.addi %i, %one : i32
  cf.br ^loop(%next : i32)
^done:
  wooly.return
}
)";

// One thread counts in *%progress until *%flag becomes nonzero, then stores
// the count in *%out. A block that runs exactly as long as the test wants:
// no timing in the tests below, only events.
const char *kWait = R"(
wooly.kernel @wait(%flag: !wooly.ptr<global>, %progress: !wooly.ptr<global>,
                   %out: !wooly.ptr<global>) {
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %f = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %go = arith.cmpi eq, %f, %zero : i32
  cf.cond_br %go, ^body, ^done
^body:
  %one = arith.constant 1 : i32
  %next = arith.addi %i, %one : i32
  wooly.store %next, %progress {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  cf.br ^loop(%next : i32)
^done:
  wooly.store %i, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// The same block on fibers: a barrier with a reduction after the loop is
// one of the things only the fiber form runs (docs/host-backend.md).
const std::string kWaitOnFibers = [] {
  std::string wis = kWait;
  std::string end = "  wooly.store %i, %out";
  wis.insert(wis.find(end), "  %all = arith.constant true\n"
                            "  %n = wooly.barrier_reduce popc %all : i32\n");
  return wis;
}();

/// Waits for an event of another thread (a generous bound only so that a
/// broken build fails instead of hanging; nothing is timed).
bool eventually(const std::function<bool()> &happened) {
  for (int i = 0; i < 20000; ++i) {
    if (happened())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return happened();
}

/// One `wait` launch of a context: its three words live in the context's
/// memory, which on the host executor is this process's memory.
struct Waiter {
  exec::Context &ctx;
  exec::DevicePtr words = 0;
  const char *wis;

  explicit Waiter(exec::Context &ctx, const char *wis = kWait)
      : ctx(ctx), wis(wis) {
    words = upload(ctx, std::vector<int32_t>(3, 0));
  }
  std::atomic_ref<int32_t> word(int i) {
    return std::atomic_ref<int32_t>(reinterpret_cast<int32_t *>(words)[i]);
  }
  int32_t progress() { return word(1).load(); }
  void release() { word(0).store(1); }
  int32_t counted() { return word(2).load(); }
  /// Launches `wait` (every block counts in the same words).
  void start(exec::Dim3 grid = {1, 1, 1}) {
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(ctx, wis, "wait", info);
    Args args(info);
    args.set(0, words).set(1, words + 4).set(2, words + 8);
    exec::LaunchConfig config;
    config.grid = grid;
    REQUIRE(ctx.launch(fn, config, args.bytes(), 0));
  }
};

/// A host executor of its own with one worker per priority class.
std::unique_ptr<exec::Executor> oneWorkerExecutor(
    exec::ExecutorOptions::BestEffortYield yield =
        exec::ExecutorOptions::BestEffortYield::Auto) {
  exec::ExecutorOptions options;
  options.workerThreads = 1;
  options.bestEffortYield = yield;
  options.cacheDir = "/tmp/wooly-unit-exec-cache";
  std::unique_ptr<exec::Executor> executor;
  REQUIRE(exec::createExecutor("host", options, executor));
  return executor;
}

/// A context of `executor` in `priority`'s class.
std::unique_ptr<exec::Context> contextIn(exec::Executor &executor,
                                         exec::PriorityClass priority) {
  exec::ContextOptions options;
  options.priority = priority;
  std::unique_ptr<exec::Context> context;
  REQUIRE(executor.createContext(options, context));
  return context;
}

/// One worker per class: the best-effort block and the latency-sensitive
/// one oversubscribe the single core, so the best-effort worker must make
/// way; with `Pause` (the default here) it pauses at a poll point, with
/// `Auto` only where the OS cannot preempt it.
struct OneCore {
  explicit OneCore(exec::ExecutorOptions::BestEffortYield yield =
                       exec::ExecutorOptions::BestEffortYield::Pause)
      : executor(oneWorkerExecutor(yield)) {}
  std::unique_ptr<exec::Executor> executor;
  std::unique_ptr<exec::Context> background =
      contextIn(*executor, exec::PriorityClass::BestEffort);
  std::unique_ptr<exec::Context> urgent =
      contextIn(*executor, exec::PriorityClass::LatencySensitive);
  exec::host::HostPauseCounters counters() {
    return exec::host::pauseCounters(*executor);
  }
};

} // namespace

TEST_CASE("the watchdog stops only the launch that runs too long, not one "
          "waiting for the workers it holds",
          "[host][scheduling][fault]") {
  // One worker, a 1 s limit. B's two-block launch starts; A's endless
  // block takes the worker between B's blocks and holds it until the
  // watchdog stops it. B waited all that time without running: it must
  // finish afterwards, not be stopped with A.
  exec::ExecutorOptions options;
  options.workerThreads = 1;
  options.launchTimeoutMs = 1000;
  options.cacheDir = "/tmp/wooly-unit-exec-cache";
  std::unique_ptr<exec::Executor> executor;
  REQUIRE(exec::createExecutor("host", options, executor));
  auto a = contextIn(*executor, exec::PriorityClass::Normal);
  auto b = contextIn(*executor, exec::PriorityClass::Normal);

  // Both waiters' words are uploaded first: a copy needs the worker too.
  Waiter aw(*a), bw(*b);
  bw.start({2, 1, 1});
  REQUIRE(eventually([&] { return bw.progress() > 0; })); // B's first block
  aw.start(); // queued: the worker is in B's block
  bw.release(); // B's first block ends; A has had less time: it goes next
  REQUIRE(eventually([&] { return aw.progress() > 0; }));

  exec::Status as = a->synchronize(0);
  CHECK(as.code == exec::ErrorCode::LaunchTimeout);
  exec::Status bs = b->synchronize(0);
  INFO(bs.message);
  CHECK(bs);
}

TEST_CASE("a long best-effort block pauses mid-block for a latency-sensitive "
          "launch and continues",
          "[host][scheduling][preemption]") {
  OneCore pool;
  Waiter slow(*pool.background), fast(*pool.urgent);
  slow.start();
  REQUIRE(eventually([&] { return slow.progress() > 0; })); // block running
  fast.start();
  // The best-effort worker steps aside at its next poll...
  REQUIRE(eventually([&] { return pool.counters().pausedNow == 1; }));
  int32_t before = slow.progress();
  // ...and the latency-sensitive launch finishes while the best-effort
  // block, which cannot end before its flag is set, is still there.
  fast.release();
  REQUIRE(pool.urgent->synchronize(0));
  CHECK(fast.counted() == fast.progress());
  CHECK(pool.background->queryStream(0).code == exec::ErrorCode::NotReady);
  // The same block goes on counting where it stopped, then ends normally.
  REQUIRE(eventually([&] { return slow.progress() > before; }));
  CHECK(pool.counters().pausedNow == 0);
  slow.release();
  REQUIRE(pool.background->synchronize(0));
  CHECK(slow.counted() == slow.progress());
  CHECK(slow.counted() > before);
  CHECK(pool.counters().pauses >= 1);
}

TEST_CASE("a best-effort block on fibers pauses too and continues",
          "[host][scheduling][preemption]") {
  OneCore pool;
  Waiter slow(*pool.background, kWaitOnFibers.c_str()), fast(*pool.urgent);
  slow.start();
  REQUIRE(eventually([&] { return slow.progress() > 0; }));
  fast.start();
  // The poll in the fiber's loop pauses the worker; the fiber scheduler
  // must not take the yield request for a stop.
  REQUIRE(eventually([&] { return pool.counters().pausedNow == 1; }));
  int32_t before = slow.progress();
  fast.release();
  REQUIRE(pool.urgent->synchronize(0));
  CHECK(fast.counted() == fast.progress());
  REQUIRE(eventually([&] { return slow.progress() > before; }));
  slow.release();
  REQUIRE(pool.background->synchronize(0));
  CHECK(slow.counted() == slow.progress());
  CHECK(slow.counted() > before);
}

TEST_CASE("a paused best-effort launch is still cancelled",
          "[host][scheduling][preemption]") {
  OneCore pool;
  Waiter slow(*pool.background), fast(*pool.urgent);
  slow.start();
  REQUIRE(eventually([&] { return slow.progress() > 0; }));
  fast.start();
  REQUIRE(eventually([&] { return pool.counters().pausedNow == 1; }));
  // Destroying the context cancels its launch; the paused worker must leave
  // its pause and the block stop, while the latency-sensitive launch still
  // runs (so nothing else would end the pause).
  auto destroyed = std::async(std::launch::async, [&] { pool.background.reset(); });
  bool ended = destroyed.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  CHECK(ended);
  CHECK(pool.urgent->queryStream(0).code == exec::ErrorCode::NotReady);
  fast.release();
  REQUIRE(pool.urgent->synchronize(0));
  CHECK(fast.counted() == fast.progress());
  destroyed.wait();
  CHECK(pool.counters().pausedNow == 0);
}

TEST_CASE("a paused launch whose context becomes latency-sensitive goes on",
          "[host][scheduling][preemption]") {
  OneCore pool;
  Waiter slow(*pool.background), fast(*pool.urgent);
  slow.start();
  REQUIRE(eventually([&] { return slow.progress() > 0; }));
  fast.start();
  REQUIRE(eventually([&] { return pool.counters().pausedNow == 1; }));
  int32_t before = slow.progress();
  // Now the paused launch is itself latency-sensitive work: waiting for the
  // latency-sensitive work to finish would wait for itself.
  pool.background->setShare(1, exec::PriorityClass::LatencySensitive);
  REQUIRE(eventually([&] { return slow.progress() > before; }));
  CHECK(pool.counters().pausedNow == 0);
  CHECK(pool.urgent->queryStream(0).code == exec::ErrorCode::NotReady);
  slow.release();
  fast.release();
  REQUIRE(pool.background->synchronize(0));
  REQUIRE(pool.urgent->synchronize(0));
  CHECK(slow.counted() == slow.progress());
  CHECK(fast.counted() == fast.progress());
}

TEST_CASE("the poll pauses only bound pausable workers and reports cancels",
          "[host][scheduling][preemption]") {
  using exec::host::kCancelBit;
  using exec::host::kYieldBit;
  using exec::host::PauseControl;
  PauseControl control;
  std::atomic<uint32_t> word{kYieldBit};
  auto *raw = reinterpret_cast<uint32_t *>(&word);

  // A thread that is no pool worker drops the request and goes on.
  CHECK(__wooly_poll(raw) == 0);
  CHECK(word.load() == 0);

  // A bound pausable worker pauses while a pause is wanted, then goes on.
  std::atomic<bool> pausable{true};
  control.setWanted(1);
  word = kYieldBit;
  std::atomic<int> result{-1};
  std::thread worker([&] {
    PauseControl::bindWorker(&control, &pausable);
    result = __wooly_poll(raw);
  });
  REQUIRE(eventually([&] { return control.paused() == 1; }));
  CHECK(result.load() == -1);
  control.setWanted(0);
  worker.join();
  CHECK(result.load() == 0);
  CHECK(control.pauses() == 1);
  CHECK(control.paused() == 0);

  // A cancel ends a pause and tells the code to stop.
  control.setWanted(1);
  word = kYieldBit;
  result = -1;
  std::thread cancelled([&] {
    PauseControl::bindWorker(&control, &pausable);
    result = __wooly_poll(raw);
  });
  REQUIRE(eventually([&] { return control.paused() == 1; }));
  word.store(kCancelBit); // what LaunchState::fail does (no wake)
  cancelled.join();
  CHECK(result.load() == 1);
  CHECK(control.paused() == 0);

  // No pause wanted: the request is dropped, the worker never sleeps.
  control.setWanted(0);
  word = kYieldBit;
  std::thread free([&] {
    PauseControl::bindWorker(&control, &pausable);
    result = __wooly_poll(raw);
  });
  free.join();
  CHECK(result.load() == 0);
  CHECK(word.load() == 0);
  CHECK(control.pauses() == 2);
}

/// Whether the executor may leave the normal policy and nice value and come
/// back (root, or an RLIMIT_NICE that reaches the thread's nice value).
bool mayUseIdlePolicy() {
  struct rlimit limit;
  return geteuid() == 0 ||
         (getrlimit(RLIMIT_NICE, &limit) == 0 &&
          20 - static_cast<long>(limit.rlim_cur) <= getpriority(PRIO_PROCESS, 0));
}

/// Whether a thread may enter SCHED_IDLE at all (Linux: without privileges;
/// a fact of the machine, asked the way the executor asks it).
bool mayEnterIdlePolicy() { return exec::host::BackgroundPolicy::entryAllowed(); }

/// How a worker ran a host function: its policy, nice value and name.
struct RanOn {
  int policy = -1, nice = 0;
  std::string thread;
  bool operator==(const RanOn &) const = default;
};

RanOn thisThread() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return {sched_getscheduler(0),
          getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), name};
}

/// Runs a host function of a normal-class, then a best-effort, then a
/// normal-class context on `executor` and says where each ran: host
/// functions run on the pool's workers like kernel blocks, with the policy
/// of their context's class.
std::vector<RanOn> whereClassesRun(exec::Executor &executor) {
  std::unique_ptr<exec::Context> background =
      contextIn(executor, exec::PriorityClass::BestEffort);
  std::unique_ptr<exec::Context> foreground =
      contextIn(executor, exec::PriorityClass::Normal);
  std::mutex seenMutex;
  std::vector<RanOn> seen;
  auto record = [&] {
    std::lock_guard<std::mutex> lock(seenMutex);
    seen.push_back(thisThread());
  };
  for (exec::Context *c : {foreground.get(), background.get(), foreground.get()}) {
    REQUIRE(c->enqueueHostFunction(0, record));
    REQUIRE(c->synchronize(0));
  }
  REQUIRE(seen.size() == 3);
  return seen;
}

TEST_CASE("best-effort work runs under the OS's idle policy at nice 19, other "
          "work under the normal one at the process's nice value",
          "[host][scheduling]") {
  std::unique_ptr<exec::Executor> executor = oneWorkerExecutor();
  std::vector<RanOn> seen = whereClassesRun(*executor);
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  bool idle = mayEnterIdlePolicy();
  // Where the worker may come back (root, RLIMIT_NICE) the single worker
  // takes all three in turn, so the last one shows that it went back;
  // elsewhere best-effort work has a worker of its own.
  bool switches = mayUseIdlePolicy();
  CHECK(seen[0] == RanOn{SCHED_OTHER, nice, "wooly-w0"});
  if (idle)
    CHECK(seen[1] == RanOn{SCHED_IDLE, 19, switches ? "wooly-w0" : "wooly-b0"});
  else
    CHECK(seen[1] == RanOn{SCHED_OTHER, nice, "wooly-w0"});
  CHECK(seen[2] == RanOn{SCHED_OTHER, nice, "wooly-w0"});
  // Where the OS preempts best-effort blocks, they need not pause.
  CHECK(exec::host::pauseCounters(*executor).pausing == !idle);
}

TEST_CASE("best-effort work on workers of its own stays under SCHED_IDLE, "
          "and the other workers take none of it",
          "[host][scheduling]") {
  if (!mayEnterIdlePolicy()) {
    WARN("skipped: this machine refuses SCHED_IDLE");
    return;
  }
  std::unique_ptr<exec::Executor> executor =
      oneWorkerExecutor(exec::ExecutorOptions::BestEffortYield::IdleWorkers);
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  for (int round = 0; round < 2; ++round) {
    std::vector<RanOn> seen = whereClassesRun(*executor);
    CHECK(seen[0] == RanOn{SCHED_OTHER, nice, "wooly-w0"});
    CHECK(seen[1] == RanOn{SCHED_IDLE, 19, "wooly-b0"});
    CHECK(seen[2] == RanOn{SCHED_OTHER, nice, "wooly-w0"});
  }
  CHECK_FALSE(exec::host::pauseCounters(*executor).pausing);
}

TEST_CASE("the executor says in a line how best-effort work makes way, and "
          "what privileges would change",
          "[host][scheduling]") {
  std::unique_ptr<exec::Executor> executor = oneWorkerExecutor();
  std::string note = executor->schedulingNote();
  INFO(note);
  if (!mayEnterIdlePolicy())
    CHECK(note.find("pause at their kernels' poll points") != std::string::npos);
  else if (mayUseIdlePolicy())
    CHECK(note.find("normal priority between blocks") != std::string::npos);
  else
    CHECK(note.find("ulimit -e 20") != std::string::npos);
  // Pauses asked for where SCHED_IDLE works as well: both said.
  std::unique_ptr<exec::Executor> pausing =
      oneWorkerExecutor(exec::ExecutorOptions::BestEffortYield::Pause);
  CHECK(pausing->schedulingNote().find("pause at their kernels' poll points") !=
        std::string::npos);
}

TEST_CASE("a latency-sensitive launch finishes beside a running best-effort "
          "block, which pauses only where the OS cannot preempt it",
          "[host][scheduling][preemption]") {
  using Yield = exec::ExecutorOptions::BestEffortYield;
  for (Yield yield : {Yield::Auto, Yield::IdleWorkers}) {
    OneCore pool(yield);
    Waiter slow(*pool.background), fast(*pool.urgent);
    slow.start();
    REQUIRE(eventually([&] { return slow.progress() > 0; })); // block running
    fast.start();
    REQUIRE(eventually([&] { return fast.progress() > 0; }));
    fast.release();
    REQUIRE(pool.urgent->synchronize(0));
    CHECK(fast.counted() == fast.progress());
    // The best-effort block cannot end before its flag is set.
    CHECK(pool.background->queryStream(0).code == exec::ErrorCode::NotReady);
    slow.release();
    REQUIRE(pool.background->synchronize(0));
    CHECK(slow.counted() == slow.progress());
    exec::host::HostPauseCounters counters = pool.counters();
    CHECK(counters.pausing == !mayEnterIdlePolicy());
    if (!counters.pausing)
      CHECK(counters.pauses == 0);
  }
}

TEST_CASE("a traced latency-sensitive launch reports its life in order",
          "[host][scheduling][trace]") {
  OneCore pool;
  std::mutex tracesMutex;
  std::vector<exec::host::LaunchTrace> traces;
  exec::host::setLaunchTraceHook(*pool.executor,
                                 [&](const exec::host::LaunchTrace &t) {
                                   std::lock_guard<std::mutex> lock(tracesMutex);
                                   traces.push_back(t);
                                 });
  // The only core's worker is inside a best-effort block: the
  // latency-sensitive launch goes to an urgent worker, and the executor
  // asks the best-effort launch to yield.
  Waiter slow(*pool.background), fast(*pool.urgent);
  slow.start();
  REQUIRE(eventually([&] { return slow.progress() > 0; }));
  fast.start();
  REQUIRE(eventually([&] { return fast.progress() > 0; }));
  REQUIRE(eventually([&] { return pool.counters().pausedNow == 1; }));
  fast.release();
  REQUIRE(pool.urgent->synchronize(0));
  slow.release();
  REQUIRE(pool.background->synchronize(0));
  exec::host::setLaunchTraceHook(*pool.executor, nullptr);

  // One trace: best-effort launches are not traced.
  REQUIRE(traces.size() == 1);
  const exec::host::LaunchTrace &t = traces[0];
  CHECK(t.urgentWorker);
  CHECK(t.chunks == 1);
  CHECK(t.bestEffortRunning == 1);
  CHECK(t.submitNs > 0);
  CHECK(t.yieldNs >= t.submitNs);
  CHECK(t.pickNs >= t.submitNs);
  CHECK(t.startNs >= t.pickNs);
  CHECK(t.endNs >= t.startNs);
  CHECK(t.doneNs >= t.endNs);
  // The best-effort worker paused for it, after it was submitted.
  CHECK(t.pauseStartNs >= t.submitNs);
  CHECK(t.pauseStartNs <= t.doneNs);
}

TEST_CASE("a latency-sensitive launch overtakes a long best-effort one",
          "[host][scheduling]") {
  OneCore f;
  exec::Context *slowCtx = f.background.get(), *fastCtx = f.urgent.get();

  exec::KernelInfo info;
  exec::FunctionId slow = loadKernel(*slowCtx, kSlow, "slow", info);
  exec::DevicePtr p = upload(*slowCtx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, p).set(1, int32_t(20000));
  exec::LaunchConfig big;
  big.grid = {400, 1, 1};
  big.block = {64, 1, 1};
  REQUIRE(slowCtx->launch(slow, big, args.bytes(), 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  exec::FunctionId fast = loadKernel(*fastCtx, kSlow, "slow", info);
  exec::DevicePtr q = upload(*fastCtx, std::vector<int32_t>(1, 0));
  Args small(info);
  small.set(0, q).set(1, int32_t(1));
  exec::LaunchConfig one;
  auto start = std::chrono::steady_clock::now();
  REQUIRE(fastCtx->launch(fast, one, small.bytes(), 0));
  REQUIRE(fastCtx->synchronize(0));
  auto waited = std::chrono::steady_clock::now() - start;
  // The urgent launch ran at the next block boundary: the background kernel
  // is still going.
  CHECK(slowCtx->queryStream(0).code == exec::ErrorCode::NotReady);
  CHECK(waited < std::chrono::seconds(2));
  CHECK(fastCtx->stats().launches == 1);
  REQUIRE(slowCtx->synchronize(0));
  CHECK(slowCtx->stats().kernelNanoseconds > 0);
}

TEST_CASE("events order work across streams and time it", "[host][streams]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kSlow, "slow", info);
  exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, p).set(1, int32_t(1000));
  exec::StreamId s1, s2;
  REQUIRE(ctx->createStream(0, s1));
  REQUIRE(ctx->createStream(0, s2));
  exec::EventId start, stop;
  REQUIRE(ctx->createEvent(start));
  REQUIRE(ctx->createEvent(stop));
  exec::LaunchConfig config;
  config.grid = {16, 1, 1};
  config.block = {64, 1, 1};
  REQUIRE(ctx->recordEvent(start, s1));
  REQUIRE(ctx->launch(fn, config, args.bytes(), s1));
  REQUIRE(ctx->recordEvent(stop, s1));
  // s2 waits for s1's kernel, then reads what it wrote.
  REQUIRE(ctx->waitEvent(s2, stop));
  int32_t seen = 0;
  REQUIRE(ctx->copyToHost(&seen, p, 4, s2));
  REQUIRE(ctx->synchronize(s2));
  CHECK(seen == 999);
  CHECK(ctx->queryEvent(stop));
  float ms = -1;
  REQUIRE(ctx->elapsedTime(start, stop, ms));
  CHECK(ms >= 0);
  bool ran = false;
  REQUIRE(ctx->enqueueHostFunction(s1, [&] { ran = true; }));
  REQUIRE(ctx->synchronizeAll());
  CHECK(ran);
  CHECK(ctx->destroyStream(s1));
  CHECK(ctx->destroyStream(s1).code == exec::ErrorCode::InvalidHandle);
}
