// Device printf through the GPU executors: modules that print compile with
// their format table for both vendors (no device needed), and on a device
// the kernels' text comes back through takePrintfOutput (skipped without
// one).

#include "test/unit/target/gpu/DeviceTestSupport.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <sstream>

using namespace wooly::exec;
using namespace wooly::exec::gpu::testing;

namespace {

// Every thread prints its block, thread and a string from module memory;
// @flood prints `n` times per thread (to fill the buffer).
const char *kPrint = R"(
wooly.global @fmt : 25 x i8 in global = "block %d thread %d [%s]\0A\00"
wooly.global @word : 6 x i8 in global = "hello\00"
wooly.global @many : 9 x i8 in global = "%d %lld\0A\00"
wooly.kernel @greet() {
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  wooly.store %bid, %buf {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %c4 = arith.constant 4 : i64
  %p1 = wooly.ptradd %buf, %c4 : !wooly.ptr<local>, i64
  wooly.store %tid, %p1 {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %w = wooly.addressof @word : !wooly.ptr<global>
  %wg = wooly.cast_space %w : !wooly.ptr<global> to !wooly.ptr<generic>
  %wi = wooly.ptrtoint %wg : !wooly.ptr<generic> to i64
  %c8 = arith.constant 8 : i64
  %p2 = wooly.ptradd %buf, %c8 : !wooly.ptr<local>, i64
  wooly.store %wi, %p2 {alignment = 8 : i64} : i64, !wooly.ptr<local>
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %fg = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %fg, %buf : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.return
}
wooly.kernel @flood(%count: i32) {
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %tid = wooly.thread_id x : i32
  wooly.store %tid, %buf {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %c8 = arith.constant 8 : i64
  %p = wooly.ptradd %buf, %c8 : !wooly.ptr<local>, i64
  %f = wooly.addressof @many : !wooly.ptr<generic>
  %zero = arith.constant 0 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %more = arith.cmpi slt, %i, %count : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  wooly.store %i64, %p {alignment = 8 : i64} : i64, !wooly.ptr<local>
  %n = wooly.printf %f, %buf : !wooly.ptr<generic>, !wooly.ptr<local>
  %one = arith.constant 1 : i32
  %next = arith.addi %i, %one : i32
  cf.br ^loop(%next : i32)
^done:
  wooly.return
}
)";

std::span<const uint8_t> bytesOf(const std::string &text) {
  return {reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

std::vector<std::string> sortedLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

} // namespace

TEST_CASE("modules that print compile with their format table",
          "[gpu][exec][printf]") {
  gpu::GpuModuleCompiler nvptx("nvptx:sm_90", nvptxBackend("sm_90"));
  gpu::GpuModuleCompiler amdgpu("amdgpu:gfx942", amdgpuBackend("gfx942"));
  std::string text = kPrint;
  const std::vector<std::string> formats = {"block %d thread %d [%s]\n",
                                            "%d %lld\n"};
  for (bool fence : {false, true}) {
    gpu::CompiledModule compiled;
    REQUIRE(nvptx.compile(bytesOf(text), fence, compiled));
    CHECK(compiled.printfFormats == formats);
    std::string image(compiled.image.begin(), compiled.image.end());
    // The buffer slot the executor fills; no driver printf.
    CHECK(image.find(".visible .global .align 8 .b8 __wooly_printf[16]") !=
          std::string::npos);
    CHECK(image.find("vprintf") == std::string::npos);

    REQUIRE(amdgpu.compile(bytesOf(text), fence, compiled));
    CHECK(compiled.printfFormats == formats);
    image.assign(compiled.image.begin(), compiled.image.end());
    CHECK(image.find("__wooly_printf") != std::string::npos);
  }

  // Formats come from the module's data: annotations a client puts on its
  // printf ops are dropped.
  std::string forged = text;
  std::string op = "%n = wooly.printf %fg, %buf :";
  size_t at = forged.find(op);
  REQUIRE(at != std::string::npos);
  forged.replace(at, op.size(),
                 "%n = wooly.printf %fg, %buf {wooly.printf_id = 5 : i32, "
                 "wooly.printf_format = \"%s%s%s\"} :");
  gpu::CompiledModule compiled;
  REQUIRE(nvptx.compile(bytesOf(forged), true, compiled));
  CHECK(compiled.printfFormats == formats);
}

namespace {

/// The printing kernels on `kind`'s device; skips with a message without one.
void runPrintfOn(const std::string &kind) {
  std::unique_ptr<Executor> executor = deviceExecutor(kind);
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 64 << 20;
  std::unique_ptr<Context> context;
  REQUIRE(executor->createContext(options, context));
  std::string text = kPrint;
  ModuleId module = 0;
  REQUIRE(context->loadModule(bytesOf(text), module));
  FunctionId greet = 0, flood = 0;
  KernelInfo info;
  REQUIRE(context->getFunction(module, "greet", greet, info));
  REQUIRE(context->getFunction(module, "flood", flood, info));

  LaunchConfig config;
  config.grid = {3, 1, 1};
  config.block = {4, 1, 1};
  REQUIRE(context->launch(greet, config, {}, 0));
  REQUIRE(context->synchronize(0));
  std::vector<std::string> want;
  for (int b = 0; b < 3; ++b)
    for (int t = 0; t < 4; ++t)
      want.push_back("block " + std::to_string(b) + " thread " +
                     std::to_string(t) + " [hello]");
  std::sort(want.begin(), want.end());
  CHECK(sortedLines(context->takePrintfOutput()) == want);
  // Drained: nothing twice.
  CHECK(context->takePrintfOutput().empty());

  // 64 threads x 4096 records of 32 bytes (8 MiB) overflow the 4 MiB buffer:
  // what fits is printed, the rest is counted.
  int32_t count = 4096;
  std::vector<uint8_t> args(info.argBufferSize);
  std::memcpy(args.data() + info.params[0].offset, &count, 4);
  config.grid = {1, 1, 1};
  config.block = {64, 1, 1};
  REQUIRE(context->launch(flood, config, args, 0));
  REQUIRE(context->synchronize(0));
  std::string out = context->takePrintfOutput();
  std::vector<std::string> lines = sortedLines(out);
  REQUIRE_FALSE(lines.empty());
  size_t lost = 0;
  size_t printed = 0;
  for (const std::string &line : lines) {
    if (line.rfind("printf buffer full, ", 0) == 0)
      lost = std::stoul(line.substr(20));
    else
      ++printed;
  }
  CHECK(lost > 0);
  CHECK(printed + lost == 64u * 4096u);

  // Drained and reset: the next launch prints again.
  config.grid = {1, 1, 1};
  config.block = {1, 1, 1};
  REQUIRE(context->launch(greet, config, {}, 0));
  REQUIRE(context->synchronizeAll());
  CHECK(context->takePrintfOutput() == "block 0 thread 0 [hello]\n");
  CHECK(context->unloadModule(module));
}

} // namespace

TEST_CASE("device printf reaches the client on the cuda executor",
          "[gpu][exec][device][printf]") {
  runPrintfOn("cuda");
}

TEST_CASE("device printf reaches the client on the hip executor",
          "[gpu][exec][device][printf]") {
  runPrintfOn("hip");
}
