// The printf records the GPU lowering writes must be the records the GPU
// contexts read back. Without a GPU the device code still runs: the nvptx
// lowering of a printing kernel (no GPU-only operations in it) is compiled
// for the host with the C calling convention and run by ORC against a
// buffer in host memory; what PrintfBuffer reads from it must be what the
// shared formatter prints for the same call.

#include "compiler/target/gpu/GpuPrintf.h"
#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/common/DevicePrintf.h"
#include "runtime/exec/gpu/PrintfBuffer.h"
#include "test/unit/target/gpu/NvptxOnHost.h"



#include <catch2/catch.hpp>

#include <cstring>

using namespace wooly;
namespace abi = wooly::gpu::printf_abi;

namespace {

// Every kind of argument, two strings (one null), and a plain line.
const char *kKernel = R"(
wooly.global @fmt : 32 x i8 in global = "%d|%5.2f|%s|%s|%llx|%c|%-4u|%%\0A\00"
wooly.global @plain : 7 x i8 in global = "plain\0A\00"
wooly.kernel @show(%args: !wooly.ptr<local>, %out: !wooly.ptr<global>) {
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %g = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %n = wooly.printf %g, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  wooly.store %n, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p = wooly.addressof @plain : !wooly.ptr<generic>
  %m = wooly.printf %p, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  %c4 = arith.constant 4 : i64
  %out2 = wooly.ptradd %out, %c4 : !wooly.ptr<global>, i64
  wooly.store %m, %out2 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

using ShowFn = void (*)(const void *args, int32_t *out);

/// The kernel lowered by the nvptx TargetInfo and JIT-compiled for the host.
struct HostRun {
  std::vector<std::string> formats;
  testing::NvptxOnHost code{kKernel, [this](mlir::ModuleOp module) {
                              formats = gpu::annotatePrintfFormats(module);
                              REQUIRE(formats.size() == 2);
                            }};
  ShowFn show = code.lookup<ShowFn>("show");
  uint64_t *slot = code.lookup<uint64_t *>(abi::kGlobalName); // {buffer, tag}
};

/// A printf buffer in host memory with `capacity` bytes for records.
struct Buffer {
  std::vector<uint64_t> words;
  explicit Buffer(uint32_t capacity)
      : words((abi::kHeaderBytes + capacity + 7) / 8, 0) {
    std::memcpy(bytes() + abi::kCapacityOffset, &capacity, 4);
  }
  uint8_t *bytes() { return reinterpret_cast<uint8_t *>(words.data()); }
  exec::gpu::PrintfHeader header() {
    return exec::gpu::readPrintfHeader(
        std::span<const uint8_t, 16>(bytes(), 16));
  }
  std::string drain(const std::vector<std::string> &formats, uint32_t tag) {
    exec::gpu::PrintfHeader h = header();
    std::string out;
    exec::gpu::formatPrintfRecords(
        {bytes() + abi::kHeaderBytes, h.usedBytes()}, h.dropped,
        [&](uint32_t t, uint32_t id) -> const std::string * {
          return t == tag && id < formats.size() ? &formats[id] : nullptr;
        },
        out);
    return out;
  }
};

/// vprintf's argument buffer for @fmt.
struct alignas(8) Args {
  int32_t d;
  double f;
  const char *s1;
  const char *s2;
  uint64_t llx;
  int32_t c;
  uint32_t u;
};

} // namespace

TEST_CASE("printf records written by the device code read back as the "
          "formatter prints them",
          "[gpu][printf]") {
  HostRun run;
  Buffer buffer(4096);
  run.slot[0] = reinterpret_cast<uint64_t>(buffer.bytes());
  run.slot[1] = 7; // the module's tag
  Args args{-42, 3.14159, "tea", nullptr, 0xdeadbeefcafeull, 'Z', 17};
  int32_t results[2] = {0, 0};
  run.show(&args, results);
  CHECK(results[0] == 7); // conversions printed
  CHECK(results[1] == 0);

  std::string expected;
  exec::formatDevicePrintf(
      run.formats[0], {reinterpret_cast<const uint8_t *>(&args), sizeof args},
      [&](uint64_t pointer, unsigned) -> std::optional<std::string_view> {
        if (!pointer)
          return std::nullopt;
        return std::string_view(reinterpret_cast<const char *>(pointer));
      },
      expected);
  CHECK(expected == "-42| 3.14|tea|(null)|deadbeefcafe|Z|17  |%\n");
  CHECK(buffer.drain(run.formats, 7) == expected + "plain\n");
  // Header 16 + 48 argument bytes + "tea" (4 + 3 -> 8) + null (4), to 8;
  // then 16 for the plain line.
  CHECK(buffer.header().reserved == 80 + 16);
  CHECK(buffer.header().dropped == 0);
}

TEST_CASE("printf records that do not fit are dropped and counted by the "
          "device code",
          "[gpu][printf]") {
  HostRun run;
  Args args{1, 0.5, "a", "b", 2, 'c', 3};
  int32_t results[2] = {0, 0};
  {
    // Room for the first record (80 bytes), not for the plain line after it.
    Buffer buffer(88);
    run.slot[0] = reinterpret_cast<uint64_t>(buffer.bytes());
    run.slot[1] = 3;
    run.show(&args, results);
    CHECK(results[0] == 7);
    CHECK(results[1] == -1);
    CHECK(buffer.header().dropped == 1);
    CHECK(buffer.drain(run.formats, 3) ==
          "1| 0.50|a|b|2|c|3   |%\nprintf buffer full, 1 records lost\n");
  }
  {
    // The first record does not fit: the reservation has run past the
    // capacity, so the plain line after it is dropped too (until a drain).
    Buffer buffer(64);
    run.slot[0] = reinterpret_cast<uint64_t>(buffer.bytes());
    run.show(&args, results);
    CHECK(results[0] == -1);
    CHECK(results[1] == -1);
    CHECK(buffer.header().dropped == 2);
    CHECK(buffer.drain(run.formats, 3) ==
          "printf buffer full, 2 records lost\n");
  }
  {
    // A long string arrives cut at 511 bytes, as the host executor prints
    // it (16 + 48 + (4 + 511 -> 516) + (4 + 1 -> 8) = 588 -> 592 bytes).
    Buffer buffer(4096);
    run.slot[0] = reinterpret_cast<uint64_t>(buffer.bytes());
    std::string longText(600, 'x');
    args.s1 = longText.c_str();
    run.show(&args, results);
    CHECK(results[0] == 7);
    CHECK(buffer.header().reserved == 592 + 16);
    std::string text = buffer.drain(run.formats, 3);
    CHECK(text.find("|" + std::string(511, 'x') + "|b|") != std::string::npos);
    CHECK(text.find(std::string(512, 'x')) == std::string::npos);
  }
  // No buffer: printf returns -1 and writes nothing.
  run.slot[0] = 0;
  run.show(&args, results);
  CHECK(results[0] == -1);
  CHECK(results[1] == -1);
}
