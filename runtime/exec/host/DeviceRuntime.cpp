//===- DeviceRuntime.cpp - Blocks, fibers, warp collectives, faults -------===//

#include "runtime/exec/host/DeviceRuntime.h"
#include "runtime/exec/common/DevicePrintf.h"
#include "runtime/exec/host/Preemption.h"
#include "runtime/exec/host/Fiber.h"
#include "runtime/exec/host/SanitizerFibers.h"
#include "runtime/exec/host/WarpCollectives.h"

#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace wooly::exec::host {

LaunchState::LaunchState() {
  static std::atomic<uint64_t> next{1};
  serial = next.fetch_add(1);
}

void LaunchState::fail(ErrorCode error, std::string text) {
  std::lock_guard<std::mutex> lock(mutex);
  if (code == ErrorCode::Success) {
    code = error;
    message = std::move(text);
  }
  cancel.store(1, std::memory_order_relaxed);
}

Status LaunchState::status() {
  std::lock_guard<std::mutex> lock(mutex);
  return {code, message};
}

namespace {

constexpr size_t kFiberStackBytes = 256 * 1024;
constexpr size_t kPage = 4096;
/// The fence pass's offset guard (ModuleCompiler.h's kFenceOffsetGuard) plus
/// slack for the widest access.
constexpr size_t kSharedGuardBytes = (size_t(1) << 34) + (size_t(1) << 20);
// A thread's local area holds only its escaping local slots (HostABI.h:
// localLow..localHigh, all that `is_space local` accepts). Block loops and
// regions share one per worker (regions: up to kMaxBlockThreads parts of at
// most kRegionLocalBytesLimit each, then frames); each fiber has its own.
constexpr size_t kWorkerLocalBytes = 8 * 1024 * 1024;
constexpr size_t kFiberLocalBytes = 256 * 1024;
// Region kernels' parts are not checked against the area in compiled code.
static_assert(kWorkerLocalBytes >= 2 * ::wooly::host::kMaxBlockThreads *
                                        ::wooly::host::kRegionLocalBytesLimit);

/// `bytes` of local area between two inaccessible pages, so running off
/// either end faults. Reserved lazily (MAP_NORESERVE); compiled code zeroes
/// each slot where it takes it.
uint8_t *mapLocalArea(size_t bytes) {
  void *mapping = mmap(nullptr, bytes + 2 * kPage, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED)
    return nullptr;
  uint8_t *area = static_cast<uint8_t *>(mapping) + kPage;
  if (mprotect(area, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(mapping, bytes + 2 * kPage);
    return nullptr;
  }
  return area;
}

void unmapLocalArea(uint8_t *area, size_t bytes) {
  if (area)
    munmap(area - kPage, bytes + 2 * kPage);
}

// The fibers' areas: kMaxBlockThreads of them in one reservation, each
// followed by an inaccessible page (and the first preceded by one), so one
// madvise forgets them all.
constexpr size_t kFiberLocalStride = kFiberLocalBytes + kPage;
constexpr size_t kFiberLocalMappingBytes =
    kPage + ::wooly::host::kMaxBlockThreads * kFiberLocalStride;

/// Gives `bytes` at `at` back to the kernel, so they read as zeros next time;
/// zeroes what is accessible if that fails.
void forget(uint8_t *at, size_t bytes) {
  if (madvise(at, bytes, MADV_DONTNEED) != 0)
    std::memset(at, 0, bytes);
}

struct Block;

struct ThreadState {
  HostThreadContext ctx;
  Block *block = nullptr;
  void *sp = nullptr;
  SanitizerFiber fiber; // its stack, as the sanitizers know it
  enum State : uint8_t { Ready, Waiting, Done } state = Ready;
  uint32_t linear = 0, lane = 0, warp = 0;
  // The warp collective this thread waits in and its answer (`result`,
  // which barrier reductions use too).
  RegionLane coll{};
  int barrier = -1;
};

struct Barrier {
  uint32_t arrived = 0;
  uint32_t expected = 0; // 0: every live thread
  int reduceKind = -1;
  uint32_t popc = 0;
  bool all = true, any = false;
};

struct Warp {
  uint32_t live = 0;    // lanes that exist and have not exited
  uint32_t arrived = 0; // lanes waiting in a collective
};

struct Block {
  const BlockJob *job = nullptr;
  ThreadState *threads = nullptr;
  uint32_t count = 0;
  uint32_t live = 0;
  std::vector<Warp> warps;
  Barrier barriers[16];
  void *schedulerSp = nullptr;
  SanitizerFiber *schedulerFiber = nullptr;
  bool fibers = false;
  bool aborted = false;
};

std::string dim(Dim3 d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," +
         std::to_string(d.z) + ")";
}

std::string where(const HostThreadContext *ctx) {
  return "block (" + std::to_string(ctx->ctaid[0]) + "," +
         std::to_string(ctx->ctaid[1]) + "," + std::to_string(ctx->ctaid[2]) +
         ") thread (" + std::to_string(ctx->tid[0]) + "," +
         std::to_string(ctx->tid[1]) + "," + std::to_string(ctx->tid[2]) + ")";
}

ThreadState *stateOf(HostThreadContext *ctx) {
  return static_cast<ThreadState *>(ctx->runtime);
}

struct SwitchTarget {
  void *sp;
  SanitizerFiber *fiber;
};

/// The next runnable fiber after `t` in round-robin order, or the block's
/// scheduler. Going straight from fiber to fiber halves the switches of a
/// barrier.
SwitchTarget nextContext(ThreadState *t) {
  Block *b = t->block;
  if (b->aborted)
    return {b->schedulerSp, b->schedulerFiber};
  uint32_t start = static_cast<uint32_t>(t - b->threads);
  for (uint32_t k = 1; k < b->count; ++k) {
    uint32_t i = start + k;
    if (i >= b->count)
      i -= b->count;
    if (b->threads[i].state == ThreadState::Ready)
      return {b->threads[i].sp, &b->threads[i].fiber};
  }
  return {b->schedulerSp, b->schedulerFiber};
}

[[noreturn]] void leaveFiber(ThreadState *t) {
  SwitchTarget to = nextContext(t);
  beforeFiberSwitch(nullptr, *to.fiber);
  // Not a local: under ASan a local may live on the fiber's fake stack,
  // which the announcement above has just freed.
  wooly_fiber_switch(&t->sp, to.sp);
  __builtin_unreachable();
}

void yield(ThreadState *t) {
  SwitchTarget to = nextContext(t);
  beforeFiberSwitch(&t->fiber, *to.fiber);
  wooly_fiber_switch(&t->sp, to.sp);
  afterFiberSwitch(t->fiber);
}

/// Ends the whole block now (trap, watchdog): fibers are simply abandoned.
void abortBlock(ThreadState *t) {
  Block *b = t->block;
  if (!b->fibers)
    return; // block loops return and see the cancel flag
  b->aborted = true;
  leaveFiber(t);
}

//===--- Barriers ---------------------------------------------------------===//

void releaseBarrier(Block *b, int id) {
  Barrier &bar = b->barriers[id];
  uint32_t value = 0;
  if (bar.reduceKind == 0)
    value = bar.popc;
  else if (bar.reduceKind == 1)
    value = bar.all;
  else if (bar.reduceKind == 2)
    value = bar.any;
  for (uint32_t i = 0; i < b->count; ++i) {
    ThreadState &t = b->threads[i];
    if (t.state == ThreadState::Waiting && t.barrier == id) {
      t.barrier = -1;
      t.coll.result = value;
      t.state = ThreadState::Ready;
    }
  }
  bar = Barrier();
}

bool barrierComplete(Block *b, int id) {
  Barrier &bar = b->barriers[id];
  uint32_t expected = bar.expected ? bar.expected : b->live;
  return bar.arrived > 0 && bar.arrived >= expected;
}

void arriveAtBarrier(ThreadState *t, int id, uint32_t count, bool wait,
                     int reduceKind, bool predicate) {
  Block *b = t->block;
  id &= 15;
  Barrier &bar = b->barriers[id];
  bar.arrived++;
  bar.expected = count;
  if (reduceKind >= 0) {
    bar.reduceKind = reduceKind;
    bar.popc += predicate;
    bar.all = bar.all && predicate;
    bar.any = bar.any || predicate;
  }
  if (wait) {
    t->state = ThreadState::Waiting;
    t->barrier = id;
  }
  if (barrierComplete(b, id))
    releaseBarrier(b, id);
  if (wait && t->state == ThreadState::Waiting)
    yield(t);
}

//===--- Warp collectives -------------------------------------------------===//

/// Completes the collective that lane `l` waits in if every live member of
/// its mask has arrived.
void tryComplete(Block *b, uint32_t warpIndex, uint32_t l) {
  Warp &w = b->warps[warpIndex];
  ThreadState &t = b->threads[warpIndex * 32 + l];
  uint32_t members = (t.coll.mask | (1u << l)) & w.live;
  if ((w.arrived & members) != members)
    return;
  ThreadState *lanes = b->threads + warpIndex * 32;
  RegionLane ops[32];
  for (uint32_t m = members; m; m &= m - 1) {
    int i = std::countr_zero(m);
    ops[i] = lanes[i].coll;
  }
  for (uint32_t m = members; m; m &= m - 1) {
    int i = std::countr_zero(m);
    lanes[i].coll.result = warpCollectiveResult(ops, i, members, w.live);
    lanes[i].coll.op = static_cast<uint8_t>(LaneOp::None);
    lanes[i].state = ThreadState::Ready;
  }
  w.arrived &= ~members;
}

uint64_t collective(HostThreadContext *ctx, LaneOp op, int mode,
                    uint64_t value, uint32_t arg, uint32_t c, uint32_t mask) {
  ThreadState *t = stateOf(ctx);
  Block *b = t->block;
  if (!b->fibers) {
    // Unreachable by construction (kernels with collectives get fibers or
    // regions, where the collectives are cuts).
    b->job->launch->fail(ErrorCode::Internal,
                         "warp collective in a block-loop kernel");
    return value;
  }
  t->coll.op = static_cast<uint8_t>(op);
  t->coll.mode = static_cast<uint8_t>(mode);
  t->coll.value = value;
  t->coll.arg = arg;
  t->coll.c = c;
  t->coll.mask = mask;
  t->state = ThreadState::Waiting;
  Warp &w = b->warps[t->warp];
  w.arrived |= 1u << t->lane;
  tryComplete(b, t->warp, t->lane);
  if (t->state == ThreadState::Waiting)
    yield(t);
  return t->coll.result;
}

/// A thread ended: it no longer counts for barriers and warp collectives.
void threadFinished(ThreadState *t) {
  Block *b = t->block;
  t->state = ThreadState::Done;
  b->live--;
  Warp &w = b->warps[t->warp];
  w.live &= ~(1u << t->lane);
  w.arrived &= ~(1u << t->lane);
  for (int id = 0; id < 16; ++id)
    if (barrierComplete(b, id))
      releaseBarrier(b, id);
  for (uint32_t m = w.arrived; m; m &= m - 1)
    tryComplete(b, t->warp, std::countr_zero(m));
}

void fiberMain(void *arg) {
  auto *t = static_cast<ThreadState *>(arg);
  afterFiberSwitch(t->fiber);
  t->block->job->entry(&t->ctx, t->block->job->args);
  threadFinished(t);
  leaveFiber(t);
}

//===--- Faults -----------------------------------------------------------===//

thread_local sigjmp_buf *activeJump = nullptr;
thread_local int faultSignal = 0;
thread_local void *faultAddress = nullptr;
#ifdef WOOLY_SANITIZER_FIBERS
// While a fiber runs: the scheduler's stack, where a fault's siglongjmp
// lands (told to the sanitizers first).
thread_local SanitizerFiber *runningFiberScheduler = nullptr;
thread_local bool faultedOnFiber = false;
#endif
struct sigaction previousHandlers[32];

void onFault(int sig, siginfo_t *info, void *uctx) {
  if (activeJump) {
    faultSignal = sig;
    faultAddress = info ? info->si_addr : nullptr;
    // The mask of the code that faulted: SA_NODEFER leaves it unchanged in
    // the handler, but a sanitizer's wrapper around this handler blocks
    // every signal while it runs (ThreadSanitizer does), and the jump does
    // not restore the mask, so the worker's next fault would kill the
    // process.
    if (uctx)
      pthread_sigmask(SIG_SETMASK,
                      &static_cast<ucontext_t *>(uctx)->uc_sigmask, nullptr);
#ifdef WOOLY_SANITIZER_FIBERS
    // Back to the scheduler's stack: told to ASan. The fiber's fake stack
    // is kept, not freed: this handler runs on another stack, where ASan
    // cannot tell which one is the fiber's.
    faultedOnFiber = runningFiberScheduler != nullptr;
    if (faultedOnFiber) {
      static thread_local SanitizerFiber abandoned;
      beforeFiberSwitch(&abandoned, *runningFiberScheduler);
    }
#endif
    siglongjmp(*activeJump, 1);
  }
  // Not ours: hand it to whoever was there before (or the default action).
  struct sigaction &previous = previousHandlers[sig];
  if (previous.sa_flags & SA_SIGINFO && previous.sa_sigaction) {
    previous.sa_sigaction(sig, info, uctx);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
      previous.sa_handler) {
    previous.sa_handler(sig);
    return;
  }
  signal(sig, SIG_DFL);
}

/// Installs the fault handler, or re-installs it when someone (a test
/// framework, an embedding application) replaced it since; the replaced
/// handler becomes the one faults outside kernels are passed on to.
void installFaultHandlers() {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
    struct sigaction current {};
    sigaction(sig, nullptr, &current);
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == onFault)
      continue;
    struct sigaction action {};
    action.sa_sigaction = onFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, &previousHandlers[sig]);
  }
}

