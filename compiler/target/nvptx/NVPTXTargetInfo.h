//===- NVPTXTargetInfo.h - WIS lowering hooks for NVIDIA GPUs ---*- C++ -*-===//
//
// The nvptx half of the WIS -> LLVM lowering: PTX address spaces, NVPTX
// sync scopes, and the GPU-specific ops mapped onto NVVM intrinsics (special
// registers, bar.sync/barrier.sync, shfl/vote/match/redux.sync, vprintf,
// approximate and directed-rounding math). The shared patterns live in
// compiler/target/common.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_NVPTXTARGETINFO_H
#define WOOLY_COMPILER_TARGET_NVPTX_NVPTXTARGETINFO_H

#include "compiler/target/common/TargetInfo.h"

namespace wooly::nvptx {

class NVPTXTargetInfo final : public TargetInfo {
public:
  /// `computeCapability` is major*10+minor (75 for sm_75): it picks native
  /// instructions (redux.sync on sm_80+) or their emulation.
  explicit NVPTXTargetInfo(unsigned computeCapability)
      : computeCapability(computeCapability) {}

  llvm::StringRef name() const override { return "nvptx"; }
  unsigned addressSpace(AddressSpace space) const override;
  std::string syncScope(MemScope scope) const override;
  void annotateKernel(KernelOp kernel,
                      mlir::LLVM::LLVMFuncOp lowered) const override;

  mlir::LogicalResult
  lowerGeometry(mlir::Operation *op, mlir::ValueRange operands,
                mlir::ValueRange hidden,
                mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult lowerSynchronization(
      mlir::Operation *op, mlir::ValueRange operands, mlir::ValueRange hidden,
      mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult
  lowerWarpCollective(mlir::Operation *op, mlir::ValueRange operands,
                      mlir::ValueRange hidden,
                      mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult
  lowerControl(mlir::Operation *op, mlir::ValueRange operands,
               mlir::ValueRange hidden,
               mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::FailureOr<mlir::Value>
  lowerApprox(mlir::OpBuilder &builder, mlir::Location loc, ApproxKind kind,
              mlir::ValueRange operands) const override;
  mlir::FailureOr<mlir::Value>
  lowerApproxFtz(mlir::OpBuilder &builder, mlir::Location loc, ApproxKind kind,
                 mlir::ValueRange operands) const override;
  mlir::FailureOr<mlir::Value>
  lowerDirectedRounding(mlir::OpBuilder &builder, mlir::Location loc,
                        llvm::StringRef what, Rounding rounding,
                        mlir::ValueRange operands, mlir::Type resultType,
                        mlir::ValueRange hidden) const override;
  void populateMathPatterns(mlir::LLVMTypeConverter &converter,
                            mlir::RewritePatternSet &patterns) const override;

private:
  unsigned computeCapability;
};

/// LLVM 22's NVPTX backend prints every `atomicrmw` as a relaxed `atom`,
/// dropping its ordering (cmpxchg, atomic loads/stores and fences keep
/// theirs). This makes the ordering explicit with fences of the same scope
/// around a relaxed read-modify-write: release (or seq_cst) before, acquire
/// after. Run on the lowered (LLVM dialect) module.
void fenceOrderedAtomicRMW(mlir::ModuleOp module);

/// Module variables in global and const memory are the host's too
/// (cudaMemcpyToSymbol, cuModuleGetGlobal): they become visible, writable
/// definitions, so the driver finds them by name and LLVM never folds their
/// initial values into the code.
void exposeModuleVariables(mlir::ModuleOp module);

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_NVPTXTARGETINFO_H
