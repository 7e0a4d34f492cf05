//===- PtxToWis.cpp - PTX text to WIS bytecode, cached on disk -----------===//
#include "runtime/client/core/PtxToWis.h"

#ifdef WOOLY_HAVE_PTX_TRANSLATOR
#include "compiler/ptx/Translate.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#endif

namespace wooly::client {

bool translatePtxCached(const std::string &ptx, std::vector<uint8_t> &wis,
                        std::string &error) {
#ifdef WOOLY_HAVE_PTX_TRANSLATOR
  // One context for the process, never destroyed: modules may load from
  // static constructors and the runtime outlives static destructors.
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    wooly::ptx::registerTranslationDialects(registry);
    auto *c = new mlir::MLIRContext(registry);
    c->loadAllAvailableDialects();
    return c;
  }();
  std::string errors;
  auto bytes =
      wooly::ptx::translatePTXCached(ptx, "program.ptx", *context, {}, &errors);
  if (mlir::failed(bytes)) {
    error = errors.empty() ? "PTX translation failed" : errors;
    return false;
  }
  wis.assign(bytes->begin(), bytes->end());
  return true;
#else
  (void)ptx;
  (void)wis;
  error = "this Wooly build has no PTX translator (compiler/ptx)";
  return false;
#endif
}

} // namespace wooly::client
