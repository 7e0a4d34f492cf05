// The cuda and hip executors. Without a device (this machine, CI) they must
// not be listed and must say why they cannot start; with one, they run a
// kernel through the executor API.

#include "test/unit/target/gpu/DeviceTestSupport.h"

#include "runtime/exec/Executor.h"
#include "runtime/exec/cuda/CudaDriver.h"
#include "runtime/exec/cuda/CudaExecutor.h"
#include "runtime/exec/gpu/GpuContext.h"
#include "runtime/exec/hip/HipDriver.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>

using namespace wooly::exec;
using wooly::exec::gpu::testing::deviceExecutor;

TEST_CASE("GPU executors are listed only where their device is",
          "[gpu][exec]") {
  std::vector<std::string> kinds = availableExecutors();
  std::string why;
  bool cudaPresent = cuda::CudaDriver::get(why) != nullptr;
  std::unique_ptr<Executor> executor;
  Status status = createExecutor("cuda", {}, executor);
  bool listed = std::find(kinds.begin(), kinds.end(), "cuda") != kinds.end();
  CHECK(listed == bool(status));
  if (!cudaPresent) {
    CHECK_FALSE(listed);
    CHECK(status.code == ErrorCode::DeviceUnavailable);
    CHECK(status.message.find("libcuda.so.1") != std::string::npos);
  }
  Status hip = createExecutor("hip", {}, executor);
  bool hipListed = std::find(kinds.begin(), kinds.end(), "hip") != kinds.end();
  CHECK(hipListed == bool(hip));
  if (!hip)
    CHECK(hip.code == ErrorCode::DeviceUnavailable);
}

TEST_CASE("driver results map to executor errors with their names",
          "[gpu][exec]") {
  CHECK(cuda::errorCodeFor(0) == ErrorCode::Success);
  CHECK(cuda::errorCodeFor(2) == ErrorCode::OutOfMemory);
  CHECK(cuda::errorCodeFor(700) == ErrorCode::LaunchFailure);
  CHECK(cuda::errorCodeFor(710) == ErrorCode::Assert);
  CHECK(cuda::errorCodeFor(218) == ErrorCode::CompileError);
  CHECK(cuda::errorCodeFor(600) == ErrorCode::NotReady);
  CHECK(hip::errorCodeFor(1) == ErrorCode::InvalidValue);
  CHECK(hip::errorCodeFor(400) == ErrorCode::InvalidHandle);
}

TEST_CASE("compute capabilities pick the nvptx architecture", "[gpu][exec]") {
  CHECK(cuda::smArchFor(9, 0) == "sm_90");
  CHECK(cuda::smArchFor(8, 6) == "sm_86");
  CHECK(cuda::smArchFor(7, 5) == "sm_75");
  CHECK(cuda::smArchFor(12, 0) == "sm_120");
  CHECK(cuda::smArchFor(8, 9) == "sm_89");
  CHECK(cuda::smArchFor(10, 3) == "sm_103");
}

TEST_CASE("KFD target versions name the gfx processor", "[gpu][exec]") {
  CHECK(hip::gfxNameFromTargetVersion(90402) == "gfx942");
  CHECK(hip::gfxNameFromTargetVersion(90010) == "gfx90a");
  CHECK(hip::gfxNameFromTargetVersion(110000) == "gfx1100");
  CHECK(hip::gfxNameFromTargetVersion(0).empty());
}

TEST_CASE("launch configurations are checked before the driver sees them",
          "[gpu][exec]") {
  DeviceInfo device;
  device.maxSharedPerBlockOptin = 100 * 1024;
  KernelInfo kernel;
  kernel.name = "k";
  kernel.maxThreadsPerBlock = 256;
  kernel.staticSharedBytes = 1024;
  kernel.params = {{0, 8, 8}, {8, 4, 4}};
  kernel.argBufferSize = 12;
  std::vector<uint8_t> args(12);
  LaunchConfig ok;
  ok.grid = {4, 1, 1};
  ok.block = {256, 1, 1};
  CHECK(gpu::GpuContext::checkLaunch(kernel, device, ok, args));

  LaunchConfig big = ok;
  big.block = {512, 1, 1};
  Status s = gpu::GpuContext::checkLaunch(kernel, device, big, args);
  CHECK(s.code == ErrorCode::InvalidValue);
  CHECK(s.message.find("512 threads") != std::string::npos);

  LaunchConfig empty = ok;
  empty.grid = {0, 1, 1};
  CHECK(gpu::GpuContext::checkLaunch(kernel, device, empty, args).code ==
        ErrorCode::InvalidValue);

  LaunchConfig shared = ok;
  shared.dynamicSharedBytes = 100 * 1024;
  s = gpu::GpuContext::checkLaunch(kernel, device, shared, args);
  CHECK(s.code == ErrorCode::InvalidValue);
  CHECK(s.message.find("shared memory") != std::string::npos);

  std::vector<uint8_t> shortArgs(8);
  s = gpu::GpuContext::checkLaunch(kernel, device, ok, shortArgs);
  CHECK(s.code == ErrorCode::InvalidValue);
  CHECK(s.message.find("arguments") != std::string::npos);
}

