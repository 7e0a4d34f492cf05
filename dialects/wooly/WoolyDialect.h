//===- WoolyDialect.h - The Wooly Instruction Set dialect -------*- C++ -*-===//
//
// Include this header to use the `wooly` dialect: its ops, types and enums.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DIALECTS_WOOLY_WOOLYDIALECT_H
#define WOOLY_DIALECTS_WOOLY_WOOLYDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/MemorySlotInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/wooly/WoolyDialect.h.inc"
#include "dialects/wooly/WoolyEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/wooly/WoolyAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/wooly/WoolyTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/wooly/WoolyOps.h.inc"

namespace wooly {
/// Byte size of a scalar type as it sits in WIS memory (pointers are 8).
/// Returns 0 for types that cannot be stored.
uint64_t getStorageSize(mlir::Type type);
} // namespace wooly

#endif // WOOLY_DIALECTS_WOOLY_WOOLYDIALECT_H
