// Fatbins produced by the real nvcc at build time (see CMakeLists.txt). When
// nvcc is not installed these cases only warn.
#include "runtime/client/fatbin/Fatbin.h"

#include <catch2/catch.hpp>

using namespace wooly::fatbin;

namespace {
std::string ptxFrom(const char *path, Compression expected) {
  ReadResult r = readFatbinFromFile(path);
  INFO(r.error);
  REQUIRE(r.ok());
  const Entry *ptx = selectPTX(r.entries);
  REQUIRE(ptx);
  CHECK(ptx->compression == expected);
  std::string text, error;
  INFO(error);
  REQUIRE(entryContents(*ptx, text, error));
  return text;
}
} // namespace

#ifdef WOOLY_FATBIN_DEFAULT
TEST_CASE("nvcc 13 default object: zstd-compressed sm_75 PTX", "[fatbin][nvcc]") {
  std::string text = ptxFrom(WOOLY_FATBIN_DEFAULT, Compression::Zstd);
  CHECK(text.find(".target sm_75") != std::string::npos);
  CHECK(text.find("wooly_fatbin_probe") != std::string::npos);
}

TEST_CASE("nvcc 13 LZ4 and uncompressed objects", "[fatbin][nvcc]") {
  CHECK(ptxFrom(WOOLY_FATBIN_LZ4, Compression::LZ4).find("wooly_fatbin_probe") !=
        std::string::npos);
  CHECK(ptxFrom(WOOLY_FATBIN_UNCOMPRESSED, Compression::None)
            .find("wooly_fatbin_probe") != std::string::npos);
}

TEST_CASE("multi-arch object: the sm_90 PTX is chosen", "[fatbin][nvcc]") {
  ReadResult r = readFatbinFromFile(WOOLY_FATBIN_MULTI);
  REQUIRE(r.ok());
  const Entry *ptx = selectPTX(r.entries);
  REQUIRE(ptx);
  CHECK(ptx->smArch == 90);
  CHECK(selectPTX(r.entries, 89)->smArch == 75);
}

TEST_CASE("an -rdc=true executable: PTX from __nv_relfatbin",
          "[fatbin][nvcc]") {
  std::string text = ptxFrom(WOOLY_FATBIN_RDC, Compression::Zstd);
  CHECK(text.find("wooly_fatbin_probe") != std::string::npos);
}

TEST_CASE("a machine-code-only object has no PTX and says how to add it",
          "[fatbin][nvcc]") {
  ReadResult r = readFatbinFromFile(WOOLY_FATBIN_SASSONLY);
  REQUIRE(r.ok());
  CHECK(selectPTX(r.entries) == nullptr);
  CHECK(missingPTXMessage(r.entries).find("rebuild with PTX") !=
        std::string::npos);
}

TEST_CASE("an -rdc=true object: PTX and cubin from __nv_relfatbin",
          "[fatbin][nvcc]") {
  std::string text = ptxFrom(WOOLY_FATBIN_RDCOBJ, Compression::Zstd);
  CHECK(text.find("wooly_fatbin_probe") != std::string::npos);
}
#else
TEST_CASE("nvcc fatbins", "[fatbin][nvcc]") {
  WARN("nvcc not found at configure time: real-fatbin tests not built");
}
#endif
