//===- Passes.td - amdgpu backend passes -------------------*- tablegen -*-===//
#ifndef WOOLY_TARGET_AMDGPU_PASSES_TD
#define WOOLY_TARGET_AMDGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def WoolyLowerToROCDL : Pass<"wooly-lower-to-rocdl", "::mlir::ModuleOp"> {
  let summary = "lower a WIS module to the LLVM dialect for AMD GPUs";
  let description = [{
    The amdgpu backend's lowering: the common WIS patterns plus AMDGPU
    intrinsics for thread geometry, barriers and warp collectives, for one
    processor. On wave64 processors (gfx90a, gfx942) each 32-lane WIS warp
    is half a wave and every warp op is emulated exactly on that half. The
    result translates with `mlir-translate --mlir-to-llvmir` and compiles
    with `llc -mtriple=amdgcn-amd-amdhsa`; `wooly-cc --target=amdgpu:gfxNNN`
    runs the whole pipeline.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"gfx942\"",
           "the AMD processor (gfx90a, gfx942, gfx1100, ...)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // WOOLY_TARGET_AMDGPU_PASSES_TD
