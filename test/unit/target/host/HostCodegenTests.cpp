// emitHostCode: what LLVM's x86-64 backend cannot select fails the compile
// with LLVM's reason instead of ending the process, and gives back what the
// failed compile built.

#include "compiler/target/host/HostCompiler.h"
#include "test/unit/target/HeapInUse.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"

#include <catch2/catch.hpp>

namespace {

// An NVPTX intrinsic has no x86-64 instruction: selection ends in one of
// LLVM's fatal errors ("Cannot select").
const char *kUnselectable = R"(
define void @k(ptr %p) {
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  store i32 %tid, ptr %p
  ret void
}
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
)";

/// The error emitHostCode gives for kUnselectable (empty if it succeeded).
std::string failToSelect() {
  llvm::LLVMContext context;
  llvm::SMDiagnostic diag;
  auto module = llvm::parseAssemblyString(kUnselectable, diag, context);
  REQUIRE(module);
  auto machine = wooly::host::createHostTargetMachine(3);
  REQUIRE(static_cast<bool>(machine));
  module->setDataLayout((*machine)->createDataLayout());
  module->setTargetTriple((*machine)->getTargetTriple());
  llvm::SmallVector<char, 0> code;
  llvm::Error e = wooly::host::emitHostCode(
      *module, **machine, wooly::host::HostEmitKind::Object, code);
  return e ? llvm::toString(std::move(e)) : std::string();
}

} // namespace

TEST_CASE("what the host backend cannot select fails the compile, not the "
          "process",
          "[host][codegen]") {
  std::string error = failToSelect();
  INFO(error);
  CHECK(error.find("host code generation failed") != std::string::npos);
  CHECK(error.find("Cannot select") != std::string::npos);
}

TEST_CASE("a host compile the backend gives up on frees what it built",
          "[host][codegen]") {
  constexpr int kCompiles = 20;
  size_t grown = wooly::test::heapGrowthOver(
      kCompiles, [] { CHECK_FALSE(failToSelect().empty()); });
  INFO("heap grew by " << grown << " bytes over " << kCompiles
                       << " failed compiles");
  CHECK(grown < kCompiles * 16 * 1024);
}
