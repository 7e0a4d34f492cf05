//===- VerifyModule.cpp - Is this finished WIS a server may compile? ------===//
//
// Runs on the server before any compilation: a client's module is checked for
// the WIS dialects, module-scope shape, leftover front-end ops, external calls
// and resource limits. Each problem is one diagnostic at the op that causes it.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

namespace wooly {
#define GEN_PASS_DEF_WOOLYVERIFYMODULE
#include "compiler/transforms/Passes.h.inc"
} // namespace wooly

using namespace mlir;
using namespace wooly;

namespace {

bool isWISDialect(Dialect *dialect) {
  return isa_and_nonnull<WoolyDialect, arith::ArithDialect, math::MathDialect,
                         cf::ControlFlowDialect, scf::SCFDialect,
                         BuiltinDialect>(dialect);
}

/// Checks that need no cross-function view: dialects and front-end leftovers.
LogicalResult verifyOps(ModuleOp module) {
  bool ok = true;
  module.walk([&](Operation *op) {
    if (!isWISDialect(op->getDialect())) {
      op->emitError("'") << op->getName()
                         << "' is not part of WIS; a module may only use the "
                            "wooly, arith, math, cf and scf dialects";
      ok = false;
      return WalkResult::skip();
    }
    if (isa<RegOp, RegReadOp, RegWriteOp>(op)) {
      op->emitError("register slots must be promoted to SSA (run mem2reg) "
                    "before a module is sent");
      ok = false;
    }
    return WalkResult::advance();
  });
  return success(ok);
}

/// Names Wooly gives what it adds to a compiled module (the printf and
/// fault slots the executor fills, helper functions): a client's symbol of
/// that name would be taken for them.
constexpr llvm::StringLiteral kReservedPrefix = "__wooly_";

LogicalResult verifyModuleScope(ModuleOp module, const WISLimits &limits) {
  bool ok = true;
  uint64_t globalBytes = 0;
  for (Operation &op : module.getBody()->getOperations()) {
    if (auto symbol = dyn_cast<SymbolOpInterface>(op);
        symbol && symbol.getName().starts_with(kReservedPrefix)) {
      op.emitError("@") << symbol.getName() << ": names starting with "
                        << kReservedPrefix
                        << " are reserved for what Wooly adds to a module";
      ok = false;
    }
    if (auto fn = dyn_cast<FuncOp>(op)) {
      if (fn.isDeclaration()) {
        fn.emitError("device function @")
            << fn.getSymName()
            << " has no body; WIS code cannot call out of its module";
        ok = false;
      }
      continue;
    }
    if (auto global = dyn_cast<GlobalOp>(op)) {
      if (global.getSpace() != AddressSpace::Shared)
        globalBytes += global.getSizeInBytes();
      continue;
    }
    if (isa<KernelOp>(op))
      continue;
    op.emitError("only kernels, device functions and variables may appear "
                 "at module scope, not '")
        << op.getName() << "'";
    ok = false;
  }
  if (globalBytes > limits.maxGlobalBytes) {
    module.emitError("module variables take ")
        << globalBytes << " bytes; the server allows " << limits.maxGlobalBytes;
    ok = false;
  }
  return success(ok);
}

uint64_t paramBytes(KernelOp kernel) {
  uint64_t offset = 0;
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    uint64_t size = getStorageSize(type), align = size;
    if (auto byval =
            kernel.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_size")) {
      size = byval.getInt();
      auto a = kernel.getArgAttrOfType<IntegerAttr>(i, "wooly.byval_align");
      align = a ? a.getInt() : 1;
    }
    align = std::max<uint64_t>(align, 1);
    offset = llvm::alignTo(offset, align) + size;
  }
  return offset;
}

LogicalResult verifyLimits(ModuleOp module, const WISLimits &limits) {
  bool ok = true;
  // Every kernel may touch every shared variable of the module.
  uint64_t sharedBytes = 0;
  for (auto global : module.getOps<GlobalOp>())
    if (global.getSpace() == AddressSpace::Shared)
      sharedBytes += global.getSizeInBytes();
  for (auto kernel : module.getOps<KernelOp>()) {
    if (sharedBytes > limits.maxSharedBytes) {
      kernel.emitError("kernel @")
          << kernel.getSymName() << " may use " << sharedBytes
          << " bytes of static shared memory; the server allows "
          << limits.maxSharedBytes;
      ok = false;
    }
    uint64_t params = paramBytes(kernel);
    if (params > limits.maxParamBytes) {
      kernel.emitError("kernel @")
          << kernel.getSymName() << " takes " << params
          << " bytes of parameters; the server allows " << limits.maxParamBytes;
      ok = false;
    }
  }
  module.walk([&](FunctionOpInterface fn) {
    uint64_t local = 0;
    fn.walk([&](LocalAllocaOp alloca) { local += alloca.getSize(); });
    if (local > limits.maxLocalBytes) {
      fn.emitError("@") << fn.getName() << " allocates " << local
                        << " bytes of local memory per thread; the server "
                           "allows "
                        << limits.maxLocalBytes;
      ok = false;
    }
  });
  return success(ok);
}

/// Longest chain of calls that does not revisit a function. Recursion itself
/// is fine (the backend's stack guard bounds it); very deep static chains are
/// a cheap way to exhaust a compiler's stack, so they are bounded here.
LogicalResult verifyCallDepth(ModuleOp module, const WISLimits &limits) {
  llvm::DenseMap<StringRef, llvm::SmallVector<StringRef>> callees;
  module.walk([&](CallOp call) {
    auto fn = call->getParentOfType<FunctionOpInterface>();
    callees[fn.getName()].push_back(call.getCallee());
  });
  llvm::DenseMap<StringRef, unsigned> depth;
  llvm::StringSet<> onPath;
  std::function<unsigned(StringRef)> visit = [&](StringRef fn) -> unsigned {
    if (auto it = depth.find(fn); it != depth.end())
      return it->second;
    if (!onPath.insert(fn).second)
      return 0; // a cycle: recursion, bounded at run time
    unsigned best = 0;
    for (StringRef callee : callees.lookup(fn)) {
      best = std::max(best, 1 + visit(callee));
      if (best > limits.maxCallDepth)
        break;
    }
    onPath.erase(fn);
    depth[fn] = best;
    return best;
  };
  bool ok = true;
  for (auto kernel : module.getOps<KernelOp>()) {
    unsigned d = visit(kernel.getSymName());
    if (d > limits.maxCallDepth) {
      kernel.emitError("kernel @")
          << kernel.getSymName() << " has a call chain deeper than "
          << limits.maxCallDepth;
      ok = false;
    }
  }
  return success(ok);
}

struct VerifyModulePass
    : public wooly::impl::WoolyVerifyModuleBase<VerifyModulePass> {
  using Base::Base;
  void runOnOperation() override {
    WISLimits limits;
    limits.maxSharedBytes = maxSharedBytes;
    limits.maxLocalBytes = maxLocalBytes;
    limits.maxParamBytes = maxParamBytes;
    limits.maxGlobalBytes = maxGlobalBytes;
    limits.maxCallDepth = maxCallDepth;
    if (failed(verifyWISModule(getOperation(), limits)))
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace

LogicalResult wooly::verifyWISModule(ModuleOp module, const WISLimits &limits) {
  if (failed(mlir::verify(module)))
    return failure();
  // Report everything wrong at once: a client fixes its module in one go.
  bool ok = succeeded(verifyOps(module));
  ok &= succeeded(verifyModuleScope(module, limits));
  ok &= succeeded(verifyLimits(module, limits));
  ok &= succeeded(verifyCallDepth(module, limits));
  return success(ok);
}