const char *signalName(int sig) {
  switch (sig) {
  case SIGSEGV:
    return "invalid memory access";
  case SIGBUS:
    return "misaligned or unmapped memory access";
  case SIGILL:
    return "illegal instruction (unreachable code reached)";
  case SIGFPE:
    return "arithmetic fault";
  default:
    return "fault";
  }
}

} // namespace

void ensureFaultHandlers() { installFaultHandlers(); }

//===--- BlockRunner ------------------------------------------------------===//

struct BlockRunner::Impl {
  unsigned worker;
  std::vector<ThreadState> threads;
  std::vector<uint8_t *> stacks;
  SanitizerFiber schedulerFiber;           // the worker thread's own stack
  // The block's shared window sits between two inaccessible guards of
  // kSharedGuardBytes, so running off either end faults instead of reaching
  // the worker's other memory, and so do the window start plus any offset
  // the fence pass bounds by its offset guard (which then leaves those
  // accesses unchecked: wooly-fence-addresses, confine-windows).
  uint8_t *sharedMapping = nullptr;
  size_t sharedCapacity = 0, sharedMappingBytes = 0;
  uint64_t lastLaunch = 0;
  void *altStack = nullptr;
  uint8_t *localArea = nullptr; // block loops and regions
  uint8_t *fiberLocalMapping = nullptr;
  uint32_t fiberLocalCount = 0; // fiber areas made accessible
  // The launch the local areas were last used for: like shared memory, they
  // are forgotten (read as zeros) when the worker moves to another launch,
  // so nothing another session's kernel left there is ever visible.
  uint64_t localLaunch = 0;
  Block block;

