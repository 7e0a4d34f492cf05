//===- FaultTests.cpp - Bad kernels give errors, the executor goes on -----===//
//
// Tag [signal]: the kernel's fault reaches the executor as a signal
// (SIGSEGV on a guard page) whose handler ends the launch with siglongjmp;
// scripts/sanitize.sh leaves these out under ThreadSanitizer.

#include "test/unit/exec/HostTestSupport.h"

#include <chrono>
#include <climits>
#include <future>
#include <thread>

using namespace wooly;
using namespace wooly::test;

namespace {

// Writes 1 at p + offset.
const char *kPoke = R"(
wooly.kernel @poke(%p: !wooly.ptr<global>, %offset: i64) {
  %one = arith.constant 1 : i32
  %q = wooly.ptradd %p, %offset : !wooly.ptr<global>, i64
  wooly.store %one, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Writes 1 at p + base_offset + 4 * i: an i64 offset the fence pass cannot
// bound plus a bounded one (sext(i32) * 4), the form PTX array indexing has.
const char *kIndexedPoke = R"(
wooly.kernel @ipoke(%p: i64, %shift: i64, %i: i32) {
  %one = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %a = arith.addi %p, %shift : i64
  %e = arith.extsi %i : i32 to i64
  %o = arith.muli %e, %c4 : i64
  %s = arith.addi %a, %o : i64
  %q = wooly.inttoptr %s : i64 to !wooly.ptr<global>
  wooly.store %one, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Writes past the end of the block's shared window.
const char *kSharedPoke = R"(
wooly.global @tile : 64 x i32 in shared align 4
wooly.kernel @spoke(%offset: i64) {
  %one = arith.constant 1 : i32
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  %q = wooly.ptradd %s, %offset : !wooly.ptr<shared>, i64
  wooly.store %one, %q {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.return
}
)";

const char *kTrap = R"(
wooly.kernel @trapper(%p: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c5 = arith.constant 5 : i32
  %bad = arith.cmpi eq, %tid, %c5 : i32
  cf.cond_br %bad, ^trap, ^ok
^trap:
  wooly.trap
^ok:
  wooly.return
}
)";

const char *kSpin = R"(
wooly.kernel @spin(%p: !wooly.ptr<global>) {
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %one = arith.constant 1 : i32
  %n = arith.addi %i, %one : i32
  wooly.store %n, %p {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  cf.br ^loop(%n : i32)
}
)";

const char *kSpinBarrier = R"(
wooly.kernel @spinbar(%p: !wooly.ptr<global>) {
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %one = arith.constant 1 : i32
  %n = arith.addi %i, %one : i32
  wooly.barrier
  cf.br ^loop(%n : i32)
}
)";

const char *kPrintf = R"(
wooly.global @fmt : 11 x i8 in global = "x=%d y=%f\0A\00"
wooly.kernel @say(%p: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  wooly.store %tid, %buf {alignment = 8 : i64} : i32, !wooly.ptr<local>
  %c8 = arith.constant 8 : i64
  %b8 = wooly.ptradd %buf, %c8 : !wooly.ptr<local>, i64
  %half = arith.constant 0.5 : f64
  wooly.store %half, %b8 {alignment = 8 : i64} : f64, !wooly.ptr<local>
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %fg = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %bg = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  %n = wooly.printf %fg, %bg : !wooly.ptr<generic>, !wooly.ptr<generic>
  wooly.return
}
)";

/// The executor still computes correctly after a failure.
void expectHealthy(exec::Context &ctx) {
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(ctx, kPoke, "poke", info);
  exec::DevicePtr p = upload(ctx, std::vector<int32_t>(4, 0));
  Args args(info);
  args.set(0, p).set(1, int64_t(8));
  exec::Status s = launch(ctx, fn, {1, 1, 1}, {1, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  REQUIRE(download<int32_t>(ctx, p, 4) == std::vector<int32_t>{0, 0, 1, 0});
}

} // namespace

TEST_CASE("an out-of-bounds store is a launch failure, not a crash",
          "[host][fault][signal]") {
  for (bool fencing : {false, true}) {
    INFO("fencing " << fencing);
    auto ctx = newContext(fencing);
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, kPoke, "poke", info);
    exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(4, 0));
    Args args(info);
    // Far past the allocation: unmapped (or, fenced, an uncommitted part of
    // this context's own arena).
    args.set(0, p).set(1, int64_t(200) << 20);
    exec::Status s = launch(*ctx, fn, {1, 1, 1}, {32, 1, 1}, args);
    CHECK(s.code == exec::ErrorCode::LaunchFailure);
    CHECK(s.message.find("invalid memory access") != std::string::npos);
    // The error was reported once; the context keeps working.
    CHECK(ctx->synchronize(0));
    expectHealthy(*ctx);
  }
}

