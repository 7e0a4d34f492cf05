// Kernel timing of the GPU executors on a device (skipped without one): two
// sessions' launches are timed by driver events, their kernel time fits in
// the time a pair of the client's own events brackets, their queueing
// delays fit in the host time from submission to synchronization, and the
// executor saw the device busy.

#include "test/unit/target/gpu/DeviceTestSupport.h"

#include "runtime/exec/Executor.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>

using namespace wooly::exec;
using wooly::exec::gpu::testing::deviceExecutor;

namespace {

// Each thread runs `count` rounds of a recurrence (no closed form for the
// optimizer) and stores the result: a kernel that takes a while.
const char *kSpin = R"(
wooly.kernel @spin(%count: i32, %y: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero, %tid : i32, i32)
^loop(%i: i32, %acc: i32):
  %more = arith.cmpi slt, %i, %count : i32
  cf.cond_br %more, ^body, ^done
^body:
  %m = arith.constant 1664525 : i32
  %scaled = arith.muli %acc, %m : i32
  %next = arith.addi %scaled, %i : i32
  %one = arith.constant 1 : i32
  %i1 = arith.addi %i, %one : i32
  cf.br ^loop(%i1, %next : i32, i32)
^done:
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %gid = arith.addi %base, %tid : i32
  %i64 = arith.extsi %gid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %y, %off : !wooly.ptr<global>, i64
  wooly.store %acc, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

uint64_t hostNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

struct Session {
  std::unique_ptr<Context> context;
  FunctionId fn = 0;
  std::vector<uint8_t> args;
  EventId before = 0, after = 0;
};

void runTimingOn(const std::string &kind) {
  std::unique_ptr<Executor> executor = deviceExecutor(kind);
  if (!executor)
    return;
  constexpr uint32_t kBlocks = 256, kThreads = 256, kLaunches = 16;
  std::string text = kSpin;
  std::span<const uint8_t> wis(reinterpret_cast<const uint8_t *>(text.data()),
                               text.size());
  Session sessions[2];
  for (Session &s : sessions) {
    ContextOptions options;
    options.memoryLimit = 16 << 20;
    REQUIRE(executor->createContext(options, s.context));
    DevicePtr y = 0;
    REQUIRE(s.context->allocate(kBlocks * kThreads * 4, y));
    ModuleId module = 0;
    REQUIRE(s.context->loadModule(wis, module));
    KernelInfo info;
    REQUIRE(s.context->getFunction(module, "spin", s.fn, info));
    s.args.resize(info.argBufferSize);
    int32_t count = 20000;
    std::memcpy(s.args.data() + info.params[0].offset, &count, 4);
    std::memcpy(s.args.data() + info.params[1].offset, &y, 8);
    REQUIRE(s.context->createEvent(s.before));
    REQUIRE(s.context->createEvent(s.after));
  }
  executor->busyFraction(); // the window starts here

  LaunchConfig config;
  config.grid = {kBlocks, 1, 1};
  config.block = {kThreads, 1, 1};
  uint64_t submitted = hostNs();
  for (Session &s : sessions) {
    REQUIRE(s.context->recordEvent(s.before, 0));
    for (uint32_t i = 0; i < kLaunches; ++i)
      REQUIRE(s.context->launch(s.fn, config, s.args, 0));
    REQUIRE(s.context->recordEvent(s.after, 0));
  }
  for (Session &s : sessions)
    REQUIRE(s.context->synchronizeAll());
  uint64_t synchronized = hostNs();

  for (Session &s : sessions) {
    ContextStats stats = s.context->stats();
    CHECK(stats.launches == kLaunches);
    CHECK(stats.pendingLaunches == 0);
    CHECK(stats.kernelNanoseconds > 0);
    float ms = 0;
    REQUIRE(s.context->elapsedTime(s.before, s.after, ms));
    // The kernels ran one after another between the two events (1 µs for
    // the events' resolution per launch).
    CHECK(stats.kernelNanoseconds <=
          uint64_t(double(ms) * 1e6) + kLaunches * 1000);
    CHECK(stats.queueDelayP50Ns <= stats.queueDelayP99Ns);
    CHECK(stats.queueDelayP99Ns <= synchronized - submitted);
  }
  double busy = executor->busyFraction();
  CHECK(busy > 0.0);
  CHECK(busy <= 1.0);
}

} // namespace

TEST_CASE("kernels are timed on the cuda executor",
          "[gpu][exec][device][telemetry]") {
  runTimingOn("cuda");
}

TEST_CASE("kernels are timed on the hip executor",
          "[gpu][exec][device][telemetry]") {
  runTimingOn("hip");
}
