// Reading back a context's device printf buffer (runtime/exec/gpu/
// PrintfBuffer) from synthetic records laid out as GpuPrintfABI.h says the
// GPU kernels write them.

#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/gpu/PrintfBuffer.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <optional>

using namespace wooly::exec::gpu;
namespace abi = wooly::gpu::printf_abi;

namespace {

/// Records as the device writes them.
struct Records {
  std::vector<uint8_t> bytes;

  void put32(size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }

  /// One record: `args` vprintf bytes, then the %s strings (nullopt: null).
  Records &add(uint32_t tag, uint32_t format, std::vector<uint8_t> args,
               std::vector<std::optional<std::string>> strings = {}) {
    size_t start = bytes.size();
    bytes.resize(start + abi::kRecordHeaderBytes);
    put32(start + 4, tag);
    put32(start + 8, format);
    put32(start + 12, static_cast<uint32_t>(args.size()));
    bytes.insert(bytes.end(), args.begin(), args.end());
    bytes.resize((bytes.size() + 7) / 8 * 8);
    for (const auto &s : strings) {
      size_t at = bytes.size();
      bytes.resize(at + 4);
      put32(at, s ? static_cast<uint32_t>(s->size()) : abi::kNullString);
      if (s)
        bytes.insert(bytes.end(), s->begin(), s->end());
      bytes.resize((bytes.size() + 3) / 4 * 4);
    }
    bytes.resize((bytes.size() + 7) / 8 * 8);
    put32(start, static_cast<uint32_t>(bytes.size() - start));
    return *this;
  }
};

std::vector<uint8_t> int32s(std::initializer_list<int32_t> values) {
  std::vector<uint8_t> out(values.size() * 4);
  size_t at = 0;
  for (int32_t v : values) {
    std::memcpy(out.data() + at, &v, 4);
    at += 4;
  }
  return out;
}

std::vector<uint8_t> pointers(size_t count) {
  return std::vector<uint8_t>(count * 8, 0x11); // non-null pointer values
}

/// Two modules' format tables, tagged 3 and 9.
const std::map<std::pair<uint32_t, uint32_t>, std::string> kFormats = {
    {{3, 0}, "block %d thread %d\n"},
    {{3, 1}, "%s and %s, %s!\n"},
    {{9, 0}, "other module %x\n"},
};

std::string drain(const Records &records, uint32_t dropped = 0,
                  size_t *printed = nullptr) {
  std::string out;
  size_t n = formatPrintfRecords(
      records.bytes, dropped,
      [](uint32_t tag, uint32_t id) -> const std::string * {
        auto it = kFormats.find({tag, id});
        return it == kFormats.end() ? nullptr : &it->second;
      },
      out);
  if (printed)
    *printed = n;
  return out;
}

} // namespace

TEST_CASE("printf records become text in record order", "[gpu][printf]") {
  Records records;
  records.add(3, 0, int32s({1, 2}))
      .add(9, 0, int32s({255}))
      .add(3, 1, pointers(3),
           {std::string("tea"), std::nullopt, std::string("world")})
      .add(3, 0, int32s({0, 31}));
  size_t printed = 0;
  CHECK(drain(records, 0, &printed) == "block 1 thread 2\n"
                                       "other module ff\n"
                                       "tea and (null), world!\n"
                                       "block 0 thread 31\n");
  CHECK(printed == 4);
}

TEST_CASE("a full printf buffer reports the records it lost", "[gpu][printf]") {
  Records records;
  records.add(3, 0, int32s({4, 5}));
  CHECK(drain(records, 17) ==
        "block 4 thread 5\nprintf buffer full, 17 records lost\n");
  CHECK(drain(Records(), 2) == "printf buffer full, 2 records lost\n");
  // After a drop the reservation ran past the capacity: the zeroed space
  // after the last record is where the buffer filled, not a lost record.
  records.bytes.resize(records.bytes.size() + 40, 0);
  CHECK(drain(records, 1) ==
        "block 4 thread 5\nprintf buffer full, 1 records lost\n");
}

TEST_CASE("a printf record never completed ends the walk", "[gpu][printf]") {
  Records records;
  records.add(3, 0, int32s({1, 1}));
  // A second record reserved (zeroed space) but not written: a kernel that
  // trapped between reserving and writing it.
  records.bytes.resize(records.bytes.size() + 32, 0);
  size_t printed = 0;
  std::string text = drain(records, 0, &printed);
  CHECK(printed == 1);
  CHECK(text.rfind("block 1 thread 1\n[wooly] printf record 1 was never "
                   "completed",
                   0) == 0);
  // A size running past the used bytes is not trusted either.
  Records cut;
  cut.add(3, 0, int32s({1, 1}));
  cut.bytes.resize(cut.bytes.size() - 8);
  CHECK(drain(cut, 0, &printed).find("never completed") != std::string::npos);
  CHECK(printed == 0);
}

TEST_CASE("a printf record of an unknown format is skipped", "[gpu][printf]") {
  Records records;
  records.add(5, 0, int32s({1})).add(3, 0, int32s({6, 7}));
  CHECK(drain(records) == "[wooly] printf record with an unknown format "
                          "(module 5, format 0) skipped\n"
                          "block 6 thread 7\n");
}

TEST_CASE("a printf record with fewer strings than %s conversions prints "
          "(null)",
          "[gpu][printf]") {
  // Two strings for three %s: the third has no text.
  Records records;
  records.add(3, 1, pointers(3), {std::string("a"), std::string("b")});
  CHECK(drain(records) == "a and b, (null)!\n");
}

TEST_CASE("the printf header says how much to read back", "[gpu][printf]") {
  uint8_t raw[16] = {};
  uint64_t reserved = 5000;
  uint32_t dropped = 3, capacity = 4096;
  std::memcpy(raw + abi::kReservedOffset, &reserved, 8);
  std::memcpy(raw + abi::kDroppedOffset, &dropped, 4);
  std::memcpy(raw + abi::kCapacityOffset, &capacity, 4);
  PrintfHeader header = readPrintfHeader(raw);
  CHECK(header.reserved == 5000);
  CHECK(header.dropped == 3);
  CHECK(header.capacity == 4096);
  CHECK(header.usedBytes() == 4096); // reservations ran past the end
  header.reserved = 64;
  CHECK(header.usedBytes() == 64);
}
