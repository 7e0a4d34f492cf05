// WIS modules through the whole nvptx and amdgpu pipelines.

#include "test/unit/target/gpu/DeviceTestSupport.h"

#include "compiler/Registration.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

using wooly::exec::gpu::testing::amdgpuBackend;
using wooly::exec::gpu::testing::nvptxBackend;

namespace {

/// Fails the test with the error's message unless `value` holds a result.
template <typename T> void requireOk(llvm::Expected<T> &value) {
  if (!value)
    FAIL(llvm::toString(value.takeError()));
}

const char *kSaxpy = R"(
wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>)
    attributes {max_threads = 256 : i32} {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %i = arith.addi %base, %tid : i32
  %inside = arith.cmpi slt, %i, %n : i32
  cf.cond_br %inside, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %offset = arith.muli %i64, %c4 : i64
  %px = wooly.ptradd %x, %offset : !wooly.ptr<global>, i64
  %py = wooly.ptradd %y, %offset : !wooly.ptr<global>, i64
  %vx = wooly.load %px {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %vy = wooly.load %py {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %ax = arith.mulf %a, %vx : f32
  %r = arith.addf %ax, %vy : f32
  wooly.store %r, %py {alignment = 4 : i64} : f32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.return
}
)";

// An IEEE sine: libdevice's __nv_sinf on NVIDIA.
const char *kSine = R"(
wooly.kernel @sine(%p: !wooly.ptr<global>) {
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %s = math.sin %v : f32
  wooly.store %s, %p {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}
)";

struct Parsed {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  explicit Parsed(const char *text) {
    mlir::DialectRegistry registry;
    wooly::registerAllWoolyDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    REQUIRE(module);
  }
};

std::string ptxasPath() {
  for (const char *path : {"/usr/local/cuda/bin/ptxas", "/usr/bin/ptxas"})
    if (access(path, X_OK) == 0)
      return path;
  return {};
}

/// Runs ptxas on `ptx`; true when it accepts it. Skips (true) without ptxas.
bool ptxasAccepts(const std::string &ptx, const std::string &arch) {
  std::string ptxas = ptxasPath();
  if (ptxas.empty()) {
    WARN("ptxas not found: PTX validation skipped");
    return true;
  }
  char dir[] = "/tmp/wooly-gpu-test-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string path = std::string(dir) + "/k.ptx";
  std::ofstream(path) << ptx;
  std::string command = ptxas + " -arch=" + arch + " " + path + " -o " +
                        std::string(dir) + "/k.cubin 2>&1";
  int rc = std::system(command.c_str());
  std::remove(path.c_str());
  std::remove((std::string(dir) + "/k.cubin").c_str());
  rmdir(dir);
  return rc == 0;
}

} // namespace

TEST_CASE("WIS saxpy becomes PTX that ptxas accepts", "[gpu][nvptx]") {
  for (const char *arch : {"sm_75", "sm_80", "sm_90"}) {
    Parsed parsed(kSaxpy);
    wooly::nvptx::CodegenOptions options;
    options.arch = arch;
    auto ptx = wooly::nvptx::compileToPTX(*parsed.module, options);
    requireOk(ptx);
    CHECK(ptx->find(".visible .entry saxpy") != std::string::npos);
    CHECK(ptx->find(".maxntid 256") != std::string::npos);
    CHECK(ptxasAccepts(*ptx, arch));
  }
}

namespace {
// A loop with no trap or assert in it: waits for a flag.
const char *kWait = R"(
wooly.kernel @wait(%flag: !wooly.ptr<global>) {
  cf.br ^loop
^loop:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %z = arith.constant 0 : i32
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^loop
^done:
  wooly.return
}
)";
} // namespace

TEST_CASE("with pollEveryModule a module that cannot trap gets the fault "
          "slot and its loops the polls",
          "[gpu][nvptx][fault]") {
  wooly::nvptx::CodegenOptions options;
  options.arch = "sm_90";
  {
    Parsed parsed(kWait);
    auto ptx = wooly::nvptx::compileToPTX(*parsed.module, options);
    requireOk(ptx);
    CHECK(ptx->find("__wooly_fault") == std::string::npos);
    CHECK(ptx->find("exit;") == std::string::npos);
  }
  options.pollEveryModule = true;
  Parsed parsed(kWait);
  auto ptx = wooly::nvptx::compileToPTX(*parsed.module, options);
  requireOk(ptx);
  CHECK(ptx->find(".visible .global .align 8 .b8 __wooly_fault[16];") !=
        std::string::npos);
  CHECK(ptx->find("ld.volatile.global.b32") != std::string::npos);
  CHECK(ptx->find("exit;") != std::string::npos);
  CHECK(ptxasAccepts(*ptx, "sm_90"));
}

