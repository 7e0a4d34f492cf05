//===- ClientModule.h - WIS as a server must read it ------------*- C++ -*-===//
//
// A module a client sent, read the way every executor must read it: in an
// MLIR context of its own (all Wooly dialects), every diagnostic collected so
// the client can be told why, and verified as WIS (allowed dialects, limits)
// before anything else runs on it. Shared by the host and GPU module
// compilers.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_CLIENTMODULE_H
#define WOOLY_COMPILER_CLIENTMODULE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <span>
#include <string>

namespace wooly {

class ClientModule {
public:
  /// Parses `wis` (MLIR bytecode or text) and verifies it with the default
  /// WISLimits.
  explicit ClientModule(std::span<const uint8_t> wis);
  ClientModule(const ClientModule &) = delete;
  ClientModule &operator=(const ClientModule &) = delete;

  /// Null when parsing or verification failed (see failure()).
  mlir::ModuleOp module() { return module_ ? *module_ : nullptr; }
  mlir::MLIRContext &context() { return context_; }
  /// What failed ("" when the module parsed and verified).
  const std::string &failure() const { return failure_; }
  /// Every diagnostic on this context so far, later passes' included.
  const std::string &diagnostics() const { return diagnostics_; }

private:
  mlir::MLIRContext context_;
  std::string diagnostics_;
  mlir::ScopedDiagnosticHandler handler_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::string failure_;
};

} // namespace wooly

#endif // WOOLY_COMPILER_CLIENTMODULE_H
