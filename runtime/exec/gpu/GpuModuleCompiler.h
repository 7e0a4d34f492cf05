//===- GpuModuleCompiler.h - WIS bytes to a device image, cached -*- C++
//-*-===//
//
// What the GPU executors do with a client's module: parse it (MLIR bytecode
// or text), verify it as finished WIS (the server trusts nothing a client
// sends), describe its kernels' parameters for launches, and hand it to a
// backend (nvptx: PTX text; amdgpu: an HSA code object). Results are cached
// per content hash, so a module many sessions load compiles once.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_GPUMODULECOMPILER_H
#define WOOLY_RUNTIME_EXEC_GPU_GPUMODULECOMPILER_H

#include "runtime/exec/gpu/DeviceApi.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <mutex>

namespace wooly::exec::gpu {

/// The backend step: a verified WIS module (which it may change) to the
/// image the driver loads; on failure a message in `error`.
using BackendCompile = std::function<bool(
    mlir::ModuleOp module, std::vector<uint8_t> &image, std::string &error)>;

/// Launch-relevant facts of every kernel of a verified module: parameter
/// offsets and sizes (natural alignment; by-value aggregates per their
/// wooly.byval_* attributes), static shared memory, launch bounds. Hidden
/// parameters (wooly.hidden, added by address fencing) are left out: the
/// executor supplies them, clients never see them.
std::vector<KernelInfo> describeKernels(mlir::ModuleOp module);

class GpuModuleCompiler {
public:
  /// `target` names the device target in cache keys ("nvptx:sm_90").
  GpuModuleCompiler(std::string target, BackendCompile backend)
      : target(std::move(target)), backend(std::move(backend)) {}

  /// Compiled images kept in memory at most.
  static constexpr size_t kMaxCachedModules = 256;

  /// Thread-safe. CompileError with the diagnostics for a bad module.
  /// With `fence`, wooly-fence-addresses runs before the backend
  /// (docs/address-fencing.md) and `out.segment` describes the module's
  /// data segment.
  Status compile(std::span<const uint8_t> wis, bool fence,
                 CompiledModule &out);
  Status compile(std::span<const uint8_t> wis, CompiledModule &out) {
    return compile(wis, /*fence=*/false, out);
  }

  /// A ModuleCompiler for GpuContext that calls compile().
  ModuleCompiler asCallback() {
    return [this](std::span<const uint8_t> wis, bool fence,
                  CompiledModule &out) { return compile(wis, fence, out); };
  }

private:
  std::string target;
  BackendCompile backend;
  std::mutex mutex;
  std::map<std::string, CompiledModule> cache; // content key -> result
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_GPUMODULECOMPILER_H