TEST_CASE("math functions link CUDA's libdevice", "[gpu][nvptx]") {
  if (wooly::nvptx::findLibDevice().empty()) {
    WARN("libdevice not found: skipped");
    return;
  }
  Parsed parsed(kSine);
  wooly::nvptx::CodegenOptions options;
  options.arch = "sm_90";
  auto ptx = wooly::nvptx::compileToPTX(*parsed.module, options);
  requireOk(ptx);
  // Linked and inlined: no call out of the module is left.
  CHECK(ptx->find("__nv_sinf") == std::string::npos);
  CHECK(ptx->find(".extern") == std::string::npos);
  CHECK(ptxasAccepts(*ptx, "sm_90"));
}

TEST_CASE("a missing libdevice is a clear error", "[gpu][nvptx]") {
  setenv("WOOLY_LIBDEVICE", "/nonexistent/libdevice.10.bc", 1);
  Parsed parsed(kSine);
  auto ptx = wooly::nvptx::compileToPTX(*parsed.module, {});
  unsetenv("WOOLY_LIBDEVICE");
  REQUIRE_FALSE(static_cast<bool>(ptx));
  CHECK(llvm::toString(ptx.takeError()).find("/nonexistent/libdevice.10.bc") !=
        std::string::npos);
}

TEST_CASE("WIS saxpy becomes an AMD code object per processor",
          "[gpu][amdgpu]") {
  for (const char *arch : {"gfx90a", "gfx942", "gfx1100"}) {
    Parsed parsed(kSaxpy);
    wooly::amdgpu::CodegenOptions options;
    options.arch = arch;
    auto hsaco = wooly::amdgpu::compileToCodeObject(*parsed.module, options);
    requireOk(hsaco);
    std::string text(hsaco->begin(), hsaco->end());
    CHECK(text.find("saxpy.kd") != std::string::npos);
    CHECK(text.find(arch) != std::string::npos);
  }
}

TEST_CASE("unsupported ops fail the amdgpu compile with a reason",
          "[gpu][amdgpu]") {
  // A printf whose format is only known at run time.
  Parsed parsed(R"(
wooly.kernel @k(%f: !wooly.ptr<generic>, %a: !wooly.ptr<local>) {
  %n = wooly.printf %f, %a : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
)");
  auto hsaco = wooly::amdgpu::compileToCodeObject(*parsed.module, {});
  REQUIRE_FALSE(static_cast<bool>(hsaco));
  CHECK(llvm::toString(hsaco.takeError())
            .find("printf on AMD GPUs needs a constant format string") !=
        std::string::npos);
}

TEST_CASE("kernel parameters are laid out as the client packs them",
          "[gpu][exec]") {
  Parsed parsed(R"(
wooly.kernel @k(%a: i32, %b: f32, %p: !wooly.ptr<global>,
                %s: !wooly.ptr<param> {wooly.byval_size = 24 : i64, wooly.byval_align = 8 : i64},
                %c: i8, %h: f16) attributes {req_block_size = array<i32: 32, 4, 1>} {
  wooly.return
}
)");
  auto kernels = wooly::exec::gpu::describeKernels(*parsed.module);
  REQUIRE(kernels.size() == 1);
  const auto &k = kernels[0];
  CHECK(k.name == "k");
  REQUIRE(k.params.size() == 6);
  CHECK(k.params[0].offset == 0);
  CHECK(k.params[1].offset == 4);
  CHECK(k.params[2].offset == 8);
  CHECK(k.params[3].offset == 16);
  CHECK(k.params[3].size == 24);
  CHECK(k.params[4].offset == 40);
  CHECK(k.params[5].offset == 42);
  CHECK(k.argBufferSize == 44);
  CHECK(k.maxThreadsPerBlock == 128);
}

TEST_CASE("the module compiler verifies, caches and reports", "[gpu][exec]") {
  int backendRuns = 0;
  wooly::exec::gpu::GpuModuleCompiler compiler(
      "nvptx:sm_90", [&, backend = nvptxBackend("sm_90")](
                         mlir::ModuleOp module, std::vector<uint8_t> &image,
                         std::string &error) {
        ++backendRuns;
        return backend(module, image, error);
      });
  std::string text = kSaxpy;
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(text.data()),
                                 text.size());
  wooly::exec::gpu::CompiledModule first, second;
  REQUIRE(compiler.compile(bytes, first));
  REQUIRE(compiler.compile(bytes, second));
  CHECK(backendRuns == 1);
  CHECK(first.image == second.image);
  REQUIRE(first.kernels.size() == 1);
  CHECK(first.kernels[0].argBufferSize == 24);

  std::string garbage = "this is not WIS";
  wooly::exec::gpu::CompiledModule bad;
  auto status = compiler.compile(
      {reinterpret_cast<const uint8_t *>(garbage.data()), garbage.size()}, bad);
  CHECK(status.code == wooly::exec::ErrorCode::CompileError);
  CHECK(status.message.find("not valid WIS") != std::string::npos);

  // A module with an external function is not finished WIS.
  std::string external = "wooly.func private @outside(i32) -> i32\n";
  status = compiler.compile(
      {reinterpret_cast<const uint8_t *>(external.data()), external.size()},
      bad);
  CHECK(status.code == wooly::exec::ErrorCode::CompileError);
}

