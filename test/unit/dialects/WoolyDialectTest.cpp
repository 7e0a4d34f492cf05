// The dialect's C++ API: build a kernel programmatically, verify it, and round
// trip it through MLIR bytecode (the wire format of WIS).

#include "dialects/wooly/WoolyDialect.h"
#include "compiler/Registration.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <catch2/catch.hpp>

using namespace mlir;

namespace {

struct Fixture {
  DialectRegistry registry;
  MLIRContext context;
  Fixture() {
    wooly::registerWISDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }
};

/// y[i] = a * x[i] + y[i], built op by op.
OwningOpRef<ModuleOp> buildSaxpy(MLIRContext &context) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());

  auto globalPtr = wooly::PtrType::get(&context, wooly::AddressSpace::Global);
  auto type = builder.getFunctionType(
      {builder.getI32Type(), builder.getF32Type(), globalPtr, globalPtr}, {});
  auto kernel = wooly::KernelOp::create(builder, loc, "saxpy", type,
                                        /*arg_attrs=*/nullptr,
                                        /*res_attrs=*/nullptr,
                                        builder.getI32IntegerAttr(256),
                                        /*req_block_size=*/nullptr,
                                        /*min_blocks_per_sm=*/nullptr);
  Block *entry = new Block();
  kernel.getBody().push_back(entry);
  for (Type t : type.getInputs())
    entry->addArgument(t, loc);
  builder.setInsertionPointToStart(entry);

  Value tid = wooly::ThreadIdOp::create(builder, loc, builder.getI32Type(),
                                        wooly::Dim::X);
  Value bid = wooly::BlockIdOp::create(builder, loc, builder.getI32Type(),
                                       wooly::Dim::X);
  Value bdim = wooly::BlockDimOp::create(builder, loc, builder.getI32Type(),
                                         wooly::Dim::X);
  Value i = arith::AddIOp::create(
      builder, loc, arith::MulIOp::create(builder, loc, bid, bdim), tid);
  Value i64 = arith::ExtSIOp::create(builder, loc, builder.getI64Type(), i);
  Value four = arith::ConstantIntOp::create(builder, loc, 4, 64);
  Value offset = arith::MulIOp::create(builder, loc, i64, four);
  Value px = wooly::PtrAddOp::create(builder, loc, globalPtr,
                                     entry->getArgument(2), offset);
  Value py = wooly::PtrAddOp::create(builder, loc, globalPtr,
                                     entry->getArgument(3), offset);
  Value x = wooly::LoadOp::create(builder, loc, builder.getF32Type(), px);
  Value y = wooly::LoadOp::create(builder, loc, builder.getF32Type(), py);
  Value ax = arith::MulFOp::create(builder, loc, entry->getArgument(1), x);
  Value r = arith::AddFOp::create(builder, loc, ax, y);
  wooly::StoreOp::create(builder, loc, r, py);
  wooly::ReturnOp::create(builder, loc, ValueRange{});
  return module;
}

std::string print(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return text;
}

} // namespace

TEST_CASE("a kernel built through the C++ API verifies", "[dialect]") {
  Fixture f;
  auto module = buildSaxpy(f.context);
  REQUIRE(succeeded(verify(*module)));
  auto kernel = *module->getOps<wooly::KernelOp>().begin();
  CHECK(kernel.getSymName() == "saxpy");
  CHECK(kernel.getMaxThreads() == 256u);
  CHECK(kernel.getFunctionType().getNumInputs() == 4);
  std::string text = print(*module);
  INFO(text);
  CHECK(text.find("wooly.thread_id") != std::string::npos);
  CHECK(text.find("wooly.ptradd") != std::string::npos);
  CHECK(text.find("wooly.load") != std::string::npos);
}

TEST_CASE("the verifier rejects a store to const memory", "[dialect]") {
  Fixture f;
  OpBuilder builder(&f.context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto constPtr = wooly::PtrType::get(&f.context, wooly::AddressSpace::Const);
  auto kernel = wooly::KernelOp::create(
      builder, loc, "bad", builder.getFunctionType({constPtr}, {}), nullptr,
      nullptr, nullptr, nullptr, nullptr);
  Block *entry = builder.createBlock(&kernel.getBody(), {}, {constPtr}, {loc});
  Value one = arith::ConstantIntOp::create(builder, loc, 1, 32);
  wooly::StoreOp::create(builder, loc, one, entry->getArgument(0));
  wooly::ReturnOp::create(builder, loc, ValueRange{});

  std::string diagnostics;
  ScopedDiagnosticHandler handler(&f.context, [&](Diagnostic &d) {
    diagnostics += d.str();
    return success();
  });
  CHECK(failed(verify(*module)));
  CHECK(diagnostics.find("const memory is read-only") != std::string::npos);
}

TEST_CASE("WIS survives a bytecode round trip", "[dialect][bytecode]") {
  Fixture f;
  auto module = buildSaxpy(f.context);
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  REQUIRE(succeeded(writeBytecodeToFile(*module, os)));
  REQUIRE(bytes.size() > 4);
  CHECK(bytes.substr(0, 4) == "ML\xEFR");

  // Read it back in a fresh context, as the server does.
  Fixture g;
  ParserConfig config(&g.context);
  OwningOpRef<ModuleOp> back = parseSourceString<ModuleOp>(
      StringRef(bytes.data(), bytes.size()), config);
  REQUIRE(back);
  REQUIRE(succeeded(verify(*back)));
  CHECK(print(*back) == print(*module));
}

TEST_CASE("enum spellings are stable", "[dialect]") {
  CHECK(wooly::stringifyAddressSpace(wooly::AddressSpace::Shared) == "shared");
  CHECK(wooly::symbolizeMemScope("gpu") == wooly::MemScope::GPU);
  CHECK(wooly::symbolizeShuffleMode("xor") == wooly::ShuffleMode::Xor);
  CHECK(!wooly::symbolizeAtomicKind("nand").has_value());
  CHECK(static_cast<int>(wooly::AddressSpace::Param) == 101);
}

TEST_CASE("storage sizes of WIS scalars", "[dialect]") {
  Fixture f;
  Builder b(&f.context);
  CHECK(wooly::getStorageSize(b.getI1Type()) == 1);
  CHECK(wooly::getStorageSize(b.getI16Type()) == 2);
  CHECK(wooly::getStorageSize(b.getF64Type()) == 8);
  CHECK(wooly::getStorageSize(
            wooly::PtrType::get(&f.context, wooly::AddressSpace::Shared)) == 8);
  CHECK(wooly::getStorageSize(b.getIndexType()) == 0);
}
