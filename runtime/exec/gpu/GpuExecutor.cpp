//===- GpuExecutor.cpp - One GPU executor over a driver table -------------===//

#include "runtime/exec/gpu/GpuExecutor.h"

#include "runtime/exec/gpu/GpuContext.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace wooly::exec::gpu {

GpuExecutor::GpuExecutor(std::unique_ptr<DeviceApi> api, DeviceInfo info,
                         const std::string &target, BackendCompile backend,
                         HostClock clock, uint64_t launchTimeoutMs,
                         bool watchdogThread)
    : epochs(std::make_unique<DeviceEpochs>(std::move(api))),
      device(std::move(info)),
      compiler(target + ":" + device.arch, std::move(backend)),
      clock(std::move(clock)) {
  // Two event records per launch cost driver time on the launching thread;
  // a server that needs no kernel times can leave them out.
  const char *timing = std::getenv("WOOLY_GPU_LAUNCH_TIMING");
  timeLaunches = !(timing && std::strcmp(timing, "0") == 0);
  generation();
  // The watchdog learns when kernels started from their timing events.
  if (launchTimeoutMs && !timeLaunches)
    std::fprintf(stderr, "wooly: the launch timeout needs kernel timing; "
                         "WOOLY_GPU_LAUNCH_TIMING=0 turns it off\n");
  else if (launchTimeoutMs)
    watchdog = std::make_unique<LaunchWatchdog>(
        launchTimeoutMs, this->clock,
        [this](const std::string &why) { epochs->giveUp(why); },
        watchdogThread);
}

GpuExecutor::~GpuExecutor() = default;

std::pair<EpochDeviceApi *, GpuTelemetry *> GpuExecutor::generation() {
  std::lock_guard<std::mutex> lock(generationsMutex);
  uint64_t epoch = epochs->current();
  if (generations.empty() || generations.back().api->epoch() != epoch) {
    Generation next;
    next.api = std::make_unique<EpochDeviceApi>(*epochs, epoch);
    next.telemetry = std::make_unique<GpuTelemetry>(*next.api, clock);
    generations.push_back(std::move(next));
  }
  return {generations.back().api.get(), generations.back().telemetry.get()};
}

Status GpuExecutor::createContext(const ContextOptions &options,
                                  std::unique_ptr<Context> &out) {
  if (std::string down = epochs->down(); !down.empty())
    return Status::error(ErrorCode::DeviceUnavailable, down);
  auto [api, telemetry] = generation();
  return GpuContext::create(*api, device, options, compiler.asCallback(), out,
                            timeLaunches ? telemetry : nullptr,
                            watchdog.get());
}

double GpuExecutor::busyFraction() {
  return generation().second->busyFraction();
}

} // namespace wooly::exec::gpu
