//===- wooly-opt.cpp - mlir-opt with WIS and Wooly's passes ---------------===//
//
// The driver of the lit tests: parses, verifies, transforms and prints WIS.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  wooly::registerAllWoolyPasses();
  mlir::DialectRegistry registry;
  wooly::registerAllWoolyDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Wooly optimizer driver (WIS dialect)\n", registry));
}
