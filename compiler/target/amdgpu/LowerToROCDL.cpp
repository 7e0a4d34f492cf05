//===- LowerToROCDL.cpp - The amdgpu lowering as a pass -------------------===//

#include "compiler/target/amdgpu/AMDGPUCodegen.h"
#include "compiler/target/amdgpu/AMDGPUTargetInfo.h"
#include "compiler/target/amdgpu/Passes.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuPrintf.h"

namespace wooly::amdgpu {

#define GEN_PASS_DEF_WOOLYLOWERTOROCDL
#include "compiler/target/amdgpu/Passes.h.inc"

namespace {
struct LowerToROCDL : impl::WoolyLowerToROCDLBase<LowerToROCDL> {
  using Base::Base;
  void runOnOperation() override {
    if (llvm::Error err = checkArchitecture(chip)) {
      getOperation().emitError() << llvm::toString(std::move(err));
      return signalPassFailure();
    }
    AMDGPUTargetInfo target(wavefrontSize(chip));
    // Printf records need their formats (the executor does this before
    // fencing; here it covers unfenced modules).
    gpu::annotatePrintfFormats(getOperation());
    if (mlir::failed(lowerWISToLLVMDialect(getOperation(), target)))
      return signalPassFailure();
    initializeNamedBarriers(getOperation());
    exposeModuleVariables(getOperation());
  }
};
} // namespace

} // namespace wooly::amdgpu
