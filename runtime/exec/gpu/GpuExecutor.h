//===- GpuExecutor.h - One GPU executor over a driver table -----*- C++ -*-===//
//
// The cuda and hip executors are the same executor: one per device, client
// contexts over a DeviceApi (GpuContext), modules compiled once per content
// hash for the device's processor. What differs is the driver table and the
// backend step, which their factories pass in.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_GPUEXECUTOR_H
#define WOOLY_RUNTIME_EXEC_GPU_GPUEXECUTOR_H

#include "runtime/exec/gpu/DeviceEpochs.h"
#include "runtime/exec/gpu/GpuModuleCompiler.h"
#include "runtime/exec/gpu/GpuTelemetry.h"
#include "runtime/exec/gpu/LaunchWatchdog.h"

#include <mutex>

#include "llvm/Support/Error.h"

namespace wooly::exec::gpu {

class GpuExecutor final : public Executor {
public:
  /// `target` prefixes the device's arch in cache keys ("nvptx", "amdgpu");
  /// `clock` is the host clock kernel times are mapped to (a test's own).
  /// With `launchTimeoutMs`, kernels running longer are stopped
  /// (LaunchWatchdog.h; the backend must compile every module with the
  /// fault polls); `watchdogThread` false leaves the checks to
  /// checkLaunchTimes() (tests).
  GpuExecutor(std::unique_ptr<DeviceApi> api, DeviceInfo info,
              const std::string &target, BackendCompile backend,
              HostClock clock = steadyClockNs, uint64_t launchTimeoutMs = 0,
              bool watchdogThread = true);
  ~GpuExecutor() override;

  const DeviceInfo &info() const override { return device; }
  Status createContext(const ContextOptions &options,
                       std::unique_ptr<Context> &out) override;
  /// The fraction of the time since the previous call during which any
  /// session's kernel ran (GpuTelemetry).
  double busyFraction() override;
  uint64_t memoryUsed() const override {
    // A lost context's driver is not called again.
    return epochs->down().empty() ? epochs->device().memoryUsed() : 0;
  }
  std::string lost() const override { return epochs->down(); }
  /// How many times a fatal kernel fault made the executor reset the
  /// device's context (DeviceEpochs.h).
  uint64_t contextResets() const { return epochs->resets(); }
  /// One pass of the launch watchdog (what its thread does periodically).
  void checkLaunchTimes() {
    if (watchdog)
      watchdog->check();
  }

private:
  /// What the sessions of one epoch share: their driver table and the
  /// telemetry over it. Kept until the executor goes: sessions of an old
  /// epoch may still hold them.
  struct Generation {
    std::unique_ptr<EpochDeviceApi> api;
    std::unique_ptr<GpuTelemetry> telemetry; // goes before its driver table
  };
  /// The current epoch's generation, made when the epoch starts (pointers:
  /// the vector may grow under another caller).
  std::pair<EpochDeviceApi *, GpuTelemetry *> generation();

  std::unique_ptr<DeviceEpochs> epochs; // goes last
  DeviceInfo device;
  GpuModuleCompiler compiler;
  HostClock clock;
  std::mutex generationsMutex;
  std::vector<Generation> generations;
  bool timeLaunches = true; // WOOLY_GPU_LAUNCH_TIMING=0 turns it off
  std::unique_ptr<LaunchWatchdog> watchdog; // with a launch timeout
};

/// A BackendCompile over a backend entry point that returns the image as a
/// byte container (`compile(module, options)`); `terminate` appends the NUL
/// that PTX text needs; `configure` sets options beyond the arch.
template <typename Options, typename Compile>
BackendCompile backendFor(std::string arch, Compile compile,
                          bool terminate = false,
                          std::function<void(Options &)> configure = {}) {
  return [arch = std::move(arch), compile, terminate,
          configure](mlir::ModuleOp module, std::vector<uint8_t> &image,
                     std::string &error) {
    Options options;
    options.arch = arch;
    if (configure)
      configure(options);
    auto result = compile(module, options);
    if (!result) {
      error = llvm::toString(result.takeError());
      return false;
    }
    image.assign(result->begin(), result->end());
    if (terminate)
      image.push_back(0);
    return true;
  };
}

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_GPUEXECUTOR_H
