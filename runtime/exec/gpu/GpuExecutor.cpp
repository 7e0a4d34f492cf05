//===- GpuExecutor.cpp - One GPU executor over a driver table -------------===//

#include "runtime/exec/gpu/GpuExecutor.h"

#include "runtime/exec/gpu/GpuContext.h"

namespace wooly::exec::gpu {

GpuExecutor::GpuExecutor(std::unique_ptr<DeviceApi> api, DeviceInfo info,
                         const std::string &target, BackendCompile backend)
    : api(std::move(api)), device(std::move(info)),
      compiler(target + ":" + device.arch, std::move(backend)),
      telemetry(std::make_unique<GpuTelemetry>(*this->api)) {}

Status GpuExecutor::createContext(const ContextOptions &options,
                                  std::unique_ptr<Context> &out) {
  return GpuContext::create(*api, device, options, compiler.asCallback(), out,
                            telemetry.get());
}

} // namespace wooly::exec::gpu
