//===- GpuDeviceStrings.h - Reading C strings in GPU kernels ----*- C++ -*-===//
//
// Device printf (%s arguments) and the fault record (an assert's message,
// file and function) both copy a C string a kernel points at into a buffer
// the executor reads back. A fenced kernel's string must stay in its
// session's arena byte by byte, unless it lies in the thread's shared or
// local window; these are the pieces both lowerings build that from.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUDEVICESTRINGS_H
#define WOOLY_COMPILER_TARGET_GPU_GPUDEVICESTRINGS_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>
#include <optional>
#include <utility>

namespace wooly::gpu {

/// An LLVM integer constant of `type`.
mlir::Value intConstant(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, int64_t value);

/// `ptr + offset` bytes.
mlir::Value byteAt(mlir::OpBuilder &b, mlir::Location loc, mlir::Value ptr,
                   mlir::Value offset);

/// i32 __wooly_printf_string(ptr<1> dst, i64 src, i32 max, i64 base,
/// i64 mask): the length of the string at `src` (at most `max` bytes; 0 for
/// a null `src`), copied to `dst` (without its NUL) unless `dst` is null.
/// Each byte is read at ((src + i) & mask) | base, so a fenced kernel's
/// string stays in its arena (mask = ~0, base = 0 when it need not).
/// Declared once per module.
mlir::LLVM::LLVMFuncOp stringCopier(mlir::ConversionPatternRewriter &b,
                                    mlir::ModuleOp module, mlir::Location loc);

/// The arena base and mask of the fenced function enclosing `op` (its
/// `wooly.hidden` parameters); nullopt when it is not fenced.
std::optional<std::pair<mlir::Value, mlir::Value>>
arenaOf(mlir::Operation *op);

/// An i1: whether a generic pointer points into shared or local memory.
using InSharedOrLocal = std::function<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value)>;

/// The base and mask to read the string at `pointer` (an i64 generic
/// address) with: unconfined without an arena, else the arena's unless the
/// pointer is in the thread's shared or local window.
std::pair<mlir::Value, mlir::Value>
stringWindow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value pointer,
             std::optional<std::pair<mlir::Value, mlir::Value>> arena,
             const InSharedOrLocal &inSharedOrLocal);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUDEVICESTRINGS_H
