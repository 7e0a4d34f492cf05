// DiskCache: entries written whole, read back, and the directory bounded
// by removing the least recently used.

#include "compiler/cache/DiskCache.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/time.h>
#include <unistd.h>

namespace fs = std::filesystem;
using wooly::DiskCache;

namespace {

/// A fresh directory for one test, removed afterwards.
struct TempDir {
  std::string path;
  explicit TempDir(const char *name)
      : path("/tmp/wooly-disk-cache-" + std::string(name) + "-" +
             std::to_string(::getpid())) {
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string &name) const { return path + "/" + name; }
};

/// Sets a file's modification time to `seconds` after the epoch.
void setUsed(const std::string &file, long seconds) {
  struct timeval times[2] = {{seconds, 0}, {seconds, 0}};
  REQUIRE(::utimes(file.c_str(), times) == 0);
}

} // namespace

TEST_CASE("cache entries are read back as written", "[cache]") {
  TempDir dir("roundtrip");
  DiskCache cache(dir.path, /*maxBytes=*/0);
  CHECK_FALSE(cache.read("host-1.o"));
  cache.write("host-1.o", std::string("\0object\xff", 8));
  std::optional<std::string> back = cache.read("host-1.o");
  REQUIRE(back);
  CHECK(*back == std::string("\0object\xff", 8));
  // Written under a temporary name and renamed: nothing else is left.
  CHECK(std::distance(fs::directory_iterator(dir.path),
                      fs::directory_iterator()) == 1);
  // An empty entry (a crash of some older writer) is a miss.
  std::ofstream(dir.file("host-2.o")).close();
  CHECK_FALSE(cache.read("host-2.o"));
}

TEST_CASE("a cache without a directory caches nothing", "[cache]") {
  DiskCache cache("", DiskCache::kDefaultMaxBytes);
  cache.write("host-1.o", "bytes");
  CHECK_FALSE(cache.read("host-1.o"));
}

TEST_CASE("over its bound the cache removes the least recently used entries",
          "[cache]") {
  TempDir dir("bound");
  DiskCache cache(dir.path, /*maxBytes=*/4000);
  std::string kilobyte(1000, 'x');
  for (const char *name : {"a", "b", "c"})
    cache.write(name, kilobyte);
  setUsed(dir.file("a"), 1000);
  setUsed(dir.file("b"), 2000);
  setUsed(dir.file("c"), 3000);
  // A hit makes `a` the most recently used of the three.
  REQUIRE(cache.read("a"));
  // A file being written by another process is not an entry.
  std::ofstream(dir.file("e.tmp-123456")) << kilobyte;

  cache.write("d", kilobyte);   // 4000 bytes: within the bound
  CHECK(fs::exists(dir.file("b")));
  cache.write("f", kilobyte);   // 5000: down to 3000, oldest first
  CHECK_FALSE(fs::exists(dir.file("b")));
  CHECK_FALSE(fs::exists(dir.file("c")));
  for (const char *name : {"a", "d", "f", "e.tmp-123456"})
    CHECK(fs::exists(dir.file(name)));
  CHECK(cache.trim() == 3000);
}

TEST_CASE("WOOLY_CACHE_DIR and WOOLY_CACHE_MAXSIZE choose the directory and "
          "the bound",
          "[cache]") {
  setenv("WOOLY_CACHE_DIR", "/srv/wooly-cache", 1);
  CHECK(DiskCache::defaultDirectory() == "/srv/wooly-cache");
  unsetenv("WOOLY_CACHE_DIR");
  setenv("HOME", "/home/user", 1);
  CHECK(DiskCache::defaultDirectory() == "/home/user/.cache/wooly");

  unsetenv("WOOLY_CACHE_MAXSIZE");
  CHECK(DiskCache::defaultMaxBytes() == DiskCache::kDefaultMaxBytes);
  setenv("WOOLY_CACHE_MAXSIZE", "268435456", 1);
  CHECK(DiskCache::defaultMaxBytes() == 268435456u);
  setenv("WOOLY_CACHE_MAXSIZE", "0", 1);
  CHECK(DiskCache::defaultMaxBytes() == 0u);
  // Not a number: the default, not a cache of zero bytes.
  setenv("WOOLY_CACHE_MAXSIZE", "1G", 1);
  CHECK(DiskCache::defaultMaxBytes() == DiskCache::kDefaultMaxBytes);
  unsetenv("WOOLY_CACHE_MAXSIZE");
}