namespace {
const char *kSaxpy = R"(
wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %i = arith.addi %base, %tid : i32
  %inside = arith.cmpi slt, %i, %n : i32
  cf.cond_br %inside, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %offset = arith.muli %i64, %c4 : i64
  %px = wooly.ptradd %x, %offset : !wooly.ptr<global>, i64
  %py = wooly.ptradd %y, %offset : !wooly.ptr<global>, i64
  %vx = wooly.load %px {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %vy = wooly.load %py {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %ax = arith.mulf %a, %vx : f32
  %r = arith.addf %ax, %vy : f32
  wooly.store %r, %py {alignment = 4 : i64} : f32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.return
}
)";

/// saxpy on `kind`'s device through the executor API, plus the isolation
/// checks the daemon relies on. Skips with a message without a device.
void runSaxpyOn(const std::string &kind) {
  std::unique_ptr<Executor> executor = deviceExecutor(kind);
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 1 << 20;
  std::unique_ptr<Context> context, other;
  REQUIRE(executor->createContext(options, context));
  REQUIRE(executor->createContext(options, other));
  constexpr int n = 1000;
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x[i] = float(i);
    y[i] = 1.0f;
  }
  DevicePtr dx = 0, dy = 0;
  REQUIRE(context->allocate(n * 4, dx));
  REQUIRE(context->allocate(n * 4, dy));
  REQUIRE(context->copyToDevice(dx, x.data(), n * 4, 0));
  REQUIRE(context->copyToDevice(dy, y.data(), n * 4, 0));
  ModuleId module = 0;
  std::string text = kSaxpy;
  REQUIRE(context->loadModule(
      {reinterpret_cast<const uint8_t *>(text.data()), text.size()}, module));
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context->getFunction(module, "saxpy", fn, info));
  std::vector<uint8_t> args(info.argBufferSize);
  int32_t count = n;
  float a = 2.0f;
  std::memcpy(args.data() + info.params[0].offset, &count, 4);
  std::memcpy(args.data() + info.params[1].offset, &a, 4);
  std::memcpy(args.data() + info.params[2].offset, &dx, 8);
  std::memcpy(args.data() + info.params[3].offset, &dy, 8);
  LaunchConfig config;
  config.grid = {(n + 255) / 256, 1, 1};
  config.block = {256, 1, 1};
  EventId start = 0, end = 0;
  REQUIRE(context->createEvent(start));
  REQUIRE(context->createEvent(end));
  REQUIRE(context->recordEvent(start, 0));
  REQUIRE(context->launch(fn, config, args, 0));
  REQUIRE(context->recordEvent(end, 0));
  REQUIRE(context->copyToHost(y.data(), dy, n * 4, 0));
  REQUIRE(context->synchronize(0));
  for (int i = 0; i < n; ++i)
    REQUIRE(y[i] == 2.0f * float(i) + 1.0f);
  float ms = -1;
  CHECK(context->elapsedTime(start, end, ms));
  CHECK(ms >= 0);

  // Isolation: the other context cannot name this one's memory or module.
  CHECK(other->copyToHost(y.data(), dy, 4, 0).code ==
        ErrorCode::InvalidAddress);
  CHECK(other->free(dx).code == ErrorCode::InvalidAddress);
  FunctionId stolen = 0;
  CHECK(other->getFunction(module, "saxpy", stolen, info).code ==
        ErrorCode::InvalidHandle);
  // Bounds: a copy running past the allocation is refused.
  CHECK(context->copyToHost(y.data(), dy + 8, n * 4, 0).code ==
        ErrorCode::InvalidAddress);
  // Quota.
  DevicePtr huge = 0;
  CHECK(context->allocate(2 << 20, huge).code == ErrorCode::OutOfMemory);
  CHECK(context->free(dx));
  CHECK(context->free(dy));
}
} // namespace

TEST_CASE("saxpy runs on the cuda executor", "[gpu][exec][device]") {
  runSaxpyOn("cuda");
}

