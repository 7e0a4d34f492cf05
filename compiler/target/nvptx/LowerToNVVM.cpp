//===- LowerToNVVM.cpp - The nvptx lowering as a pass ---------------------===//

#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuPrintf.h"
#include "compiler/target/nvptx/NVPTXCodegen.h"
#include "compiler/target/nvptx/NVPTXTargetInfo.h"
#include "compiler/target/nvptx/Passes.h"

namespace wooly::nvptx {

#define GEN_PASS_DEF_WOOLYLOWERTONVVM
#include "compiler/target/nvptx/Passes.h.inc"

namespace {
struct LowerToNVVM : impl::WoolyLowerToNVVMBase<LowerToNVVM> {
  using Base::Base;
  void runOnOperation() override {
    if (llvm::Error err = checkArchitecture(chip)) {
      getOperation().emitError() << llvm::toString(std::move(err));
      return signalPassFailure();
    }
    NVPTXTargetInfo target(computeCapability(chip));
    // Printf records need their formats (the executor does this before
    // fencing; here it covers unfenced modules).
    gpu::annotatePrintfFormats(getOperation());
    if (mlir::failed(lowerWISToLLVMDialect(getOperation(), target)))
      return signalPassFailure();
    fenceOrderedAtomicRMW(getOperation());
    exposeModuleVariables(getOperation());
  }
};
} // namespace

} // namespace wooly::nvptx
