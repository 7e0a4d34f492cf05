// woolyd's module cache: each module compiled once, failures remembered,
// and what is remembered bounded.

#include "daemon/ModuleCache.h"

#include <catch2/catch.hpp>

using namespace wooly;

namespace {

struct HostContext {
  std::unique_ptr<exec::Executor> executor;
  std::unique_ptr<exec::Context> context;
  HostContext() {
    exec::ExecutorOptions options;
    options.workerThreads = 1;
    REQUIRE(exec::createExecutor("host", options, executor).isOk());
    REQUIRE(executor->createContext({}, context).isOk());
  }
};

/// Bytes that are not WIS: each fails its compile, each with its own hash.
std::vector<uint8_t> notWis(char tag) { return {'n', 'o', 't', ' ', uint8_t(tag)}; }

exec::ErrorCode load(daemon::ModuleCache &cache, exec::Context &context,
                     const std::vector<uint8_t> &bytes) {
  exec::ModuleId id = 0;
  return cache.load(context, bytes, id).code;
}

} // namespace

TEST_CASE("the module cache forgets its oldest modules beyond its capacity",
          "[server][modules]") {
  HostContext host;
  daemon::ModuleCache cache(/*capacity=*/2);
  for (char tag : {'a', 'b', 'c'})
    CHECK(load(cache, *host.context, notWis(tag)) == exec::ErrorCode::CompileError);
  CHECK(cache.size() == 2);
  CHECK(cache.counters().compiles == 3);

  // The newest failure is still remembered: refused without a compile.
  CHECK(load(cache, *host.context, notWis('c')) == exec::ErrorCode::CompileError);
  CHECK(cache.counters().compiles == 3);
  CHECK(cache.counters().rejected == 1);

  // The oldest was forgotten: it is compiled again (and fails again).
  CHECK(load(cache, *host.context, notWis('a')) == exec::ErrorCode::CompileError);
  CHECK(cache.counters().compiles == 4);
  CHECK(cache.size() == 2);
}

TEST_CASE("a server's module cache stays bounded however many modules come",
          "[server][modules]") {
  HostContext host;
  daemon::ModuleCache cache;
  size_t modules = daemon::ModuleCache::kDefaultCapacity + 100;
  for (size_t i = 0; i < modules; ++i) {
    std::vector<uint8_t> bytes = notWis('x');
    for (size_t v = i; v; v >>= 8)
      bytes.push_back(uint8_t(v));
    load(cache, *host.context, bytes);
  }
  CHECK(cache.counters().compiles == modules);
  CHECK(cache.size() == daemon::ModuleCache::kDefaultCapacity);
}