TEST_CASE("saxpy runs on the hip executor", "[gpu][exec][device]") {
  runSaxpyOn("hip");
}

namespace {
const char *kPoke = R"(
wooly.global @counter : 1 x i32 in global align 4 = dense<7> : tensor<1xi32>
wooly.kernel @poke(%p: !wooly.ptr<global>, %v: i32) {
  wooly.store %v, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %c = wooly.addressof @counter : !wooly.ptr<global>
  wooly.store %v, %c {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

/// Address fencing on `kind`'s device (the default for contexts): a kernel
/// of one session given another session's pointer stores into its own
/// arena instead, without faulting the shared device context; module
/// variables are per session. Skips with a message without a device.
void runFencingOn(const std::string &kind) {
  std::unique_ptr<Executor> executor = deviceExecutor(kind);
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 8 << 20;
  std::unique_ptr<Context> a, b;
  REQUIRE(executor->createContext(options, a));
  REQUIRE(executor->createContext(options, b));
  DevicePtr victim = 0;
  REQUIRE(b->allocate(4, victim));
  uint32_t secret = 0x11111111u;
  REQUIRE(b->copyToDevice(victim, &secret, 4, 0));
  REQUIRE(b->synchronize(0));

  std::string text = kPoke;
  std::span<const uint8_t> wis(reinterpret_cast<const uint8_t *>(text.data()),
                               text.size());
  ModuleId moduleA = 0, moduleB = 0;
  REQUIRE(a->loadModule(wis, moduleA));
  REQUIRE(b->loadModule(wis, moduleB));
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(a->getFunction(moduleA, "poke", fn, info));
  REQUIRE(info.params.size() == 2); // the hidden parameters are not shown
  std::vector<uint8_t> args(info.argBufferSize);
  int32_t value = 42;
  std::memcpy(args.data() + info.params[0].offset, &victim, 8);
  std::memcpy(args.data() + info.params[1].offset, &value, 4);
  LaunchConfig config;
  REQUIRE(a->launch(fn, config, args, 0));
  REQUIRE(a->synchronize(0)); // no fault: the store wrapped into A's arena

  uint32_t seen = 0;
  REQUIRE(b->copyToHost(&seen, victim, 4, 0));
  REQUIRE(b->synchronize(0));
  CHECK(seen == secret);

  // Each session has its own `counter`; A's kernel changed only A's.
  DevicePtr counterA = 0, counterB = 0;
  uint64_t size = 0;
  REQUIRE(a->getGlobal(moduleA, "counter", counterA, size));
  CHECK(size == 4);
  REQUIRE(b->getGlobal(moduleB, "counter", counterB, size));
  CHECK(counterA != counterB);
  int32_t counter = 0;
  REQUIRE(a->copyToHost(&counter, counterA, 4, 0));
  REQUIRE(a->synchronize(0));
  CHECK(counter == 42);
  REQUIRE(b->copyToHost(&counter, counterB, 4, 0));
  REQUIRE(b->synchronize(0));
  CHECK(counter == 7);
  // Module variables go with the module, not with free().
  CHECK(a->free(counterA).code == ErrorCode::InvalidValue);
  CHECK(a->unloadModule(moduleA));
  CHECK(b->free(victim));
}
} // namespace

TEST_CASE("fenced kernels stay in their session on the cuda executor",
          "[gpu][exec][device][fence]") {
  runFencingOn("cuda");
}

TEST_CASE("fenced kernels stay in their session on the hip executor",
          "[gpu][exec][device][fence]") {
  runFencingOn("hip");
}

namespace {
// Thread 0 of block 0 asserts when told to; every other thread waits for a
// flag that only thread 0 would set, so the grid ends only if the loop
// polls stop it (compiler/target/nvptx/FaultPolls.h).
const char *kAssertOrWait = R"(
wooly.global @msg : 11 x i8 in global = "told to\00\00\00\00"
wooly.global @file : 8 x i8 in global = "wait.cu\00"
wooly.global @fn : 7 x i8 in global = "waiter\00"
wooly.kernel @waiter(%flag: !wooly.ptr<global>, %fail: i32) {
  %t = wooly.thread_id x : i32
  %b = wooly.block_id x : i32
  %tb = arith.ori %t, %b : i32
  %z = arith.constant 0 : i32
  %first = arith.cmpi eq, %tb, %z : i32
  cf.cond_br %first, ^lead, ^wait
^lead:
  %bad = arith.cmpi ne, %fail, %z : i32
  cf.cond_br %bad, ^assert, ^set
^assert:
  %m = wooly.addressof @msg : !wooly.ptr<generic>
  %f = wooly.addressof @file : !wooly.ptr<generic>
  %n = wooly.addressof @fn : !wooly.ptr<generic>
  %line = arith.constant 7 : i32
  wooly.assert_fail %m, %f, %line, %n : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  cf.br ^set
^set:
  %one = arith.constant 1 : i32
  wooly.store %one, %flag {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  wooly.return
^wait:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^wait
^done:
  wooly.return
}
)";

/// Loads `wis` into `context` and launches `kernel` on `grid` blocks of
/// `block` threads: its first parameter a new zeroed 4-byte flag, its
/// second (if it has one) `second`.
void launchOnFlag(Context &context, const char *wis, const char *kernel,
                  unsigned grid, unsigned block, int32_t second = 0) {
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(wis),
                                 std::strlen(wis));
  ModuleId module = 0;
  REQUIRE(context.loadModule(bytes, module));
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context.getFunction(module, kernel, fn, info));
  DevicePtr flag = 0;
  REQUIRE(context.allocate(4, flag));
  REQUIRE(context.memset(flag, 0, 4, 0));
  std::vector<uint8_t> args(info.argBufferSize);
  std::memcpy(args.data() + info.params[0].offset, &flag, 8);
  if (info.params.size() > 1)
    std::memcpy(args.data() + info.params[1].offset, &second, 4);
  LaunchConfig config;
  config.grid = {grid, 1, 1};
  config.block = {block, 1, 1};
  REQUIRE(context.launch(fn, config, args, 0));
}
} // namespace

