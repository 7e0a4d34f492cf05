//===- GpuExecutor.cpp - One GPU executor over a driver table -------------===//

#include "runtime/exec/gpu/GpuExecutor.h"

#include "runtime/exec/gpu/GpuContext.h"

#include <cstdlib>
#include <cstring>

namespace wooly::exec::gpu {

GpuExecutor::GpuExecutor(std::unique_ptr<DeviceApi> api, DeviceInfo info,
                         const std::string &target, BackendCompile backend,
                         HostClock clock)
    : api(std::move(api)), device(std::move(info)),
      compiler(target + ":" + device.arch, std::move(backend)),
      telemetry(std::make_unique<GpuTelemetry>(*this->api, std::move(clock))) {
  // Two event records per launch cost driver time on the launching thread;
  // a server that needs no kernel times can leave them out.
  const char *timing = std::getenv("WOOLY_GPU_LAUNCH_TIMING");
  timeLaunches = !(timing && std::strcmp(timing, "0") == 0);
}

Status GpuExecutor::createContext(const ContextOptions &options,
                                  std::unique_ptr<Context> &out) {
  return GpuContext::create(*api, device, options, compiler.asCallback(), out,
                            timeLaunches ? telemetry.get() : nullptr);
}

} // namespace wooly::exec::gpu