TEST_CASE("running off the shared window is a launch failure", "[host][fault][signal]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kSharedPoke, "spoke", info);
  Args inside(info);
  inside.set(0, int64_t(252));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, inside);
  INFO(s.message);
  REQUIRE(s);
  Args past(info);
  past.set(0, int64_t(256 + 64));
  s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, past);
  CHECK(s.code == exec::ErrorCode::LaunchFailure);
  expectHealthy(*ctx);
}

// A kernel that turns an arbitrary generic address (here: a buffer of its
// own context, so that a store that got through is visible) into a shared or
// local pointer (PTX cvta.to.shared / cvta.to.local) and stores through it,
// or offsets a window pointer far out of its window. On the host these
// pointers are plain addresses: fenced, the access must leave no trace
// outside the window and end as a LaunchFailure.
const char *kWindowEscape = R"(
wooly.kernel @via_shared(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %s = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<shared>
  %v = arith.constant 4660 : i32
  wooly.store %v, %s {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.return
}
wooly.kernel @via_local(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %l = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<local>
  %v = arith.constant 4660 : i32
  wooly.store %v, %l {alignment = 4 : i64} : i32, !wooly.ptr<local>
  wooly.return
}
wooly.kernel @shared_u32(%a: i32) {
  %s = wooly.inttoptr %a : i32 to !wooly.ptr<shared>
  %v = arith.constant 4660 : i32
  wooly.store %v, %s {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.return
}
wooly.kernel @shared_offset(%off: i64) {
  %base = wooly.dynamic_shared : !wooly.ptr<shared>
  %s = wooly.ptradd %base, %off : !wooly.ptr<shared>, i64
  %v = arith.constant 4660 : i32
  wooly.store %v, %s {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.return
}
)";

TEST_CASE("shared and local pointers cannot leave their windows (fenced)",
          "[host][fault][isolation][signal]") {
  auto ctx = newContext(/*fencing=*/true);
  exec::DevicePtr victim = upload(*ctx, std::vector<int32_t>(4, 7));
  for (const char *kernel : {"via_shared", "via_local"}) {
    INFO(kernel);
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, kWindowEscape, kernel, info);
    Args args(info);
    args.set(0, int64_t(victim + 4));
    exec::Status s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, args);
    CHECK(s.code == exec::ErrorCode::LaunchFailure);
    CHECK(ctx->synchronize(0));
    CHECK(download<int32_t>(*ctx, victim, 4) == std::vector<int32_t>(4, 7));
    expectHealthy(*ctx);
  }
  // A window pointer plus an offset far past the window (1 GiB, and one
  // that wraps below it).
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kWindowEscape, "shared_offset", info);
  for (int64_t off : {int64_t(1) << 30, -(int64_t(1) << 20)}) {
    INFO("offset " << off);
    Args args(info);
    args.set(0, off);
    exec::Status s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, args);
    CHECK(s.code == exec::ErrorCode::LaunchFailure);
    CHECK(ctx->synchronize(0));
    expectHealthy(*ctx);
  }
  // A 32-bit shared address anywhere (unchecked: the guard around the
  // window covers the whole 32-bit range).
  exec::KernelInfo u32info;
  exec::FunctionId u32 = loadKernel(*ctx, kWindowEscape, "shared_u32", u32info);
  for (int32_t a : {int32_t(0x80000000), int32_t(0xfffffffc), int32_t(1 << 20)}) {
    INFO("32-bit shared address " << a);
    Args args(u32info);
    args.set(0, a);
    exec::Status s = launch(*ctx, u32, {1, 1, 1}, {1, 1, 1}, args);
    CHECK(s.code == exec::ErrorCode::LaunchFailure);
    CHECK(ctx->synchronize(0));
    expectHealthy(*ctx);
  }
  // In the window, the same kernel works.
  Args inside(info);
  inside.set(0, int64_t(0));
  exec::LaunchConfig config;
  config.dynamicSharedBytes = 16;
  CHECK(ctx->launch(fn, config, inside.bytes(), 0));
  CHECK(ctx->synchronize(0));
}

