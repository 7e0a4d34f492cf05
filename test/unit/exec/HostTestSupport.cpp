#include "test/unit/exec/HostTestSupport.h"

#include <cstdlib>
#include <unistd.h>

namespace wooly::test {

exec::Executor &hostExecutor() {
  static std::unique_ptr<exec::Executor> executor = [] {
    exec::ExecutorOptions options;
    options.workerThreads = 2;
    options.launchTimeoutMs = 2000;
    // One cache folder for every run: concurrent test processes are safe
    // (entries are written atomically) and reruns skip compilation.
    options.cacheDir = "/tmp/wooly-unit-exec-cache";
    std::unique_ptr<exec::Executor> e;
    exec::Status s = exec::createExecutor("host", options, e);
    INFO(s.message);
    REQUIRE(s);
    return e;
  }();
  return *executor;
}

std::unique_ptr<exec::Context> newContext(bool fencing) {
  exec::ContextOptions options;
  options.memoryLimit = 256ull << 20;
  options.addressFencing = fencing;
  std::unique_ptr<exec::Context> ctx;
  exec::Status s = hostExecutor().createContext(options, ctx);
  INFO(s.message);
  REQUIRE(s);
  return ctx;
}

exec::FunctionId loadKernel(exec::Context &ctx, const std::string &wis,
                            const std::string &name, exec::KernelInfo &info) {
  exec::ModuleId module = 0;
  exec::Status s = ctx.loadModule(bytesOf(wis), module);
  INFO(s.message);
  REQUIRE(s);
  exec::FunctionId fn = 0;
  s = ctx.getFunction(module, name, fn, info);
  INFO(s.message);
  REQUIRE(s);
  return fn;
}

exec::Status launch(exec::Context &ctx, exec::FunctionId fn, exec::Dim3 grid,
                    exec::Dim3 block, const Args &args, uint32_t shared) {
  exec::LaunchConfig config;
  config.grid = grid;
  config.block = block;
  config.dynamicSharedBytes = shared;
  exec::Status s = ctx.launch(fn, config, args.bytes(), 0);
  if (!s)
    return s;
  return ctx.synchronize(0);
}

} // namespace wooly::test
