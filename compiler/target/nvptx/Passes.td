//===- Passes.td - nvptx backend passes --------------------*- tablegen -*-===//
#ifndef WOOLY_TARGET_NVPTX_PASSES_TD
#define WOOLY_TARGET_NVPTX_PASSES_TD

include "mlir/Pass/PassBase.td"

def WoolyLowerToNVVM : Pass<"wooly-lower-to-nvvm", "::mlir::ModuleOp"> {
  let summary = "lower a WIS module to the LLVM dialect for NVIDIA GPUs";
  let description = [{
    The nvptx backend's lowering: the common WIS patterns plus NVVM
    intrinsics for thread geometry, barriers, warp collectives, printf,
    approximate math and directed rounding, for one SM architecture. The
    result translates with `mlir-translate --mlir-to-llvmir` and compiles
    with `llc -mtriple=nvptx64-nvidia-cuda`; `wooly-cc --target=nvptx:sm_XX`
    runs the whole pipeline.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_75\"",
           "the SM architecture (sm_70 ... sm_121a)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // WOOLY_TARGET_NVPTX_PASSES_TD
