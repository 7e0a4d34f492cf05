// The C++ API of compiler/transforms: the server-side module verifier and the
// data segment that address fencing leaves for the executors.

#include "compiler/Registration.h"
#include "compiler/transforms/Passes.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace mlir;

namespace {

struct Fixture {
  MLIRContext context;
  std::string diagnostics;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  Fixture() {
    DialectRegistry registry;
    wooly::registerWISDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &context, [this](Diagnostic &d) {
          diagnostics += d.str() + "\n";
          return success();
        });
  }
  OwningOpRef<ModuleOp> parse(const char *text) {
    return parseSourceString<ModuleOp>(text, ParserConfig(&context));
  }
};

const char *kSaxpy = R"(
wooly.global @scale : 2 x f32 in const align 8 = dense<[2.0, 0.5]> : tensor<2xf32>
wooly.global @hits : 1 x i32 in global align 4
wooly.kernel @k(%x: !wooly.ptr<global>) {
  %s = wooly.addressof @scale : !wooly.ptr<const>
  %v = wooly.load %s : !wooly.ptr<const> -> f32
  wooly.store %v, %x : f32, !wooly.ptr<global>
  wooly.return
}
)";

} // namespace

TEST_CASE("a finished module passes the server's checks", "[transforms]") {
  Fixture f;
  auto module = f.parse(kSaxpy);
  REQUIRE(module);
  CHECK(succeeded(wooly::verifyWISModule(*module, wooly::WISLimits())));
  CHECK(f.diagnostics.empty());
}

TEST_CASE("every problem of a module is reported at once", "[transforms]") {
  Fixture f;
  auto module = f.parse(R"(
wooly.func private @ext(i32) -> i32
wooly.kernel @k(%a: i64, %b: i64) {
  %r = wooly.reg : !wooly.reg<i32>
  wooly.return
}
)");
  REQUIRE(module);
  wooly::WISLimits limits;
  limits.maxParamBytes = 8;
  CHECK(failed(wooly::verifyWISModule(*module, limits)));
  CHECK(f.diagnostics.find("@ext has no body") != std::string::npos);
  CHECK(f.diagnostics.find("register slots must be promoted") !=
        std::string::npos);
  CHECK(f.diagnostics.find("takes 16 bytes of parameters") !=
        std::string::npos);
}

TEST_CASE("fencing leaves a data segment the executor can load",
          "[transforms][fencing]") {
  Fixture f;
  auto module = f.parse(kSaxpy);
  REQUIRE(module);
  CHECK_FALSE(wooly::getDataSegment(*module).has_value());

  PassManager pm(&f.context);
  pm.addPass(wooly::createWoolyFenceAddresses());
  REQUIRE(succeeded(pm.run(*module)));
  REQUIRE(succeeded(wooly::verifyWISModule(*module, wooly::WISLimits())));

  auto segment = wooly::getDataSegment(*module);
  REQUIRE(segment.has_value());
  CHECK(segment->size == 12);
  CHECK(segment->alignment == 16);
  REQUIRE(segment->symbols.size() == 2);
  REQUIRE(segment->initialBytes.size() == 12);
  float scale[2];
  std::memcpy(scale, segment->initialBytes.data(), sizeof scale);
  CHECK(scale[0] == 2.0f);
  CHECK(scale[1] == 0.5f);
  for (auto &[name, offset] : segment->symbols) {
    if (name == "scale")
      CHECK(offset == 0);
    else
      CHECK(offset == 8);
  }

  // The kernel now takes the three hidden parameters after its own.
  auto kernel = *module->getOps<wooly::KernelOp>().begin();
  REQUIRE(kernel.getNumArguments() == 4);
  CHECK(kernel.getArgAttrOfType<StringAttr>(1, wooly::kHiddenArgAttr)
            .getValue() == "arena_base");
  CHECK(kernel.getArgAttrOfType<StringAttr>(3, wooly::kHiddenArgAttr)
            .getValue() == "data_base");
}

TEST_CASE("a module cannot be fenced twice", "[transforms][fencing]") {
  Fixture f;
  auto module = f.parse(kSaxpy);
  PassManager pm(&f.context);
  pm.addPass(wooly::createWoolyFenceAddresses());
  REQUIRE(succeeded(pm.run(*module)));
  CHECK(failed(pm.run(*module)));
  CHECK(f.diagnostics.find("already fenced") != std::string::npos);
}