  uint8_t *fiberLocal(uint32_t i) {
    return fiberLocalMapping + kPage + size_t(i) * kFiberLocalStride;
  }

  uint8_t *stack(uint32_t i) {
    if (i >= ::wooly::host::kMaxBlockThreads)
      return nullptr;
    if (!fiberLocalMapping) {
      void *mapping = mmap(nullptr, kFiberLocalMappingBytes, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (mapping == MAP_FAILED)
        return nullptr;
      fiberLocalMapping = static_cast<uint8_t *>(mapping);
    }
    while (fiberLocalCount <= i) {
      if (mprotect(fiberLocal(fiberLocalCount), kFiberLocalBytes,
                   PROT_READ | PROT_WRITE) != 0)
        return nullptr;
      ++fiberLocalCount;
    }
    while (stacks.size() <= i) {
      void *s = mmap(nullptr, kFiberStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (s == MAP_FAILED)
        return nullptr;
      mprotect(s, kPage, PROT_NONE); // overflow faults instead of corrupting
      stacks.push_back(static_cast<uint8_t *>(s));
    }
    return stacks[i];
  }

  void forgetLocals() {
    if (localArea)
      forget(localArea, kWorkerLocalBytes);
    // One call for all the fibers' areas and the guard pages between them.
    if (fiberLocalCount &&
        madvise(fiberLocal(0), size_t(fiberLocalCount) * kFiberLocalStride - kPage,
                MADV_DONTNEED) != 0)
      for (uint32_t i = 0; i < fiberLocalCount; ++i)
        std::memset(fiberLocal(i), 0, kFiberLocalBytes);
  }
};

BlockRunner::BlockRunner(unsigned workerIndex) : impl(new Impl) {
  impl->worker = workerIndex;
  installFaultHandlers();
  // Faults (stack overflow included) are handled on a stack of their own.
  size_t altSize = 64 * 1024;
  impl->altStack = mmap(nullptr, altSize, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (impl->altStack != MAP_FAILED) {
    stack_t ss{};
    ss.ss_sp = impl->altStack;
    ss.ss_size = altSize;
    sigaltstack(&ss, nullptr);
  }
  impl->localArea = mapLocalArea(kWorkerLocalBytes);
  impl->schedulerFiber = threadStackFiber(); // built on its worker thread
}

BlockRunner::~BlockRunner() {
  for (uint8_t *s : impl->stacks)
    munmap(s, kFiberStackBytes);
  if (impl->fiberLocalMapping)
    munmap(impl->fiberLocalMapping, kFiberLocalMappingBytes);
  unmapLocalArea(impl->localArea, kWorkerLocalBytes);
  if (impl->sharedMapping)
    munmap(impl->sharedMapping, impl->sharedMappingBytes);
  delete impl;
}

void BlockRunner::run(const BlockJob &job, Dim3 blockId) {
  Impl &m = *impl;
  LaunchState *launch = job.launch;
  uint32_t count = job.block.x * job.block.y * job.block.z;
  if (job.sharedWindowBytes > m.sharedCapacity) {
    if (m.sharedMapping)
      munmap(m.sharedMapping, m.sharedMappingBytes);
    m.sharedCapacity = (job.sharedWindowBytes + kPage - 1) & ~(kPage - 1);
    m.sharedMappingBytes = m.sharedCapacity + 2 * kSharedGuardBytes;
    void *mapping = mmap(nullptr, m.sharedMappingBytes, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) {
      m.sharedMapping = nullptr;
      m.sharedCapacity = 0;
      launch->fail(ErrorCode::OutOfMemory, "cannot map shared memory");
      return;
    }
    m.sharedMapping = static_cast<uint8_t *>(mapping);
    mprotect(m.sharedMapping + kSharedGuardBytes, m.sharedCapacity,
             PROT_READ | PROT_WRITE);
    m.lastLaunch = 0;
  }
  if (m.localLaunch != launch->serial) {
    m.forgetLocals();
    m.localLaunch = launch->serial;
  }
  // Window end on the guard page (64-byte aligned start).
  uint8_t *shared = m.sharedMapping + kSharedGuardBytes +
                    ((m.sharedCapacity - job.sharedWindowBytes) & ~size_t(63));
  // Shared memory is not zeroed on a GPU either, but a block must never see
  // what another launch (perhaps another session's) left there.
  if (m.lastLaunch != launch->serial) {
    std::memset(m.sharedMapping + kSharedGuardBytes, 0, m.sharedCapacity);
    m.lastLaunch = launch->serial;
  }
  HostThreadContext base{};
  base.ntid[0] = job.block.x;
  base.ntid[1] = job.block.y;
  base.ntid[2] = job.block.z;
  base.ctaid[0] = blockId.x;
  base.ctaid[1] = blockId.y;
  base.ctaid[2] = blockId.z;
  base.nctaid[0] = job.grid.x;
  base.nctaid[1] = job.grid.y;
  base.nctaid[2] = job.grid.z;
  base.shared = shared;
  base.sharedBytes = job.sharedWindowBytes;
  base.globals = job.globals;
  base.dynamicSharedBytes = job.dynamicSharedBytes;
  base.cancel = reinterpret_cast<const uint32_t *>(&launch->cancel);
  base.arenaBase = job.arenaBase;
  base.arenaMask = job.arenaMask;
  base.dataBase = job.dataBase;

  // The block's state, field by field: a block-loop or region kernel (no
  // fibers) uses neither the barriers nor the warps, and resetting them
  // (and freeing the warps' vector, as `b = Block()` did) for every block
  // was a quarter of vector_add's time on one worker.
  Block &b = m.block;
  b.job = &job;
  b.fibers = job.perThread;
  b.aborted = false;
  b.schedulerSp = nullptr;
  b.schedulerFiber = &m.schedulerFiber;
  if (job.perThread)
    std::fill(std::begin(b.barriers), std::end(b.barriers), Barrier());
  uint32_t slots = job.perThread ? count : 1;
  if (m.threads.size() < slots)
    m.threads.resize(slots);
  b.threads = m.threads.data();
  b.count = job.perThread ? count : 0;
  b.live = b.count;

  // No signal mask is saved (that would be a system call per block): the
  // handler restores the mask of the faulting code before it jumps.
  sigjmp_buf jump;
  if (sigsetjmp(jump, 0)) {
    activeJump = nullptr;
#ifdef WOOLY_SANITIZER_FIBERS
    if (faultedOnFiber) {
      afterFiberSwitch(m.schedulerFiber);
      runningFiberScheduler = nullptr;
      faultedOnFiber = false;
    }
#endif
    char address[32];
    std::snprintf(address, sizeof address, "%p", faultAddress);
    launch->fail(ErrorCode::LaunchFailure,
                 std::string("kernel fault: ") + signalName(faultSignal) +
                     " at address " + address + " in block " + dim(blockId) +
                     "; the launch was stopped (out-of-bounds access?)");
    return;
  }
  activeJump = &jump;

  if (!job.perThread) {
    ThreadState &t = m.threads[0];
    t = ThreadState();
    t.block = &b;
    t.ctx = base;
    if (!m.localArea) {
      activeJump = nullptr;
      launch->fail(ErrorCode::OutOfMemory, "cannot map the local area");
      return;
    }
    t.ctx.localLow = m.localArea;
    t.ctx.localHigh = m.localArea + kWorkerLocalBytes;
    t.ctx.localTop = m.localArea;
    t.ctx.runtime = &t;
    job.entry(&t.ctx, job.args);
    activeJump = nullptr;
    return;
  }

  uint32_t warps = (count + 31) / 32;
  b.warps.assign(warps, Warp());
  for (uint32_t i = 0; i < count; ++i) {
    ThreadState &t = m.threads[i];
    t = ThreadState();
    t.block = &b;
    t.ctx = base;
    t.ctx.tid[0] = i % job.block.x;
    t.ctx.tid[1] = (i / job.block.x) % job.block.y;
    t.ctx.tid[2] = i / (job.block.x * job.block.y);
    t.linear = i;
    t.lane = i % 32;
    t.warp = i / 32;
    uint8_t *stack = m.stack(i);
    if (!stack) {
      activeJump = nullptr;
      launch->fail(ErrorCode::OutOfMemory, "cannot allocate fiber stacks");
      return;
    }
    t.ctx.localLow = m.fiberLocal(i);
    t.ctx.localHigh = m.fiberLocal(i) + kFiberLocalBytes;
    t.ctx.localTop = t.ctx.localLow;
    t.ctx.runtime = &t;
    // Stagger the stack tops: identical offsets modulo 4 KiB would put every
    // fiber's saved registers in the same L1 cache set.
    t.sp = prepareFiber(stack + kFiberStackBytes - (i % 61) * 64, fiberMain, &t);
    // Fresh with the thread state: nothing of an earlier fiber that a
    // stopped block left suspended (its ASan fake stack) is resumed with it.
    t.fiber = SanitizerFiber{stack, kFiberStackBytes};
    b.warps[t.warp].live |= 1u << t.lane;
  }
  for (;;) {
    bool ran = false, allDone = true;
    for (uint32_t i = 0; i < count && !b.aborted; ++i) {
      ThreadState &t = m.threads[i];
      if (t.state == ThreadState::Done)
        continue;
      allDone = false;
      if (t.state != ThreadState::Ready)
        continue;
      ran = true;
      beforeFiberSwitch(&m.schedulerFiber, t.fiber);
#ifdef WOOLY_SANITIZER_FIBERS
      runningFiberScheduler = &m.schedulerFiber;
#endif
      wooly_fiber_switch(&b.schedulerSp, t.sp);
#ifdef WOOLY_SANITIZER_FIBERS
      runningFiberScheduler = nullptr;
#endif
      afterFiberSwitch(m.schedulerFiber);
    }
    // Only the stop bit ends the block: a yield request (Preemption.h) is
    // served by the compiled polls inside the fibers, which continue.
    if (allDone || b.aborted ||
        (launch->cancel.load(std::memory_order_relaxed) & kCancelBit))
      break;
    if (!ran) {
      launch->fail(ErrorCode::LaunchFailure,
                   "deadlock in block " + dim(blockId) +
                       ": threads wait at a barrier or warp collective that "
                       "the rest of the block never reaches (a __syncthreads "
                       "in divergent code, or a __shfl_sync mask naming "
                       "lanes that do not call it)");
      break;
    }
  }
  activeJump = nullptr;
}

//===--- Runtime functions called by compiled kernels --------------------===//

namespace {

extern "C" void __wooly_barrier(HostThreadContext *ctx, int32_t id,
                                int32_t count) {
  arriveAtBarrier(stateOf(ctx), id, static_cast<uint32_t>(count), true, -1,
                  false);
}

extern "C" void __wooly_barrier_arrive(HostThreadContext *ctx, int32_t id,
                                       int32_t count) {
  arriveAtBarrier(stateOf(ctx), id, static_cast<uint32_t>(count), false, -1,
                  false);
}

extern "C" int32_t __wooly_barrier_reduce(HostThreadContext *ctx, int32_t kind,
                                          int32_t predicate, int32_t id,
                                          int32_t count) {
  ThreadState *t = stateOf(ctx);
  arriveAtBarrier(t, id, static_cast<uint32_t>(count), true, kind,
                  predicate != 0);
  return static_cast<int32_t>(t->coll.result);
}

extern "C" void __wooly_warp_sync(HostThreadContext *ctx, int32_t mask) {
  collective(ctx, LaneOp::Sync, 0, 0, 0, 0, static_cast<uint32_t>(mask));
}

extern "C" int64_t __wooly_shuffle(HostThreadContext *ctx, int32_t mode,
                                   int32_t value, int32_t lane, int32_t c,
                                   int32_t mask) {
  return static_cast<int64_t>(collective(ctx, LaneOp::Shuffle, mode,
                                         static_cast<uint32_t>(value),
                                         static_cast<uint32_t>(lane),
                                         static_cast<uint32_t>(c),
                                         static_cast<uint32_t>(mask)));
}

extern "C" int32_t __wooly_vote(HostThreadContext *ctx, int32_t mode,
                                int32_t predicate, int32_t mask) {
  return static_cast<int32_t>(collective(ctx, LaneOp::Vote, mode,
                                         predicate != 0, 0, 0,
                                         static_cast<uint32_t>(mask)));
}

extern "C" int64_t __wooly_match(HostThreadContext *ctx, int32_t mode,
                                 int64_t value, int32_t mask) {
  return static_cast<int64_t>(collective(ctx, LaneOp::Match, mode,
                                         static_cast<uint64_t>(value), 0, 0,
                                         static_cast<uint32_t>(mask)));
}

extern "C" int32_t __wooly_redux(HostThreadContext *ctx, int32_t kind,
                                 int32_t value, int32_t mask) {
  return static_cast<int32_t>(collective(ctx, LaneOp::Redux, kind,
                                         static_cast<uint32_t>(value), 0, 0,
                                         static_cast<uint32_t>(mask)));
}

extern "C" int32_t __wooly_active_mask(HostThreadContext *ctx) {
  ThreadState *t = stateOf(ctx);
  if (!t->block->fibers)
    return -1;
  return static_cast<int32_t>(t->block->warps[t->warp].live);
}

extern "C" void __wooly_exit(HostThreadContext *ctx) {
  ThreadState *t = stateOf(ctx);
  if (!t->block->fibers)
    return;
  threadFinished(t);
  leaveFiber(t);
}

extern "C" void __wooly_trap(HostThreadContext *ctx) {
  ThreadState *t = stateOf(ctx);
  t->block->job->launch->fail(ErrorCode::Trap,
                              "the kernel executed trap in " + where(ctx));
  abortBlock(t);
}

extern "C" void __wooly_divergent_barrier(HostThreadContext *ctx) {
  stateOf(ctx)->block->job->launch->fail(
      ErrorCode::LaunchFailure,
      "threads of block (" + std::to_string(ctx->ctaid[0]) + "," +
          std::to_string(ctx->ctaid[1]) + "," + std::to_string(ctx->ctaid[2]) +
          ") reached different __syncthreads (a barrier in divergent code)");
}

/// A region kernel's settle step between rounds (WarpCollectives.h):
/// returns where the threads to run next resume, kRegionMixed, or
/// kRegionFinished when the block is done or failed.
extern "C" uint32_t __wooly_region_settle(HostThreadContext *ctx,
                                          RegionLane *lanes, uint64_t count) {
  Settled settled = settleRegionLanes(lanes, static_cast<uint32_t>(count));
  switch (settled.outcome) {
  case SettleOutcome::Run:
  case SettleOutcome::Finished:
    return settled.resume;
  case SettleOutcome::Deadlock: {
    // Named only here: loop cuts settle once per loop iteration.
    std::string block = "block (" + std::to_string(ctx->ctaid[0]) + "," +
                        std::to_string(ctx->ctaid[1]) + "," +
                        std::to_string(ctx->ctaid[2]) + ")";
    stateOf(ctx)->block->job->launch->fail(
        ErrorCode::LaunchFailure,
        "deadlock in " + block +
            ": threads wait at a barrier or warp collective that the rest "
            "of the block never reaches (a __syncthreads in divergent code, "
            "or a __shfl_sync mask naming lanes that do not call it)");
    break;
  }
  case SettleOutcome::DivergentBarrier:
    __wooly_divergent_barrier(ctx);
    break;
  }
  return ::wooly::host::kRegionFinished;
}

/// A poll found the launch cancelled (CancellationPolls.h). It takes the
/// context's `runtime` pointer, not the context, so a block entry's private
/// copy of the context never escapes into a call.
extern "C" void __wooly_cancelled(void *runtime) {
  abortBlock(static_cast<ThreadState *>(runtime));
}

void appendOutput(ThreadState *t, const std::string &text) {
  LaunchState *launch = t->block->job->launch;
  if (!launch->printfSink)
    return;
  std::lock_guard<std::mutex> lock(*launch->printfMutex);
  // Bound what one context can buffer (like CUDA's printf FIFO).
  if (launch->printfSink->size() + text.size() <= (8u << 20))
    launch->printfSink->append(text);
}

extern "C" void __wooly_assert_fail(HostThreadContext *ctx, const char *message,
                                    const char *file, int32_t line,
                                    const char *function) {
  ThreadState *t = stateOf(ctx);
  std::string text = std::string(file ? file : "?") + ":" +
                     std::to_string(line) + ": " + (function ? function : "?") +
                     ": " + where(ctx) + " Assertion `" +
                     (message ? message : "?") + "` failed.\n";
  appendOutput(t, text);
  t->block->job->launch->fail(ErrorCode::Assert,
                              "device-side assert triggered: " + text);
  abortBlock(t);
}

/// CUDA's vprintf: `args` packs each argument aligned to its size, floats
/// promoted to double. Formatted by the code every executor shares
/// (runtime/exec/common/DevicePrintf.h), so a kernel prints the same text on
/// the host and on a GPU. `%s` pointers are host addresses here (the compiler
/// has already confined shared/local ones to their windows); at most
/// kPrintfMaxStringBytes of each are read, as a GPU's printf record carries.
extern "C" int32_t __wooly_printf(HostThreadContext *ctx, const char *format,
                                  const uint8_t *args) {
  if (!format)
    return -1;
  std::string_view text(format);
  uint64_t argBytes = 0;
  std::vector<exec::PrintfConversion> specs =
      exec::scanPrintfFormat(text, argBytes);
  std::span<const uint8_t> argSpan;
  if (args)
    argSpan = std::span<const uint8_t>(args, argBytes);
  auto strings = [](uint64_t pointer,
                    unsigned) -> std::optional<std::string_view> {
    if (!pointer)
      return std::nullopt;
    const char *s = reinterpret_cast<const char *>(pointer);
    return std::string_view(s, strnlen(s, exec::kPrintfMaxStringBytes));
  };
  std::string out;
  int count = exec::formatDevicePrintf(text, specs, argSpan, strings, out);
  appendOutput(stateOf(ctx), out);
  return count;
}

uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

extern "C" int64_t __wooly_clock64(HostThreadContext *) {
  return static_cast<int64_t>(nowNs());
}

extern "C" int64_t __wooly_global_timer(HostThreadContext *) {
  return static_cast<int64_t>(nowNs());
}

extern "C" int32_t __wooly_hw_reg(HostThreadContext *ctx, int32_t which) {
  uint32_t linear = ctx->tid[0] +
                    ctx->ntid[0] * (ctx->tid[1] + ctx->ntid[1] * ctx->tid[2]);
  switch (which) {
  case 0: // warpid
    return static_cast<int32_t>(linear / 32);
  case 1: // nwarpid
    return 32;
  case 2: // smid
    return 0;
  case 3: // nsmid
    return 1;
  default:
    return 0;
  }
}

} // namespace

// Directed-rounding helpers (Rounding.cpp).
extern "C" {
#define WOOLY_FPR_DECL(name) void name();
#include "runtime/exec/host/RoundingSymbols.def"
#undef WOOLY_FPR_DECL
}

std::vector<std::pair<const char *, void *>> runtimeSymbols() {
  std::vector<std::pair<const char *, void *>> symbols = {
      {"__wooly_barrier", reinterpret_cast<void *>(&__wooly_barrier)},
      {"__wooly_barrier_arrive", reinterpret_cast<void *>(&__wooly_barrier_arrive)},
      {"__wooly_barrier_reduce", reinterpret_cast<void *>(&__wooly_barrier_reduce)},
      {"__wooly_warp_sync", reinterpret_cast<void *>(&__wooly_warp_sync)},
      {"__wooly_shuffle", reinterpret_cast<void *>(&__wooly_shuffle)},
      {"__wooly_vote", reinterpret_cast<void *>(&__wooly_vote)},
      {"__wooly_match", reinterpret_cast<void *>(&__wooly_match)},
      {"__wooly_redux", reinterpret_cast<void *>(&__wooly_redux)},
      {"__wooly_active_mask", reinterpret_cast<void *>(&__wooly_active_mask)},
      {"__wooly_exit", reinterpret_cast<void *>(&__wooly_exit)},
      {"__wooly_trap", reinterpret_cast<void *>(&__wooly_trap)},
      {"__wooly_cancelled", reinterpret_cast<void *>(&__wooly_cancelled)},
      {"__wooly_divergent_barrier", reinterpret_cast<void *>(&__wooly_divergent_barrier)},
      {"__wooly_region_settle", reinterpret_cast<void *>(&__wooly_region_settle)},
      {"__wooly_assert_fail", reinterpret_cast<void *>(&__wooly_assert_fail)},
      {"__wooly_printf", reinterpret_cast<void *>(&__wooly_printf)},
      {"__wooly_clock64", reinterpret_cast<void *>(&__wooly_clock64)},
      {"__wooly_global_timer", reinterpret_cast<void *>(&__wooly_global_timer)},
      {"__wooly_hw_reg", reinterpret_cast<void *>(&__wooly_hw_reg)},
  };
#define WOOLY_FPR_DECL(name) symbols.push_back({#name, reinterpret_cast<void *>(&name)});
#include "runtime/exec/host/RoundingSymbols.def"
#undef WOOLY_FPR_DECL
  return symbols;
}

} // namespace wooly::exec::host