// A device-side assert in one session's kernel on the shared CUDA context:
// that session gets the error at its next synchronization, its waiting
// threads stop, and other sessions (one made afterwards too) go on in the
// same context. HIP kernels still trap through the driver
// (docs/gpu-backends.md): not run there.
TEST_CASE("a device-side assert stays in its session on the cuda executor",
          "[gpu][exec][device][fault]") {
  std::unique_ptr<Executor> executor = deviceExecutor("cuda");
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 8 << 20;
  std::unique_ptr<Context> a, b;
  REQUIRE(executor->createContext(options, a));
  REQUIRE(executor->createContext(options, b));
  auto run = [&](Context &context, int32_t fail) {
    launchOnFlag(context, kAssertOrWait, "waiter", 8, 128, fail);
    return context.synchronize(0);
  };
  REQUIRE(run(*b, 0)); // the kernel works when it is not told to fail
  Status failed = run(*a, 1);
  CHECK(failed.code == ErrorCode::Assert);
  CHECK(failed.message ==
        "device-side assert triggered: wait.cu:7: waiter: block (0,0,0) "
        "thread (0,0,0) Assertion `told to` failed.");
  CHECK(executor->lost().empty());
  CHECK(run(*b, 0));
  std::unique_ptr<Context> c;
  REQUIRE(executor->createContext(options, c));
  CHECK(run(*c, 0));
}

namespace {
// Spins until *flag is set, which nobody does.
const char *kSpinForever = R"(
wooly.kernel @spin(%flag: !wooly.ptr<global>) {
  cf.br ^wait
^wait:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %z = arith.constant 0 : i32
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^wait
^done:
  wooly.return
}
)";
} // namespace

// The cuda executor's launch watchdog (LaunchWatchdog.h): a kernel that
// never ends is stopped through its polls after the limit, its session gets
// LaunchTimeout, another session's kernel runs; a session closed while its
// kernel spins does not wait for it.
TEST_CASE("the cuda executor's launch watchdog stops a kernel that never "
          "ends",
          "[gpu][exec][device][watchdog]") {
  ExecutorOptions executorOptions;
  executorOptions.launchTimeoutMs = 500;
  std::unique_ptr<Executor> executor = deviceExecutor("cuda", executorOptions);
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 8 << 20;
  auto spin = [&](Context &context) {
    launchOnFlag(context, kSpinForever, "spin", 4, 64);
  };
  std::unique_ptr<Context> a, b;
  REQUIRE(executor->createContext(options, a));
  REQUIRE(executor->createContext(options, b));
  auto started = std::chrono::steady_clock::now();
  spin(*a);
  Status synced = a->synchronize(0);
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(synced.code == ErrorCode::LaunchTimeout);
  CHECK(took < std::chrono::seconds(10));
  runSaxpyOn("cuda"); // a session of another executor on the same device
  std::unique_ptr<Context> c;
  REQUIRE(executor->createContext(options, c));
  spin(*c);
  started = std::chrono::steady_clock::now();
  c.reset(); // stops its kernel instead of waiting for it
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(b->synchronize(0));
  CHECK(executor->lost().empty());
}
