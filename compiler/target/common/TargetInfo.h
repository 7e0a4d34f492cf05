//===- TargetInfo.h - What differs per backend in the WIS lowering -*- C++ -*-===//
//
// The WIS -> LLVM dialect lowering is shared by every backend (host, nvptx,
// amdgpu). The target-neutral ops (functions, memory, atomics, arithmetic,
// conversions, bit ops) are lowered by common patterns; everything that needs
// the hardware (thread geometry, barriers, warp collectives, trap, printf,
// clocks, approximate math, directed rounding) is delegated to a TargetInfo.
//
// Contract for implementers:
//  * addressSpace() gives the LLVM address space for each WIS space. Pointers
//    are always 64 bits when converted to integers.
//  * hiddenParamTypes() are leading parameters added to every lowered kernel
//    and device function (the host passes its per-thread context this way);
//    calls forward them. Hooks receive the enclosing function's hidden values.
//  * Each lower* hook either replaces `op` through `rewriter` (using the
//    already-converted `operands`) and returns success, or returns failure,
//    which makes the conversion fail with "op not supported on <target>".
//  * Hooks are called during a dialect conversion: create ops with the
//    rewriter, never erase ops other than `op`.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_COMMON_TARGETINFO_H
#define WOOLY_COMPILER_TARGET_COMMON_TARGETINFO_H

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>

namespace wooly {

/// Where module-scope variables of one space sit once laid out in a segment
/// (the host puts shared variables in the block's shared buffer and global /
/// const variables in one arena allocation per loaded module).
struct VariableLayout {
  llvm::StringMap<uint64_t> offsets;      // variable name -> byte offset
  llvm::StringMap<AddressSpace> spaces;   // variable name -> its space
  uint64_t sharedBytes = 0;          // static shared memory per block
  uint64_t dynamicSharedOffset = 0;  // where dynamic shared memory starts
  uint64_t globalBytes = 0;          // global + const variables together
  uint64_t globalAlign = 1;
};

/// Lays out every `wooly.global` of the module: shared variables in one
/// segment, global and const ones in another, each aligned as declared.
VariableLayout computeVariableLayout(mlir::ModuleOp module);

class TargetInfo {
public:
  virtual ~TargetInfo();

  /// A short name for diagnostics ("host", "nvptx", "amdgpu").
  virtual llvm::StringRef name() const = 0;

  /// LLVM address space for a WIS address space.
  virtual unsigned addressSpace(AddressSpace space) const = 0;

  /// Leading parameters added to every lowered kernel and device function.
  virtual llvm::SmallVector<mlir::Type>
  hiddenParamTypes(mlir::MLIRContext *context) const {
    return {};
  }

  /// The LLVM `syncscope` string for a WIS memory scope ("" = system).
  virtual std::string syncScope(MemScope scope) const = 0;

  /// Called once the lowered kernel exists (calling convention, kernel
  /// annotations, launch bounds).
  virtual void annotateKernel(KernelOp kernel,
                              mlir::LLVM::LLVMFuncOp lowered) const {}

  /// The address of a module-scope variable. `offset` is its place in the
  /// VariableLayout (extern shared variables sit at dynamicSharedOffset). The
  /// default takes the address of the LLVM global of the same name
  /// (variablesAsGlobals must then be true for its space).
  virtual mlir::FailureOr<mlir::Value>
  variableAddress(mlir::OpBuilder &builder, mlir::Location loc,
                  llvm::StringRef name, AddressSpace space, uint64_t offset,
                  mlir::ValueRange hidden) const;

  /// Whether `wooly.global` in this space becomes an LLVM global.
  virtual bool variablesAsGlobals(AddressSpace space) const { return true; }

  /// Pointer <-> integer for a space. PTX keeps shared (and local) addresses
  /// as small offsets in 32-bit registers; a target whose pointers in such a
  /// space are not those offsets converts here. Defaults: ptrtoint/inttoptr
  /// through i64.
  virtual mlir::Value pointerToInt(mlir::OpBuilder &builder, mlir::Location loc,
                                   mlir::Value ptr, AddressSpace space,
                                   mlir::Type intType,
                                   mlir::ValueRange hidden) const;
  virtual mlir::Value intToPointer(mlir::OpBuilder &builder, mlir::Location loc,
                                   mlir::Value value, AddressSpace space,
                                   mlir::Type ptrType,
                                   mlir::ValueRange hidden) const;

  /// Thread geometry, lanes, special registers: thread_id, block_dim,
  /// block_id, grid_dim, lane_id, lane_mask, dynamic_shared,
  /// dynamic_shared_size, hw_reg, clock, global_timer, is_space.
  virtual mlir::LogicalResult
  lowerGeometry(mlir::Operation *op, mlir::ValueRange operands,
                mlir::ValueRange hidden,
                mlir::ConversionPatternRewriter &rewriter) const = 0;

  /// barrier, barrier_reduce, warp_sync.
  virtual mlir::LogicalResult
  lowerSynchronization(mlir::Operation *op, mlir::ValueRange operands,
                       mlir::ValueRange hidden,
                       mlir::ConversionPatternRewriter &rewriter) const = 0;

  /// shuffle, vote, match, redux, active_mask.
  virtual mlir::LogicalResult
  lowerWarpCollective(mlir::Operation *op, mlir::ValueRange operands,
                      mlir::ValueRange hidden,
                      mlir::ConversionPatternRewriter &rewriter) const = 0;

  /// trap, exit (from a device function), assert_fail, printf, breakpoint.
  virtual mlir::LogicalResult
  lowerControl(mlir::Operation *op, mlir::ValueRange operands,
               mlir::ValueRange hidden,
               mlir::ConversionPatternRewriter &rewriter) const = 0;

  /// wooly.approx (ftz already applied to the operands by the caller; the
  /// result is flushed by the caller too).
  virtual mlir::FailureOr<mlir::Value>
  lowerApprox(mlir::OpBuilder &builder, mlir::Location loc, ApproxKind kind,
              mlir::ValueRange operands) const;

  /// wooly.approx with ftz, when the target has an instruction that flushes
  /// subnormal inputs and results itself (PTX's *.approx.ftz.f32): one
  /// instruction instead of the explicit flushes around lowerApprox. Failure
  /// (the default) means the caller flushes and calls lowerApprox.
  virtual mlir::FailureOr<mlir::Value>
  lowerApproxFtz(mlir::OpBuilder &builder, mlir::Location loc, ApproxKind kind,
                 mlir::ValueRange operands) const {
    return mlir::failure();
  }

  /// An IEEE operation with a rounding mode other than round-to-nearest-even.
  /// `what` is "add", "sub", "mul", "div", "fma", "sqrt", "rcp" (float
  /// operands), "sitofp"/"uitofp" (integer operand) or "fptrunc" (float in,
  /// narrower float out). No default: LLVM IR has no portable way to ask for
  /// a static rounding mode.
  virtual mlir::FailureOr<mlir::Value>
  lowerDirectedRounding(mlir::OpBuilder &builder, mlir::Location loc,
                        llvm::StringRef what, Rounding rounding,
                        mlir::ValueRange operands, mlir::Type resultType,
                        mlir::ValueRange hidden) const {
    return mlir::failure();
  }

  /// Patterns for `math` ops (the host uses LLVM intrinsics and libm, GPUs
  /// their device libraries). The default adds upstream MathToLLVM.
  virtual void populateMathPatterns(mlir::LLVMTypeConverter &converter,
                                    mlir::RewritePatternSet &patterns) const;
};

} // namespace wooly

#endif // WOOLY_COMPILER_TARGET_COMMON_TARGETINFO_H
