//===- DeviceTestSupport.h - Helpers of the GPU device tests -----*- C++
//-*-===//
//
// What the tests of the cuda/hip executors and of the GPU module compiler
// share: module compiler backends for one chip, and a device's executor or
// a warning that the test is skipped where there is no such device.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_GPU_DEVICETESTSUPPORT_H
#define WOOLY_TEST_UNIT_TARGET_GPU_DEVICETESTSUPPORT_H

#include "compiler/target/amdgpu/AMDGPUPipeline.h"
#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/gpu/GpuModuleCompiler.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace wooly::exec::gpu::testing {

/// A module compiler backend: PTX for `arch` (sm_XX).
inline BackendCompile nvptxBackend(std::string arch) {
  return [arch](mlir::ModuleOp module, std::vector<uint8_t> &image,
                std::string &error) {
    wooly::nvptx::CodegenOptions options;
    options.arch = arch;
    auto ptx = wooly::nvptx::compileToPTX(module, options);
    if (!ptx) {
      error = llvm::toString(ptx.takeError());
      return false;
    }
    image.assign(ptx->begin(), ptx->end());
    return true;
  };
}

/// A module compiler backend: an AMD code object for `arch` (gfxXXX).
inline BackendCompile amdgpuBackend(std::string arch) {
  return [arch](mlir::ModuleOp module, std::vector<uint8_t> &image,
                std::string &error) {
    wooly::amdgpu::CodegenOptions options;
    options.arch = arch;
    auto object = wooly::amdgpu::compileToCodeObject(module, options);
    if (!object) {
      error = llvm::toString(object.takeError());
      return false;
    }
    image.assign(object->begin(), object->end());
    return true;
  };
}

/// The executor of `kind` ("cuda", "hip"), or null after a warning that the
/// test is skipped because this machine has no such device.
inline std::unique_ptr<Executor>
deviceExecutor(const std::string &kind, const ExecutorOptions &options = {}) {
  std::unique_ptr<Executor> executor;
  Status status = createExecutor(kind, options, executor);
  if (status)
    return executor;
  WARN("no " << kind << " device: skipped (" << status.message << ")");
  return nullptr;
}

} // namespace wooly::exec::gpu::testing

#endif // WOOLY_TEST_UNIT_TARGET_GPU_DEVICETESTSUPPORT_H