TEST_CASE("the offset-guard option is reachable from C++ and bounded",
          "[transforms][fencing]") {
  const char *indexed = R"(
wooly.kernel @k(%a: i64, %i: i32, %x: i64) {
  %c4 = arith.constant 4 : i64
  %e = arith.extsi %i : i32 to i64
  %o = arith.muli %e, %c4 : i64
  %s = arith.addi %a, %o : i64
  %p = wooly.inttoptr %s : i64 to !wooly.ptr<global>
  %v = wooly.load %p : !wooly.ptr<global> -> f32
  %t = arith.addi %a, %x : i64
  %q = wooly.inttoptr %t : i64 to !wooly.ptr<global>
  wooly.store %v, %q : f32, !wooly.ptr<global>
  wooly.return
}
)";
  auto count = [](ModuleOp module, StringRef name) {
    int n = 0;
    module.walk([&](Operation *op) { n += op->getName().getStringRef() == name; });
    return n;
  };
  Fixture f;
  // The host executor's setting: the load's bounded index becomes a
  // ptradd off the checked base; the store's full i64 offset cannot be
  // bounded and is masked whole.
  auto guarded = f.parse(indexed);
  REQUIRE(guarded);
  wooly::WoolyFenceAddressesOptions options;
  options.offsetGuard = uint64_t(1) << 34;
  PassManager pm(&f.context);
  pm.addPass(wooly::createWoolyFenceAddresses(options));
  REQUIRE(succeeded(pm.run(*guarded)));
  CHECK(count(*guarded, "wooly.ptradd") == 1);
  CHECK(count(*guarded, "arith.select") == 1);
  CHECK(count(*guarded, "arith.andi") == 2);
  CHECK(succeeded(wooly::verifyWISModule(*guarded, wooly::WISLimits())));

  // Without the option (GPU executors) no access uses it.
  auto plain = f.parse(indexed);
  PassManager plainPm(&f.context);
  plainPm.addPass(wooly::createWoolyFenceAddresses());
  REQUIRE(succeeded(plainPm.run(*plain)));
  CHECK(count(*plain, "wooly.ptradd") == 0);
  CHECK(count(*plain, "arith.andi") == 2);

  // A guard so large that the window arithmetic could overflow is refused.
  auto huge = f.parse(indexed);
  options.offsetGuard = uint64_t(1) << 41;
  PassManager hugePm(&f.context);
  hugePm.addPass(wooly::createWoolyFenceAddresses(options));
  CHECK(failed(hugePm.run(*huge)));
  CHECK(f.diagnostics.find("offset-guard is at most") != std::string::npos);
}

TEST_CASE("with const-bank, const variables read only by const loads stay in "
          "the module and the data segment lists them",
          "[transforms][fencing]") {
  Fixture f;
  // @scale is only loaded through const pointers: it stays. @taps has its
  // generic address taken: it goes to the arena as without the option.
  auto module = f.parse(R"(
wooly.global @scale : 2 x f32 in const align 8 = dense<[2.0, 0.5]> : tensor<2xf32>
wooly.global @taps : 4 x f32 in const align 16
wooly.kernel @k(%x: !wooly.ptr<global>) {
  %s = wooly.addressof @scale : !wooly.ptr<const>
  %v = wooly.load %s : !wooly.ptr<const> -> f32
  wooly.store %v, %x : f32, !wooly.ptr<global>
  %g = wooly.addressof @taps : !wooly.ptr<generic>
  %w = wooly.load %g : !wooly.ptr<generic> -> f32
  wooly.store %w, %x : f32, !wooly.ptr<global>
  wooly.return
}
)");
  REQUIRE(module);
  wooly::WoolyFenceAddressesOptions options;
  options.constBank = true;
  PassManager pm(&f.context);
  pm.addPass(wooly::createWoolyFenceAddresses(options));
  REQUIRE(succeeded(pm.run(*module)));
  auto segment = wooly::getDataSegment(*module);
  REQUIRE(segment.has_value());
  REQUIRE(segment->constBank.size() == 1);
  CHECK(segment->constBank[0].first == "scale");
  CHECK(segment->constBank[0].second == 8);
  REQUIRE(segment->symbols.size() == 1);
  CHECK(segment->symbols[0].first == "taps");
  CHECK(segment->size == 16);
}
