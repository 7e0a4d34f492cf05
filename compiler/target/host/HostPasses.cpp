//===- HostPasses.cpp - wooly-lower-to-host, the lowering as an MLIR pass -===//
//
// Lets lit and wooly-opt look at the host lowering: WIS in, LLVM dialect out
// (before the entry points and cancellation polls, which are added on LLVM IR).
//
//===----------------------------------------------------------------------===//

#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/host/HostCompiler.h"
#include "compiler/target/host/HostTargetInfo.h"

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace wooly::host {
namespace {

struct LowerToHostPass
    : PassWrapper<LowerToHostPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerToHostPass)
  StringRef getArgument() const final { return "wooly-lower-to-host"; }
  StringRef getDescription() const final {
    return "lower WIS to the LLVM dialect for the host CPU (SIMT on a CPU: "
           "hidden thread context, runtime calls for barriers and warp ops)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }
  void runOnOperation() override {
    VariableLayout layout = computeVariableLayout(getOperation());
    HostTargetInfo target(layout);
    if (failed(lowerWISToLLVMDialect(getOperation(), target)))
      signalPassFailure();
  }
};

} // namespace

void registerHostPasses() { PassRegistration<LowerToHostPass>(); }

} // namespace wooly::host