TEST_CASE("trap ends the launch with a Trap error", "[host][fault]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kTrap, "trapper", info);
  exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, p);
  exec::Status s = launch(*ctx, fn, {4, 1, 1}, {64, 1, 1}, args);
  CHECK(s.code == exec::ErrorCode::Trap);
  CHECK(s.message.find("thread (5,0,0)") != std::string::npos);
  expectHealthy(*ctx);
}

TEST_CASE("the watchdog stops infinite loops", "[host][fault]") {
  auto ctx = newContext();
  for (auto [wis, name] : {std::pair{kSpin, "spin"}, std::pair{kSpinBarrier, "spinbar"}}) {
    INFO(name);
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, wis, name, info);
    exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(1, 0));
    Args args(info);
    args.set(0, p);
    auto start = std::chrono::steady_clock::now();
    exec::Status s = launch(*ctx, fn, {2, 1, 1}, {64, 1, 1}, args);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(s.code == exec::ErrorCode::LaunchTimeout);
    CHECK(s.message.find("watchdog") != std::string::npos);
    CHECK(seconds < 30);
  }
  expectHealthy(*ctx);
}

// printf with an argument buffer that is a local pointer made from any
// address: the runtime must not read (and print) memory outside the
// thread's local window.
const char *kPrintfPeek = R"(
wooly.global @fmt : 4 x i8 in global = "%d\0A\00"
wooly.kernel @peek(%p: i64) {
  %g = wooly.inttoptr %p : i64 to !wooly.ptr<generic>
  %l = wooly.cast_space %g : !wooly.ptr<generic> to !wooly.ptr<local>
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %fg = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %fg, %l : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
)";

TEST_CASE("a context torn down with launches queued behind a running one "
          "goes away",
          "[host][fault]") {
  // Both launches are stopped; the second never ran a block, so no worker
  // finishes it: teardown used to wait for it forever (and the executor's
  // watchdog left such launches in their streams the same way).
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kSpin, "spin", info);
  exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, p);
  exec::LaunchConfig config;
  config.grid = {1, 1, 1};
  config.block = {32, 1, 1};
  REQUIRE(ctx->launch(fn, config, args.bytes(), 0));
  REQUIRE(ctx->launch(fn, config, args.bytes(), 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(100)); // the first runs
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> gone = done->get_future();
  // Detached: if teardown hangs, the test fails instead of hanging too.
  std::thread([ctx = std::move(ctx), done]() mutable {
    ctx.reset();
    done->set_value();
  }).detach();
  REQUIRE(gone.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
}

TEST_CASE("printf cannot read outside the local window (fenced)",
          "[host][printf][isolation]") {
  auto ctx = newContext(/*fencing=*/true);
  exec::DevicePtr secret = upload(*ctx, std::vector<int32_t>{424242, 0});
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kPrintfPeek, "peek", info);
  Args args(info);
  args.set(0, int64_t(secret));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::string out = ctx->takePrintfOutput();
  INFO(out);
  CHECK(!out.empty());
  CHECK(out.find("424242") == std::string::npos);
  expectHealthy(*ctx);
}

