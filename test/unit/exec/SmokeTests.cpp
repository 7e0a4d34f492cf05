//===- SmokeTests.cpp - The host executor runs a kernel end to end --------===//

#include "test/unit/exec/HostTestSupport.h"

#include "runtime/exec/host/HostExecutor.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <random>
#include <sstream>

using namespace wooly;
using namespace wooly::test;

namespace {
std::string readSource(const std::string &relative) {
  std::ifstream in(std::string(WOOLY_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
} // namespace

TEST_CASE("saxpy from examples/wis runs on the host executor", "[host]") {
  for (bool fencing : {true, false}) {
    auto ctx = newContext(fencing);
    exec::KernelInfo info;
    exec::FunctionId fn =
        loadKernel(*ctx, readSource("examples/wis/saxpy.mlir"), "saxpy", info);
    REQUIRE(info.params.size() == 4);
    const int n = 1000;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-10, 10);
    std::vector<float> x(n), y(n);
    for (int i = 0; i < n; ++i) {
      x[i] = dist(rng);
      y[i] = dist(rng);
    }
    exec::DevicePtr dx = upload(*ctx, x), dy = upload(*ctx, y);
    Args args(info);
    args.set(0, n).set(1, 2.5f).set(2, dx).set(3, dy);
    exec::Status s = launch(*ctx, fn, {(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    INFO(s.message);
    REQUIRE(s);
    std::vector<float> out = download<float>(*ctx, dy, n);
    for (int i = 0; i < n; ++i)
      REQUIRE(out[i] == 2.5f * x[i] + y[i]);
  }
}

namespace {
/// Host executors with one worker over a disk cache of their own (removed
/// afterwards), and the saxpy module to load in them.
struct CacheFixture {
  std::string dir = "/tmp/wooly-cache-test-" + std::to_string(::getpid());
  std::string wis = readSource("examples/wis/saxpy.mlir");
  CacheFixture() { std::filesystem::remove_all(dir); }
  ~CacheFixture() { std::filesystem::remove_all(dir); }
  std::unique_ptr<exec::Executor> executor() const {
    exec::ExecutorOptions options;
    options.workerThreads = 1;
    options.cacheDir = dir;
    std::unique_ptr<exec::Executor> out;
    REQUIRE(exec::createExecutor("host", options, out));
    return out;
  }
};
} // namespace

TEST_CASE("compiled modules are cached in memory and on disk", "[host][cache]") {
  CacheFixture f;
  const std::string &wis = f.wis;
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<exec::Executor> executor = f.executor();
    std::unique_ptr<exec::Context> a, b;
    REQUIRE(executor->createContext({}, a));
    REQUIRE(executor->createContext({}, b));
    exec::ModuleId m;
    REQUIRE(a->loadModule(bytesOf(wis), m));
    REQUIRE(b->loadModule(bytesOf(wis), m));
    exec::host::HostCompileCounters c = exec::host::compileCounters(*executor);
    // The first executor compiles once; the second finds the object on disk.
    CHECK(c.compiles == (round == 0 ? 1u : 0u));
    CHECK(c.diskHits == (round == 0 ? 0u : 1u));
    CHECK(c.memoryHits == 1u);
  }
}

TEST_CASE("the in-memory module cache forgets modules no context holds",
          "[host][cache]") {
  // A long-running server sees ever new modules; its cache must not keep
  // an entry for each one it ever compiled.
  CacheFixture f;
  const std::string &wis = f.wis;
  std::unique_ptr<exec::Executor> executor = f.executor();
  std::unique_ptr<exec::Context> ctx;
  REQUIRE(executor->createContext({}, ctx));
  exec::ModuleId kept;
  REQUIRE(ctx->loadModule(bytesOf(wis), kept));
  constexpr int kModules = 40;
  for (int i = 0; i < kModules; ++i) {
    // Each a different module (its bytes differ), each unloaded again.
    std::string variant = wis + "// variant " + std::to_string(i) + "\n";
    exec::ModuleId m;
    REQUIRE(ctx->loadModule(bytesOf(variant), m));
    REQUIRE(ctx->unloadModule(m));
  }
  exec::host::HostCompileCounters c = exec::host::compileCounters(*executor);
  CHECK(c.compiles == kModules + 1);
  INFO("remembered " << c.remembered);
  CHECK(c.remembered < 20);
  // The module still held is still served from memory.
  exec::ModuleId again;
  REQUIRE(ctx->loadModule(bytesOf(wis), again));
  CHECK(exec::host::compileCounters(*executor).memoryHits == 1u);
}
