//===- ByteSizeTest.cpp - Memory sizes as operators type them -------------===//

#include "daemon/ByteSize.h"

#include <catch2/catch.hpp>

using wooly::daemon::parseByteSize;

TEST_CASE("memory sizes read as operators type them", "[cli]") {
  uint64_t b = 0;
  CHECK((parseByteSize("4096", b) && b == 4096));
  CHECK((parseByteSize("0", b) && b == 0));
  CHECK((parseByteSize("512MiB", b) && b == 512ull << 20));
  CHECK((parseByteSize("4GiB", b) && b == 4ull << 30));
  CHECK((parseByteSize("4G", b) && b == 4ull << 30));
  CHECK((parseByteSize("1.5 KiB", b) && b == 1536));
  CHECK((parseByteSize("2TiB", b) && b == 2ull << 40));
  CHECK((parseByteSize("7B", b) && b == 7));
  for (const char *bad : {"", "lots", "-1", "4 GB", "4gib", "GiB", " 4",
                          "4GiB ", "1e30", "inf", "nan"})
    CHECK_FALSE(parseByteSize(bad, b));
}
