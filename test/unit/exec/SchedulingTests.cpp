//===- SchedulingTests.cpp - Priorities and streams on the worker pool ----===//

#include "test/unit/exec/HostTestSupport.h"

#include <chrono>
#include <thread>

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

} // namespace

TEST_CASE("a latency-sensitive launch overtakes a long best-effort one",
          "[host][scheduling]") {
  exec::ExecutorOptions options;
  options.workerThreads = 1;
  options.cacheDir = "/tmp/wooly-unit-exec-cache";
  std::unique_ptr<exec::Executor> executor;
  REQUIRE(exec::createExecutor("host", options, executor));
  exec::ContextOptions background, urgent;
  background.priority = exec::PriorityClass::BestEffort;
  urgent.priority = exec::PriorityClass::LatencySensitive;
  std::unique_ptr<exec::Context> slowCtx, fastCtx;
  REQUIRE(executor->createContext(background, slowCtx));
  REQUIRE(executor->createContext(urgent, fastCtx));

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
