#include "runtime/client/fatbin/Fatbin.h"
#include "test/unit/fatbin/FatbinBuilder.h"

#include <catch2/catch.hpp>

using namespace wooly::fatbin;
using namespace wooly::fatbin::test;

static const std::string kPTX = ".version 9.0\n.target sm_75\n.address_size 64\n";

TEST_CASE("reads uncompressed, zstd and LZ4 PTX entries", "[fatbin]") {
  auto pack = GENERATE(Pack::None, Pack::Zstd, Pack::LZ4);
  std::string fb = blob(entry(2, 75, "\x7f" "ELFcubin") +
                        entry(1, 75, kPTX + std::string(3, '\0'), pack));
  ReadResult r = readFatbin(fb.data(), fb.size());
  REQUIRE(r.ok());
  REQUIRE(r.entries.size() == 2);
  CHECK(r.entries[0].kind == EntryKind::ELF);
  CHECK(r.entries[1].kind == EntryKind::PTX);
  CHECK(r.entries[1].smArch == 75);
  CHECK(r.entries[1].ptxMajor == 9);
  const Entry *ptx = selectPTX(r.entries);
  REQUIRE(ptx == &r.entries[1]);
  std::string text, error;
  REQUIRE(entryContents(*ptx, text, error));
  CHECK(text == kPTX); // trailing NULs dropped
}

TEST_CASE("reads several blobs with padding between them", "[fatbin]") {
  std::string fb = blob(entry(1, 75, kPTX));
  fb += std::string(8, '\0');
  fb += blob(entry(1, 90, kPTX));
  ReadResult r = readFatbin(fb.data(), fb.size());
  REQUIRE(r.ok());
  CHECK(r.entries.size() == 2);
}

TEST_CASE("selectPTX prefers the highest translatable arch", "[fatbin]") {
  std::string fb = blob(entry(1, 75, "a") + entry(1, 90, "b") +
                        entry(1, 100, "c") + entry(2, 120, "d"));
  ReadResult r = readFatbin(fb.data(), fb.size());
  REQUIRE(r.ok());
  CHECK(selectPTX(r.entries)->smArch == 90);
  CHECK(selectPTX(r.entries, 80)->smArch == 75);
  // Only newer PTX than we know: the oldest of it.
  std::string newer = blob(entry(1, 120, "x") + entry(1, 100, "y"));
  ReadResult r2 = readFatbin(newer.data(), newer.size());
  CHECK(selectPTX(r2.entries)->smArch == 100);
  std::string none = blob(entry(2, 75, "cubin"));
  ReadResult r3 = readFatbin(none.data(), none.size());
  CHECK(selectPTX(r3.entries) == nullptr);
}

TEST_CASE("reads through the registration wrapper", "[fatbin]") {
  std::string fb = blob(entry(1, 75, kPTX, Pack::Zstd));
  // Anything after the blob must not be read.
  fb += "garbage that is not a blob";
  struct {
    uint32_t magic, version;
    const void *data;
    void *unused;
  } wrapper{kWrapperMagic, 1, fb.data(), nullptr};
  ReadResult r = readFatbinWrapper(&wrapper);
  REQUIRE(r.ok());
  REQUIRE(r.entries.size() == 1);
  wrapper.magic = 0x12345678;
  CHECK(readFatbinWrapper(&wrapper).error.find("not a fatbin wrapper") !=
        std::string::npos);
  CHECK_FALSE(readFatbinWrapper(nullptr).ok());
}

TEST_CASE("missing PTX names the nvcc flag", "[fatbin]") {
  std::string fb = blob(entry(2, 75, "cubin") + entry(2, 86, "cubin"));
  ReadResult r = readFatbin(fb.data(), fb.size());
  std::string msg = missingPTXMessage(r.entries);
  CHECK(msg.find("rebuild with PTX: add -gencode "
                 "arch=compute_86,code=compute_86") != std::string::npos);
  CHECK(msg.find("sm_75, sm_86") != std::string::npos);
}
