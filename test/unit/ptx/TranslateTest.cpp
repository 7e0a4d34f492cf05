#include "compiler/ptx/Translate.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <random>

using namespace wooly;

namespace {
const char *kSaxpy = R"(
.version 8.0
.target sm_75
.address_size 64
.visible .entry saxpy(.param .u32 n, .param .f32 a, .param .u64 x, .param .u64 y)
{
	.reg .pred %p<2>;
	.reg .f32 %f<5>;
	.reg .b32 %r<6>;
	.reg .b64 %rd<8>;
	ld.param.u32 %r2, [n];
	ld.param.f32 %f1, [a];
	ld.param.u64 %rd1, [x];
	ld.param.u64 %rd2, [y];
	mov.u32 %r3, %ctaid.x;
	mov.u32 %r4, %ntid.x;
	mov.u32 %r5, %tid.x;
	mad.lo.s32 %r1, %r3, %r4, %r5;
	setp.ge.s32 %p1, %r1, %r2;
	@%p1 bra $L__BB0_2;
	cvta.to.global.u64 %rd3, %rd1;
	cvta.to.global.u64 %rd4, %rd2;
	mul.wide.s32 %rd5, %r1, 4;
	add.s64 %rd6, %rd3, %rd5;
	add.s64 %rd7, %rd4, %rd5;
	ld.global.f32 %f2, [%rd6];
	ld.global.f32 %f3, [%rd7];
	fma.rn.f32 %f4, %f2, %f1, %f3;
	st.global.f32 [%rd7], %f4;
$L__BB0_2:
	ret;
}
)";

struct TempCache {
  std::string dir;
  TempCache() {
    llvm::SmallString<128> path;
    llvm::sys::fs::createUniqueDirectory("wooly-ptx-cache", path);
    dir = std::string(path);
    setenv("WOOLY_CACHE_DIR", dir.c_str(), 1);
  }
  ~TempCache() {
    llvm::sys::fs::remove_directories(dir);
    unsetenv("WOOLY_CACHE_DIR");
  }
};
} // namespace

TEST_CASE("translatePTX builds a verified module in SSA form", "[ptx][translate]") {
  mlir::MLIRContext ctx;
  std::string errors;
  auto module = ptx::translatePTX(kSaxpy, "saxpy.ptx", ctx, {}, &errors);
  INFO(errors);
  REQUIRE(mlir::succeeded(module));
  CHECK(mlir::succeeded(mlir::verify(module->get())));
  int kernels = 0, slots = 0, fmas = 0;
  module->get()->walk([&](mlir::Operation *op) {
    kernels += mlir::isa<KernelOp>(op);
    slots += mlir::isa<RegOp, RegReadOp, RegWriteOp>(op);
    fmas += op->getName().getStringRef() == "math.fma";
  });
  CHECK(kernels == 1);
  CHECK(slots == 0);
  CHECK(fmas == 1);
  auto kernel = *module->get().getOps<KernelOp>().begin();
  CHECK(kernel.getSymName() == "saxpy");
  CHECK(kernel.getFunctionType().getNumInputs() == 4);
}

TEST_CASE("translatePTX reports unsupported and malformed PTX with locations",
          "[ptx][translate]") {
  mlir::MLIRContext ctx;
  std::string errors;
  auto bad = ptx::translatePTX(
      ".version 8.0\n.target sm_90\n.entry k()\n{\n  .reg .b64 %rd<3>;\n"
      "  suld.b.2d.b32.trap {%r1}, [surf, {%r2, %r3}];\n  ret;\n}\n",
      "k.ptx", ctx, {}, &errors);
  CHECK(mlir::failed(bad));
  CHECK(errors.find("k.ptx:6:3: error: unsupported PTX: suld.b.2d.b32.trap "
                    "at k.ptx:6:3") != std::string::npos);
  errors.clear();
  CHECK(mlir::failed(ptx::translatePTX(".entry k( {", "e.ptx", ctx, {}, &errors)));
  CHECK(errors.rfind("e.ptx:1:", 0) == 0);
}