TEST_CASE("fenced modules compile for both GPUs and hide the hidden "
          "parameters from clients",
          "[gpu][exec][fence]") {
  std::string text = std::string(kSaxpy) + R"(
wooly.global @table : 2 x i32 in const align 16 = dense<[1, 2]> : tensor<2xi32>
wooly.global @counter : 1 x i32 in global align 4
wooly.kernel @count(%out: !wooly.ptr<global>) {
  %t = wooly.addressof @table : !wooly.ptr<const>
  %v = wooly.load %t {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  %c = wooly.addressof @counter : !wooly.ptr<global>
  wooly.store %v, %c {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(text.data()),
                                 text.size());
  wooly::exec::gpu::GpuModuleCompiler nvptx("nvptx:sm_90",
                                            nvptxBackend("sm_90"));
  wooly::exec::gpu::CompiledModule fenced, open;
  REQUIRE(nvptx.compile(bytes, /*fence=*/true, fenced));
  REQUIRE(fenced.fenced);
  std::string ptxText(fenced.image.begin(), fenced.image.end());
  // Clients see the parameters they pass, laid out as before.
  REQUIRE(fenced.kernels.size() == 2);
  for (const auto &k : fenced.kernels) {
    if (k.name == "saxpy") {
      CHECK(k.params.size() == 4);
      CHECK(k.argBufferSize == 24);
    } else {
      CHECK(k.params.size() == 1);
      CHECK(k.argBufferSize == 8);
    }
  }
  // The device code takes the three hidden ones after them.
  CHECK(ptxText.find(".param .u64 saxpy_param_6") != std::string::npos);
  CHECK(ptxText.find("saxpy_param_7") == std::string::npos);
  CHECK(ptxText.find(".param .u64 count_param_3") != std::string::npos);
  // Module variables moved to the per-session data segment.
  CHECK(ptxText.find(" counter[") == std::string::npos);
  CHECK(fenced.segment.size >= 12);
  REQUIRE(fenced.segment.symbols.count("table"));
  REQUIRE(fenced.segment.symbols.count("counter"));
  CHECK(fenced.segment.symbols["table"].second == 8);
  CHECK(fenced.segment.symbols["counter"].second == 4);
  uint64_t table = fenced.segment.symbols["table"].first;
  REQUIRE(fenced.segment.init.size() >= table + 8);
  CHECK(fenced.segment.init[table] == 1);
  CHECK(fenced.segment.init[table + 4] == 2);

  // Fenced and open builds of the same bytes are cached apart.
  REQUIRE(nvptx.compile(bytes, /*fence=*/false, open));
  CHECK_FALSE(open.fenced);
  CHECK(open.segment.symbols.empty());
  ptxText.assign(open.image.begin(), open.image.end());
  CHECK(ptxText.find("saxpy_param_4") == std::string::npos);

  wooly::exec::gpu::GpuModuleCompiler amdgpu("amdgpu:gfx942",
                                             amdgpuBackend("gfx942"));
  wooly::exec::gpu::CompiledModule hsaco;
  auto status = amdgpu.compile(bytes, /*fence=*/true, hsaco);
  INFO(status.message);
  REQUIRE(status);
  REQUIRE(hsaco.image.size() > 4);
  CHECK(hsaco.image[1] == 'E'); // an ELF code object
  CHECK(hsaco.kernels.size() == 2);
}
