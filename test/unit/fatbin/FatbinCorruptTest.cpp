// Hand-corrupted fatbins and ELF files: every one must be an error message,
// never a crash (run under ASan by the fuzz-capable build as well).
#include "runtime/client/fatbin/Fatbin.h"
#include "test/unit/fatbin/FatbinBuilder.h"

#include <catch2/catch.hpp>

using namespace wooly::fatbin;
using namespace wooly::fatbin::test;

static std::string good() {
  return blob(entry(2, 75, "cubin") +
              entry(1, 75, ".version 9.0\n", Pack::Zstd));
}

TEST_CASE("truncations of a fatbin are errors", "[fatbin][corrupt]") {
  std::string fb = good();
  for (size_t n = 1; n < fb.size(); ++n) {
    ReadResult r = readFatbin(fb.data(), n);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("every single-byte corruption is handled", "[fatbin][corrupt]") {
  std::string fb = good();
  for (size_t i = 0; i < fb.size(); ++i) {
    for (uint8_t v : {0x00, 0xff, 0x7f}) {
      std::string bad = fb;
      bad[i] = static_cast<char>(v);
      ReadResult r = readFatbin(bad.data(), bad.size());
      if (!r.ok())
        continue;
      for (const Entry &e : r.entries) {
        std::string out, error;
        if (!entryContents(e, out, error))
          CHECK_FALSE(error.empty());
      }
    }
  }
}

TEST_CASE("hostile sizes are rejected before allocating", "[fatbin][corrupt]") {
  std::string e = entry(1, 75, "abc", Pack::Zstd);
  uint64_t huge = ~uint64_t(0);
  std::memcpy(e.data() + 56, &huge, 8); // decompressed size
  std::string fb = blob(e);
  ReadResult r = readFatbin(fb.data(), fb.size());
  REQUIRE(r.ok());
  std::string out, error;
  CHECK_FALSE(entryContents(r.entries[0], out, error));
  CHECK(error.find("bad size") != std::string::npos);

  std::string big = blob(entry(1, 75, "abc"));
  std::memcpy(big.data() + 8, &huge, 8); // blob payload size
  CHECK_FALSE(readFatbin(big.data(), big.size()).ok());
}

TEST_CASE("corrupt compressed data is an error", "[fatbin][corrupt]") {
  auto pack = GENERATE(Pack::Zstd, Pack::LZ4);
  std::string e = entry(1, 75, std::string(4000, 'x') + "tail", pack);
  for (size_t i = 64 + 4; i < e.size(); i += 3)
    e[i] = static_cast<char>(e[i] ^ 0x5a);
  std::string fb = blob(e);
  ReadResult r = readFatbin(fb.data(), fb.size());
  REQUIRE(r.ok());
  std::string out, error;
  bool ok = entryContents(r.entries[0], out, error);
  CHECK((!ok || out.size() <= 4004));
}

TEST_CASE("malformed ELF files are errors", "[fatbin][corrupt]") {
  CHECK_FALSE(readFatbinFromELF("nope", 4).ok());
  std::string elf(64, '\0');
  std::memcpy(elf.data(), "\x7f" "ELF", 4);
  elf[4] = 2;
  elf[5] = 1;
  uint64_t shoff = 1ull << 40;
  std::memcpy(elf.data() + 0x28, &shoff, 8);
  uint16_t shentsize = 64, shnum = 100;
  std::memcpy(elf.data() + 0x3A, &shentsize, 2);
  std::memcpy(elf.data() + 0x3C, &shnum, 2);
  ReadResult r = readFatbinFromELF(elf.data(), elf.size());
  CHECK(r.error == "ELF section table is malformed");
  CHECK_FALSE(readFatbinFromFile("/nonexistent/file").ok());
}
