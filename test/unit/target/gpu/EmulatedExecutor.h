//===- EmulatedExecutor.h - A GPU executor over TimedHostApi -----*- C++
//-*-===//
//
// A GpuExecutor whose driver table is a TimedHostApi (device and host clock
// = the test's) and whose backend skips code generation, and a session's empty
// kernel @k on it: for tests of what the executor does around launches
// (timing, telemetry), not of the code it runs.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_GPU_EMULATEDEXECUTOR_H
#define WOOLY_TEST_UNIT_TARGET_GPU_EMULATEDEXECUTOR_H

#include "test/unit/target/gpu/TimedHostApi.h"

#include "runtime/exec/gpu/GpuExecutor.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace wooly::exec::gpu::testing {

/// An executor over a new TimedHostApi (or a test's subclass of it), which
/// `api` points to (the executor owns it). With `launchTimeoutMs`, its
/// watchdog checks only when the test calls checkLaunchTimes().
template <typename Api = TimedHostApi>
std::unique_ptr<GpuExecutor> emulatedExecutor(Api *&api,
                                              uint64_t launchTimeoutMs = 0) {
  auto owned = std::make_unique<Api>();
  api = owned.get();
  api->modulesPrint = false;
  DeviceInfo info;
  info.arch = "test";
  info.totalMemory = 1 << 30;
  HostClock clock = api->clock();
  return std::make_unique<GpuExecutor>(
      std::move(owned), info, "test",
      [](mlir::ModuleOp, std::vector<uint8_t> &image, std::string &) {
        image = {0};
        return true;
      },
      std::move(clock), launchTimeoutMs, /*watchdogThread=*/false);
}

/// A session of `executor` (unfenced: no arena in host memory) with the
/// empty kernel @k loaded; `fn` is the kernel.
inline std::unique_ptr<Context> sessionWithEmptyKernel(Executor &executor,
                                                       FunctionId &fn) {
  const std::string kernel = "wooly.kernel @k() {\n  wooly.return\n}\n";
  ContextOptions options;
  options.addressFencing = false;
  std::unique_ptr<Context> context;
  REQUIRE(executor.createContext(options, context));
  ModuleId module = 0;
  REQUIRE(context->loadModule(
      {reinterpret_cast<const uint8_t *>(kernel.data()), kernel.size()},
      module));
  KernelInfo info;
  REQUIRE(context->getFunction(module, "k", fn, info));
  return context;
}

} // namespace wooly::exec::gpu::testing

#endif // WOOLY_TEST_UNIT_TARGET_GPU_EMULATEDEXECUTOR_H
