//===- WoolyDialect.cpp - Dialect registration, types, attributes ---------===//

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace wooly;

#include "dialects/wooly/WoolyDialect.cpp.inc"
#include "dialects/wooly/WoolyEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/wooly/WoolyAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/wooly/WoolyTypes.cpp.inc"

void WoolyDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/wooly/WoolyOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/wooly/WoolyTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/wooly/WoolyAttrs.cpp.inc"
      >();
}

uint64_t wooly::getStorageSize(Type type) {
  if (isa<PtrType>(type))
    return 8;
  if (type.isIntOrFloat()) {
    unsigned bits = type.getIntOrFloatBitWidth();
    return bits == 1 ? 1 : (bits + 7) / 8;
  }
  return 0;
}
