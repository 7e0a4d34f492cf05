//===- Translate.h - PTX text → WIS module ------------------------*- C++ -*-===//
//
// The PTX front end's public API, used by the client runtime (PTX from a
// fatbin), the daemon and `wooly-cc`:
//
//   mlir::MLIRContext ctx;
//   std::string errors;
//   auto module = wooly::ptx::translatePTX(text, "kernel.ptx", ctx, {}, &errors);
//   if (failed(module)) { print errors: "kernel.ptx:12:3: error: ..." }
//
// translatePTXCached does the same but returns MLIR bytecode and keeps it in
// a content-addressed cache ($WOOLY_CACHE_DIR, default ~/.cache/wooly), so a
// program that starts again skips translation.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_TRANSLATE_H
#define WOOLY_COMPILER_PTX_TRANSLATE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class MLIRContext;
class DialectRegistry;
} // namespace mlir

namespace wooly::ptx {

struct TranslateOptions {
  /// 0: SSA construction only (mem2reg); 1 and up: also canonicalize + CSE.
  int optLevel = 2;
};

/// Registers every dialect a translated module uses (wooly, arith, math, cf).
void registerTranslationDialects(mlir::DialectRegistry &registry);

/// Parses and lowers PTX to a verified WIS module. On failure returns
/// failure() and, when `errors` is given, appends one
/// `file:line:col: error: message` line per problem.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
translatePTX(llvm::StringRef ptx, llvm::StringRef fileName,
             mlir::MLIRContext &ctx, const TranslateOptions &options = {},
             std::string *errors = nullptr);

/// translatePTX, then MLIR bytecode, cached (DiskCache: $WOOLY_CACHE_DIR, else
/// ~/.cache/wooly) by a SHA-256 of the PTX text and the translator version. `cacheHit` (optional) says whether the cache
/// answered. A cache that cannot be written is not an error.
mlir::FailureOr<std::string>
translatePTXCached(llvm::StringRef ptx, llvm::StringRef fileName,
                   mlir::MLIRContext &ctx, const TranslateOptions &options = {},
                   std::string *errors = nullptr, bool *cacheHit = nullptr);

} // namespace wooly::ptx

#endif // WOOLY_COMPILER_PTX_TRANSLATE_H
