//===- TranslateFuzzer.cpp - libFuzzer entry point for PTX → WIS ----------===//
//
// The whole front end (parse, lower, mem2reg, canonicalize, verify) on any
// bytes: it must return a verified module or errors, never crash or hang.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Translate.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context uniques every name it sees: start a fresh one now and then so
  // a long run does not grow without bound.
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned runs = 0;
  if (!ctx || ++runs % 2000 == 0)
    ctx = std::make_unique<mlir::MLIRContext>();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::string errors;
  auto module = wooly::ptx::translatePTX(text, "fuzz.ptx", *ctx, {}, &errors);
  if (mlir::succeeded(module) && mlir::failed(mlir::verify(module->get())))
    std::abort(); // translatePTX promised a verified module
  if (mlir::failed(module) && errors.empty())
    std::abort(); // every failure must say why
  return 0;
}
