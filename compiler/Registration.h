//===- Registration.h - Everything the Wooly tools register -----*- C++ -*-===//
//
// One place that lists the dialects a WIS module may use and the passes of
// every compiler library, so wooly-opt, wooly-cc and the server agree.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_REGISTRATION_H
#define WOOLY_COMPILER_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace wooly {
/// The dialects of WIS: wooly, arith, math, cf, scf (and builtin).
void registerWISDialects(mlir::DialectRegistry &registry);
/// Every dialect wooly-opt can parse (WIS plus the backends' targets).
void registerAllWoolyDialects(mlir::DialectRegistry &registry);
/// Every pass of the compiler libraries plus the upstream ones we rely on.
void registerAllWoolyPasses();
} // namespace wooly

#endif // WOOLY_COMPILER_REGISTRATION_H
