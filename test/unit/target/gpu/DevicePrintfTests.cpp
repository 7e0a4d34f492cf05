// Device printf formatting (runtime/exec/common/DevicePrintf): CUDA's
// vprintf argument layout and the text every executor prints for it.

#include "runtime/exec/common/DevicePrintf.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace wooly::exec;

namespace {

/// An argument buffer packed as vprintf packs it: each value at the next
/// multiple of its size.
struct Args {
  std::vector<uint8_t> bytes;
  template <typename T> Args &add(T value) {
    size_t at = (bytes.size() + sizeof(T) - 1) / sizeof(T) * sizeof(T);
    bytes.resize(at + sizeof(T));
    std::memcpy(bytes.data() + at, &value, sizeof(T));
    return *this;
  }
};

std::string format(std::string_view fmt, const Args &args,
                   const PrintfStringResolver &strings = {},
                   int *count = nullptr) {
  std::string out;
  int n = formatDevicePrintf(fmt, args.bytes, strings, out);
  if (count)
    *count = n;
  return out;
}

} // namespace

TEST_CASE("printf formats integers at their vprintf widths", "[gpu][printf]") {
  int count = 0;
  CHECK(format("%d %i|%ld %lld|%hd\n",
               Args()
                   .add<int32_t>(-5)
                   .add<int32_t>(7)
                   .add<int64_t>(-1234567890123ll)
                   .add<int64_t>(9)
                   .add<int32_t>(70000),
               {}, &count) == "-5 7|-1234567890123 9|4464\n");
  CHECK(count == 5);
  CHECK(format("%u %x %X %o %llx %zu", Args()
                                           .add<uint32_t>(4000000000u)
                                           .add<uint32_t>(0xbeef)
                                           .add<uint32_t>(0xbeef)
                                           .add<uint32_t>(8)
                                           .add<uint64_t>(0x123456789abcull)
                                           .add<uint64_t>(77)) ==
        "4000000000 beef BEEF 10 123456789abc 77");
  CHECK(format("%c%c", Args().add<int32_t>('Z').add<int32_t>('!')) == "Z!");
}

TEST_CASE("printf keeps flags, widths and precisions", "[gpu][printf]") {
  CHECK(format("%5d|%-5d|%05d|%+d|% d|%#x", Args()
                                                .add<int32_t>(42)
                                                .add<int32_t>(42)
                                                .add<int32_t>(42)
                                                .add<int32_t>(42)
                                                .add<int32_t>(42)
                                                .add<uint32_t>(255)) ==
        "   42|42   |00042|+42| 42|0xff");
  CHECK(format("%.3f %e %g %8.2f|%E %G %a", Args()
                                                .add<double>(3.14159)
                                                .add<double>(3.14159)
                                                .add<double>(3.14159)
                                                .add<double>(-1.5)
                                                .add<double>(0.5)
                                                .add<double>(1e-10)
                                                .add<double>(1.0)) ==
        "3.142 3.141590e+00 3.14159    -1.50|5.000000E-01 1E-10 0x1p+0");
  // Each conversion is formatted into 512 bytes, as on the host executor.
  std::string wide = format("%600d", Args().add<int32_t>(1));
  CHECK(wide.size() == 511);
}

TEST_CASE("printf prints %% and unknown conversions as written",
          "[gpu][printf]") {
  int count = -1;
  CHECK(format("100%% of %d%%", Args().add<int32_t>(3), {}, &count) ==
        "100% of 3%");
  CHECK(count == 1);
  // An unknown conversion takes no argument: %d still reads the first.
  CHECK(format("%y %d %", Args().add<int32_t>(8), {}, &count) == "%y 8 %");
  CHECK(count == 1);
  CHECK(format("no arguments\n", Args(), {}, &count) == "no arguments\n");
  CHECK(count == 0);
  // The format ends at its NUL.
  CHECK(format(std::string_view("a\0%d", 4), Args().add<int32_t>(1)) == "a");
}

TEST_CASE("printf asks for %s texts in order and prints (null)",
          "[gpu][printf]") {
  std::vector<std::pair<uint64_t, unsigned>> asked;
  PrintfStringResolver strings =
      [&](uint64_t pointer, unsigned index) -> std::optional<std::string_view> {
    asked.emplace_back(pointer, index);
    if (pointer == 0)
      return std::nullopt;
    return index == 0 ? std::string_view("text") : std::string_view("abcdef");
  };
  CHECK(format("[%s] [%-6s] [%.3s] [%s]",
               Args()
                   .add<uint64_t>(0x1000)
                   .add<uint64_t>(0x2000)
                   .add<uint64_t>(0x3000)
                   .add<uint64_t>(0),
               strings) == "[text] [abcdef] [abc] [(null)]");
  REQUIRE(asked.size() == 4);
  CHECK(asked[0] == std::make_pair(uint64_t(0x1000), 0u));
  CHECK(asked[2] == std::make_pair(uint64_t(0x3000), 2u));
  CHECK(asked[3] == std::make_pair(uint64_t(0), 3u));
  // Without a resolver every string is (null); %p prints the pointer.
  CHECK(format("%s %p", Args().add<uint64_t>(0x10).add<uint64_t>(0x1234)) ==
        "(null) 0x1234");
}

TEST_CASE("printf reads a truncated argument buffer as zeros",
          "[gpu][printf]") {
  // "%d %lld" needs 16 bytes: the int at 0, the long long at 8.
  Args args;
  args.add<int32_t>(5);
  CHECK(format("%d %lld %f", args) == "5 0 0.000000");
  args.add<int64_t>(-2); // aligned to 8
  CHECK(args.bytes.size() == 16);
  CHECK(format("%d %lld", args) == "5 -2");
}

TEST_CASE("printf formats are scanned into vprintf's layout", "[gpu][printf]") {
  uint64_t bytes = 0;
  std::vector<PrintfConversion> specs =
      scanPrintfFormat("%c%f %5.2s%% %hhd%y %lu%", bytes);
  REQUIRE(specs.size() == 7);
  CHECK(specs[0].conversion == 'c');
  CHECK(specs[0].offset == 0);
  CHECK(specs[0].size == 4);
  CHECK(specs[1].conversion == 'f');
  CHECK(specs[1].offset == 8);
  CHECK(specs[2].conversion == 's');
  CHECK(specs[2].offset == 16);
  CHECK(specs[2].size == 8);
  CHECK(specs[3].conversion == 'd');
  CHECK(specs[3].half);
  CHECK(specs[3].offset == 24);
  CHECK(specs[4].conversion == 'y');
  CHECK(specs[4].size == 0);
  CHECK(specs[5].conversion == 'u');
  CHECK(specs[5].longs == 1);
  CHECK(specs[5].offset == 32);
  CHECK(specs[6].conversion == '\0');
  CHECK(bytes == 40);
}
