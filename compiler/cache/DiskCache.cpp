//===- DiskCache.cpp - Compiled artifacts on disk, bounded in size --------===//
#include "compiler/cache/DiskCache.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sys/time.h>
#include <vector>

namespace wooly {

std::string DiskCache::defaultDirectory() {
  if (const char *dir = std::getenv("WOOLY_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/wooly";
  return "";
}

uint64_t DiskCache::defaultMaxBytes() {
  if (const char *max = std::getenv("WOOLY_CACHE_MAXSIZE"); max && *max) {
    char *end = nullptr;
    unsigned long long value = std::strtoull(max, &end, 10);
    if (end && *end == '\0')
      return value;
  }
  return kDefaultMaxBytes;
}

DiskCache &DiskCache::shared(const std::string &directory) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<DiskCache>> caches;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<DiskCache> &cache = caches[directory];
  if (!cache)
    cache = std::make_unique<DiskCache>(directory, defaultMaxBytes());
  return *cache;
}

DiskCache::DiskCache(std::string directory, uint64_t maxBytes)
    : directory_(std::move(directory)), maxBytes_(maxBytes) {}

std::string DiskCache::path(llvm::StringRef name) const {
  llvm::SmallString<256> p(directory_);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

std::optional<std::string> DiskCache::read(llvm::StringRef name) const {
  if (directory_.empty())
    return std::nullopt;
  std::string file = path(name);
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer || (*buffer)->getBufferSize() == 0)
    return std::nullopt;
  // Used now: the last to be trimmed.
  ::utimes(file.c_str(), nullptr);
  return (*buffer)->getBuffer().str();
}

void DiskCache::write(llvm::StringRef name, llvm::StringRef bytes) {
  if (directory_.empty() || llvm::sys::fs::create_directories(directory_))
    return;
  std::string file = path(name);
  llvm::SmallString<256> temp;
  int fd;
  if (llvm::sys::fs::createUniqueFile(file + ".tmp-%%%%%%", fd, temp))
    return;
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << bytes;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return;
    }
  }
  if (llvm::sys::fs::rename(temp, file)) {
    llvm::sys::fs::remove(temp);
    return;
  }
  if (maxBytes_ == 0)
    return;
  // Looking at every file costs a stat each: do it at the first write of
  // a process and then after each sixteenth of the bound written.
  bool due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writtenSinceTrim_ += bytes.size();
    due = !trimmedOnce_ || writtenSinceTrim_ >= maxBytes_ / 16;
    if (due) {
      trimmedOnce_ = true;
      writtenSinceTrim_ = 0;
    }
  }
  if (due)
    trim();
}

uint64_t DiskCache::trim() {
  struct Entry {
    std::string path;
    llvm::sys::TimePoint<> used;
    uint64_t size;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(directory_, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (llvm::StringRef(it->path()).contains(".tmp-"))
      continue;
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(it->path(), status) ||
        status.type() != llvm::sys::fs::file_type::regular_file)
      continue;
    entries.push_back({it->path(), status.getLastModificationTime(),
                       status.getSize()});
    total += status.getSize();
  }
  if (maxBytes_ == 0 || total <= maxBytes_)
    return total;
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.used < b.used; });
  uint64_t target = maxBytes_ / 4 * 3;
  for (const Entry &e : entries) {
    if (total <= target)
      break;
    // Another process may have removed it first, or be reading it: an
    // open file outlives its name, and a reader that lost the race
    // compiles again.
    if (!llvm::sys::fs::remove(e.path))
      total -= e.size;
  }
  return total;
}

} // namespace wooly
