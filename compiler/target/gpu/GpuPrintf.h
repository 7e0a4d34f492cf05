//===- GpuPrintf.h - Device printf into Wooly's printf buffer ---*- C++ -*-===//
//
// Both GPU backends lower `wooly.printf` the same way: the kernel appends a
// record (format index, vprintf argument bytes, the text of its %s strings)
// to its context's printf buffer, which the executor drains at
// synchronization points and formats with formatDevicePrintf
// (GpuPrintfABI.h has the layout).
//
// The format must be known at compile time: annotatePrintfFormats gives
// every printf whose format is a constant string (the address of an
// initialized module variable, as nvcc emits it) its index in the module's
// format table and the text; the executor keeps the table. A printf without
// one cannot use the buffer (nvptx falls back to the driver's vprintf; amdgpu
// rejects it).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUPRINTF_H
#define WOOLY_COMPILER_TARGET_GPU_GPUPRINTF_H

#include "compiler/target/gpu/GpuDeviceStrings.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>
#include <vector>

namespace wooly::gpu {

/// Attributes annotatePrintfFormats puts on a printf.
inline constexpr const char *kPrintfIdAttr = "wooly.printf_id";
inline constexpr const char *kPrintfFormatAttr = "wooly.printf_format";

/// Annotates every printf with a constant format (ids in walk order, after
/// those already annotated) and returns the module's format table, indexed
/// by id. Idempotent: run it before address fencing hides the formats.
std::vector<std::string> annotatePrintfFormats(mlir::ModuleOp module);

/// The vendor pieces of the lowering.
struct PrintfTarget {
  /// An i1: whether a generic pointer points into shared or local memory
  /// (fencing leaves those as they are, as it does for the kernel's own
  /// generic accesses).
  InSharedOrLocal inSharedOrLocal;
  /// The syncscope of device-wide atomics ("device", "agent").
  std::string deviceScope;
};

/// Whether `op` carries a format from annotatePrintfFormats.
bool hasConstantFormat(PrintfOp op);

/// Replaces an annotated printf by the record-writing code; the result is
/// the number of conversions, or -1 when the record was not written (no
/// buffer, or the buffer is full).
mlir::LogicalResult
lowerPrintfToBuffer(PrintfOp op, mlir::ValueRange operands,
                    mlir::ConversionPatternRewriter &rewriter,
                    const PrintfTarget &target);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUPRINTF_H
