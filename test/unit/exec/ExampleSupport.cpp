//===- ExampleSupport.cpp - Loading the CUDA examples' kernels ------------===//

#include "test/unit/exec/ExampleSupport.h"

#include "compiler/ptx/Translate.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/MLIRContext.h"

#include <llvm/Support/raw_ostream.h>

#include <fstream>
#include <sstream>

namespace wooly::test {

std::string examplePtx(const std::string &name, const std::string &arch) {
  return std::string(WOOLY_EXAMPLE_DIR) + "/ptx/" + name + "." + arch + ".ptx";
}

namespace {

/// The example's WIS as bytecode and the names of its kernels; false when
/// its PTX is missing.
bool translateExample(const std::string &name, const std::string &arch,
                      std::string &bytecode,
                      std::vector<std::string> &kernels) {
  std::ifstream in(examplePtx(name, arch));
  if (!in)
    return false;
  std::stringstream text;
  text << in.rdbuf();
  mlir::DialectRegistry registry;
  ptx::registerTranslationDialects(registry);
  mlir::MLIRContext context(registry);
  std::string errors;
  auto module = ptx::translatePTX(text.str(), name + "." + arch + ".ptx",
                                  context, {}, &errors);
  INFO(errors);
  REQUIRE(mlir::succeeded(module));
  for (KernelOp k : (**module).getOps<KernelOp>())
    kernels.push_back(k.getSymName().str());
  llvm::raw_string_ostream os(bytecode);
  REQUIRE(mlir::succeeded(mlir::writeBytecodeToFile(**module, os)));
  return true;
}

} // namespace

exec::FunctionId Example::kernel(const std::string &part,
                                 exec::KernelInfo &info) {
  for (const std::string &k : kernels)
    if (k.find(part) != std::string::npos) {
      exec::FunctionId fn;
      exec::Status s = ctx->getFunction(module, k, fn, info);
      INFO(s.message);
      REQUIRE(s);
      return fn;
    }
  FAIL("no kernel named like " << part);
  return 0;
}

bool loadExample(const std::string &name, Example &example, bool fencing,
                 const std::string &arch) {
  std::string bytecode;
  if (!translateExample(name, arch, bytecode, example.kernels)) {
    WARN("skipped: " << examplePtx(name, arch) << " not built (no nvcc)");
    return false;
  }
  example.ctx = newContext(fencing);
  exec::Status s = example.ctx->loadModule(bytesOf(bytecode), example.module);
  INFO(s.message);
  REQUIRE(s);
  return true;
}

void launchOk(exec::Context &ctx, exec::FunctionId fn, exec::Dim3 grid,
              exec::Dim3 block, const Args &args, uint32_t shared) {
  exec::Status s = launch(ctx, fn, grid, block, args, shared);
  INFO(exec::errorCodeName(s.code) << ": " << s.message);
  REQUIRE(s);
}

exec::DevicePtr poisoned(exec::Context &ctx, size_t bytes) {
  exec::DevicePtr p = 0;
  REQUIRE(ctx.allocate(bytes, p));
  REQUIRE(ctx.memset(p, kPoisonByte, bytes, 0));
  REQUIRE(ctx.synchronize(0));
  return p;
}

std::vector<float> randomFloats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

std::vector<int32_t> randomInts(size_t n, uint32_t seed, int32_t lo,
                                int32_t hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(lo, hi);
  std::vector<int32_t> v(n);
  for (int32_t &x : v)
    x = d(rng);
  return v;
}

std::vector<uint32_t> randomU32(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> v(n);
  for (uint32_t &x : v)
    x = static_cast<uint32_t>(rng());
  return v;
}

} // namespace wooly::test
