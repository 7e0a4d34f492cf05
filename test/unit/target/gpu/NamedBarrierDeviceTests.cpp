// Named and partial barriers through the GPU executors: a producer/consumer
// hand-off on barrier 1 (two warps bar.arrive, two warps bar.sync, count
// 128) and two uses of a whole-block barrier 2 in a row compile for both
// vendors, fenced or not (no device needed; on AMD they are emulated in LDS,
// docs/gpu-backends.md), and on a device the consumers read what the
// producers wrote (skipped without one).

#include "test/unit/target/gpu/DeviceTestSupport.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace wooly::exec;
using namespace wooly::exec::gpu::testing;

namespace {

// Block of 128 threads: warps 0-1 write 7 * tid into shared memory and
// arrive; warps 2-3 wait, then copy slot tid - 64 to out[block * 64 + ...].
const char *kHandoff = R"(
wooly.kernel @handoff(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %sh = wooly.dynamic_shared : !wooly.ptr<shared>
  %c64 = arith.constant 64 : i32
  %c128 = arith.constant 128 : i32
  %c4 = arith.constant 4 : i64
  %producer = arith.cmpi ult, %tid, %c64 : i32
  cf.cond_br %producer, ^produce, ^consume
^produce:
  %i64 = arith.extui %tid : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %sh, %off : !wooly.ptr<shared>, i64
  %c7 = arith.constant 7 : i32
  %v = arith.muli %tid, %c7 : i32
  wooly.store %v, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier id 1 count %c128 arrive
  cf.br ^done
^consume:
  wooly.barrier id 1 count %c128
  %j = arith.subi %tid, %c64 : i32
  %j64 = arith.extui %j : i32 to i64
  %joff = arith.muli %j64, %c4 : i64
  %q = wooly.ptradd %sh, %joff : !wooly.ptr<shared>, i64
  %w = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %bid = wooly.block_id x : i32
  %base = arith.muli %bid, %c64 : i32
  %k = arith.addi %base, %j : i32
  %k64 = arith.extui %k : i32 to i64
  %koff = arith.muli %k64, %c4 : i64
  %o = wooly.ptradd %out, %koff : !wooly.ptr<global>, i64
  wooly.store %w, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.barrier id 2
  wooly.barrier id 2
  wooly.return
}
)";

std::span<const uint8_t> bytesOf(const std::string &text) {
  return {reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

void runHandoffOn(const std::string &kind) {
  std::unique_ptr<Executor> executor = deviceExecutor(kind);
  if (!executor)
    return;
  constexpr uint32_t kBlocks = 64;
  ContextOptions options;
  options.memoryLimit = 8 << 20;
  std::unique_ptr<Context> context;
  REQUIRE(executor->createContext(options, context));
  DevicePtr out = 0;
  REQUIRE(context->allocate(kBlocks * 64 * 4, out));
  REQUIRE(context->memset(out, 0xff, kBlocks * 64 * 4, 0));
  std::string text = kHandoff;
  ModuleId module = 0;
  REQUIRE(context->loadModule(bytesOf(text), module));
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context->getFunction(module, "handoff", fn, info));
  std::vector<uint8_t> args(info.argBufferSize);
  std::memcpy(args.data() + info.params[0].offset, &out, 8);
  LaunchConfig config;
  config.grid = {kBlocks, 1, 1};
  config.block = {128, 1, 1};
  config.dynamicSharedBytes = 64 * 4;
  // Twice: the second launch starts from LDS the first one left behind.
  for (int round = 0; round < 2; ++round)
    REQUIRE(context->launch(fn, config, args, 0));
  std::vector<int32_t> seen(kBlocks * 64);
  REQUIRE(context->copyToHost(seen.data(), out, seen.size() * 4, 0));
  REQUIRE(context->synchronize(0));
  for (uint32_t i = 0; i < seen.size(); ++i)
    REQUIRE(seen[i] == int32_t(7 * (i % 64)));
}

} // namespace

TEST_CASE("named barriers compile for both GPU vendors",
          "[gpu][exec][barrier]") {
  gpu::GpuModuleCompiler nvptx("nvptx:sm_90", nvptxBackend("sm_90"));
  for (const char *chip : {"gfx90a", "gfx942", "gfx1100"}) {
    gpu::GpuModuleCompiler amdgpu(std::string("amdgpu:") + chip,
                                  amdgpuBackend(chip));
    for (bool fence : {false, true}) {
      INFO(chip << (fence ? ", fenced" : ""));
      gpu::CompiledModule compiled;
      Status status = amdgpu.compile(bytesOf(kHandoff), fence, compiled);
      INFO(status.message);
      CHECK(status);
      CHECK(compiled.kernels.size() == 1);
    }
  }
  for (bool fence : {false, true}) {
    gpu::CompiledModule compiled;
    REQUIRE(nvptx.compile(bytesOf(kHandoff), fence, compiled));
    std::string ptx(compiled.image.begin(), compiled.image.end());
    CHECK(ptx.find("bar.arrive \t1, 128;") != std::string::npos);
    CHECK(ptx.find("bar.sync \t1, 128;") != std::string::npos);
  }
}

TEST_CASE("named barriers order producers and consumers on the cuda executor",
          "[gpu][exec][device][barrier]") {
  runHandoffOn("cuda");
}

TEST_CASE("named barriers order producers and consumers on the hip executor",
          "[gpu][exec][device][barrier]") {
  runHandoffOn("hip");
}
