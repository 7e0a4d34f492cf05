//===- ClientModule.cpp - WIS as a server must read it --------------------===//

#include "compiler/ClientModule.h"
#include "compiler/Registration.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

namespace wooly {
namespace {
mlir::DialectRegistry allDialects() {
  mlir::DialectRegistry registry;
  registerAllWoolyDialects(registry);
  return registry;
}
} // namespace

ClientModule::ClientModule(std::span<const uint8_t> wis)
    : context_(allDialects(), mlir::MLIRContext::Threading::DISABLED),
      handler_(&context_, [this](mlir::Diagnostic &d) {
        llvm::raw_string_ostream os(diagnostics_);
        os << d.getLocation() << ": " << d << "\n";
        return mlir::success();
      }) {
  context_.loadAllAvailableDialects();
  llvm::StringRef text(reinterpret_cast<const char *>(wis.data()), wis.size());
  mlir::ParserConfig config(&context_);
  module_ = mlir::parseSourceString<mlir::ModuleOp>(text, config, "client-module");
  if (!module_) {
    failure_ = "the module is not valid WIS (MLIR bytecode or text)";
    return;
  }
  if (mlir::failed(verifyWISModule(*module_, WISLimits()))) {
    failure_ = "the module failed WIS verification";
    module_ = nullptr;
  }
}

} // namespace wooly