TEST_CASE("O0 keeps the lowering's shape, -O2 simplifies it", "[ptx][translate]") {
  mlir::MLIRContext ctx;
  auto count = [&](int level) {
    ptx::TranslateOptions options;
    options.optLevel = level;
    auto module = ptx::translatePTX(kSaxpy, "saxpy.ptx", ctx, options);
    REQUIRE(mlir::succeeded(module));
    int ops = 0;
    module->get()->walk([&](mlir::Operation *) { ++ops; });
    return ops;
  };
  CHECK(count(0) > count(2));
}

TEST_CASE("translation results are cached by content", "[ptx][translate][cache]") {
  TempCache cache;
  mlir::MLIRContext ctx;
  bool hit = true;
  std::string errors;
  auto first = ptx::translatePTXCached(kSaxpy, "saxpy.ptx", ctx, {}, &errors, &hit);
  INFO(errors);
  REQUIRE(mlir::succeeded(first));
  CHECK_FALSE(hit);
  auto second = ptx::translatePTXCached(kSaxpy, "saxpy.ptx", ctx, {}, &errors, &hit);
  REQUIRE(mlir::succeeded(second));
  CHECK(hit);
  CHECK(*first == *second);
  // The bytecode reads back as the same module.
  auto parsed = mlir::parseSourceString<mlir::ModuleOp>(*second, &ctx);
  REQUIRE(parsed);
  CHECK(mlir::succeeded(mlir::verify(parsed.get())));
  // Other text or another -O level is another entry.
  ptx::TranslateOptions o0;
  o0.optLevel = 0;
  REQUIRE(mlir::succeeded(
      ptx::translatePTXCached(kSaxpy, "saxpy.ptx", ctx, o0, &errors, &hit)));
  CHECK_FALSE(hit);
  std::string edited = std::string(kSaxpy) + "\n// comment\n";
  REQUIRE(mlir::succeeded(
      ptx::translatePTXCached(edited, "saxpy.ptx", ctx, {}, &errors, &hit)));
  CHECK_FALSE(hit);
}

TEST_CASE("a corrupt cache entry is translated again", "[ptx][translate][cache]") {
  TempCache cache;
  mlir::MLIRContext ctx;
  bool hit;
  REQUIRE(mlir::succeeded(
      ptx::translatePTXCached(kSaxpy, "saxpy.ptx", ctx, {}, nullptr, &hit)));
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(cache.dir, ec), end; it != end && !ec;
       it.increment(ec))
    std::ofstream(it->path(), std::ios::trunc) << "garbage";
  auto again = ptx::translatePTXCached(kSaxpy, "saxpy.ptx", ctx, {}, nullptr, &hit);
  REQUIRE(mlir::succeeded(again));
  CHECK_FALSE(hit);
  CHECK(again->rfind("ML\xefR", 0) == 0);
}

TEST_CASE("mutated PTX never crashes the lowering", "[ptx][translate][robust]") {
  // Deleting, duplicating and swapping lines of a real kernel produces PTX
  // that is wrong in every way a user could get it wrong; each must either
  // translate to a verified module or fail with a message.
  std::vector<std::string> lines;
  std::string text = kSaxpy;
  for (size_t pos = 0, next; pos < text.size(); pos = next + 1) {
    next = text.find('\n', pos);
    if (next == std::string::npos)
      next = text.size();
    lines.push_back(text.substr(pos, next - pos));
  }
  std::mt19937 rng(1234);
  mlir::MLIRContext ctx;
  int ok = 0, failed = 0;
  for (int round = 0; round < 150; ++round) {
    std::vector<std::string> m = lines;
    for (int edits = 0; edits < 3; ++edits) {
      size_t i = rng() % m.size(), j = rng() % m.size();
      switch (rng() % 3) {
      case 0: m.erase(m.begin() + i); break;
      case 1: m.insert(m.begin() + i, m[j]); break;
      default: std::swap(m[i], m[j]); break;
      }
    }
    std::string src;
    for (const auto &l : m)
      src += l + "\n";
    std::string errors;
    auto module = ptx::translatePTX(src, "m.ptx", ctx, {}, &errors);
    if (mlir::succeeded(module)) {
      CHECK(mlir::succeeded(mlir::verify(module->get())));
      ++ok;
    } else {
      CHECK_FALSE(errors.empty());
      ++failed;
    }
  }
  CHECK(ok + failed == 150);
}
