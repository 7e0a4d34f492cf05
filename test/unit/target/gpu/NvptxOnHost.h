//===- NvptxOnHost.h - nvptx device code run on the host CPU ----*- C++ -*-===//
//
// What the GPU lowerings write into buffers the executors read back (printf
// records, the fault record) is tested without a GPU: WIS text is lowered
// by the nvptx TargetInfo, translated to LLVM IR, given the C calling
// convention and the host's layout, and JIT-compiled by ORC. Code that
// reads PTX special registers or exits needs them replaced by host
// functions first (`adjust`).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_GPU_NVPTXONHOST_H
#define WOOLY_TEST_UNIT_TARGET_GPU_NVPTXONHOST_H

#include "compiler/Registration.h"
#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/nvptx/NVPTXTargetInfo.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>

namespace wooly::testing {

class NvptxOnHost {
public:
  /// `beforeLowering` sees the parsed WIS module; `adjust` the LLVM module
  /// before it is compiled, with the JIT to define host symbols in.
  explicit NvptxOnHost(
      const char *wis,
      const std::function<void(mlir::ModuleOp)> &beforeLowering = {},
      const std::function<void(llvm::Module &, llvm::orc::LLJIT &)> &adjust =
          {}) {
    mlir::DialectRegistry registry;
    registerAllWoolyDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(wis, &context);
    REQUIRE(module);
    if (beforeLowering)
      beforeLowering(*module);
    nvptx::NVPTXTargetInfo target(90);
    REQUIRE(mlir::succeeded(lowerWISToLLVMDialect(*module, target)));
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    std::unique_ptr<llvm::Module> ir = translateToLLVMIR(*module, *llvmContext);
    REQUIRE(ir);
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto built = llvm::orc::LLJITBuilder().create();
    if (!built)
      FAIL(llvm::toString(built.takeError()));
    jit = std::move(*built);
    if (adjust)
      adjust(*ir, *jit);
    // A host function now: the C convention, the host's layout.
    for (llvm::Function &fn : *ir)
      fn.setCallingConv(llvm::CallingConv::C);
    ir->setTargetTriple(jit->getTargetTriple());
    ir->setDataLayout(jit->getDataLayout());
    if (llvm::Error e = jit->addIRModule(
            llvm::orc::ThreadSafeModule(std::move(ir), std::move(llvmContext))))
      FAIL(llvm::toString(std::move(e)));
  }

  /// The address of `name` in the compiled code, as a T.
  template <typename T> T lookup(const char *name) {
    auto symbol = jit->lookup(name);
    if (!symbol)
      FAIL(llvm::toString(symbol.takeError()));
    return symbol->toPtr<T>();
  }

private:
  mlir::MLIRContext context;
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

} // namespace wooly::testing

#endif // WOOLY_TEST_UNIT_TARGET_GPU_NVPTXONHOST_H