TEST_CASE("device printf reaches the context", "[host][printf]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kPrintf, "say", info);
  Args args(info);
  args.set(0, exec::DevicePtr(0));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {3, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::string out = ctx->takePrintfOutput();
  CHECK(out.find("x=0 y=0.500000\n") != std::string::npos);
  CHECK(out.find("x=2 y=0.500000\n") != std::string::npos);
  CHECK(ctx->takePrintfOutput().empty());
}

TEST_CASE("bad modules and launches give clear errors", "[host][errors]") {
  auto ctx = newContext();
  exec::ModuleId module;
  exec::Status s = ctx->loadModule(bytesOf("this is not WIS"), module);
  CHECK(s.code == exec::ErrorCode::CompileError);
  // Not finished WIS: an external function declaration.
  s = ctx->loadModule(bytesOf("wooly.func private @ext(i32)\n"), module);
  CHECK(s.code == exec::ErrorCode::CompileError);

  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kPoke, "poke", info);
  REQUIRE(info.argBufferSize == 16);
  exec::FunctionId none;
  s = ctx->loadModule(bytesOf(kPoke), module);
  REQUIRE(s);
  CHECK(ctx->getFunction(module, "nope", none, info).code == exec::ErrorCode::NotFound);
  Args args(info);
  exec::LaunchConfig config;
  config.block = {2048, 1, 1};
  CHECK(ctx->launch(fn, config, args.bytes(), 0).code == exec::ErrorCode::InvalidValue);
  config.block = {1, 1, 1};
  CHECK(ctx->launch(fn, config, std::span<const uint8_t>(), 0).code ==
        exec::ErrorCode::InvalidValue);
  CHECK(ctx->launch(fn, config, args.bytes(), 999).code == exec::ErrorCode::InvalidHandle);
  exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(4, 0));
  int32_t host[8];
  CHECK(ctx->copyToHost(host, p, 32, 0).code == exec::ErrorCode::InvalidAddress);
  CHECK(ctx->free(p + 4).code == exec::ErrorCode::InvalidAddress);
  CHECK(ctx->free(p));
  CHECK(ctx->free(p).code == exec::ErrorCode::InvalidAddress);
}

TEST_CASE("contexts are isolated and memory quotas hold", "[host][memory]") {
  auto a = newContext(), b = newContext();
  exec::DevicePtr pa = upload(*a, std::vector<int32_t>(4, 7));
  exec::DevicePtr base;
  uint64_t size;
  CHECK(a->lookup(pa + 8, base, size));
  CHECK(base == pa);
  CHECK(size == 16);
  CHECK(b->lookup(pa, base, size).code == exec::ErrorCode::InvalidAddress);
  int32_t v[4];
  CHECK(b->copyToHost(v, pa, 16, 0).code == exec::ErrorCode::InvalidAddress);
  exec::DevicePtr big;
  CHECK(a->allocate(300ull << 20, big).code == exec::ErrorCode::OutOfMemory);
  CHECK(a->memoryUsage().allocations == 1);
}

TEST_CASE("fenced indexed accesses: in-arena addresses are exact, near misses "
          "fault in the guard, far ones wrap into the arena",
          "[host][fault][fencing][signal]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kIndexedPoke, "ipoke", info);
  exec::DevicePtr p = upload(*ctx, std::vector<int32_t>(8, 0));
  auto poke = [&](int64_t shift, int32_t i) {
    Args args(info);
    args.set(0, int64_t(p)).set(1, shift).set(2, i);
    return launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, args);
  };
  // A base 1 GiB below the allocation (outside the arena, within the
  // guard's reach) plus an index back into it: the same address as
  // without fencing.
  exec::Status s = poke(-(int64_t(1) << 30), int32_t(1 << 28) + 1);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, p, 8) ==
        std::vector<int32_t>{0, 1, 0, 0, 0, 0, 0, 0});
  // A base far away (2^40 bytes, a multiple of the arena's size) wraps
  // into the arena before the index is added: lands on p[2].
  s = poke(int64_t(1) << 40, 2);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, p, 8) ==
        std::vector<int32_t>{0, 1, 1, 0, 0, 0, 0, 0});
  // An in-arena base with an index 8 GiB below it: in the guard below
  // the arena, which faults; nothing of the process is touched.
  s = poke(0, INT32_MIN);
  CHECK(s.code == exec::ErrorCode::LaunchFailure);
  auto fresh = newContext();
  expectHealthy(*fresh);
}
