//===- DiskCache.h - Compiled artifacts on disk, bounded in size -*- C++ -*-===//
//
// The PTX front end (WIS bytecode per PTX text, on the client) and the host
// executor (machine code per WIS module, in woolyd) keep what they compiled
// in one directory, $WOOLY_CACHE_DIR or ~/.cache/wooly, shared by every
// process of the user. Entries are written to a temporary name and renamed,
// so a reader never sees half a file, and a hit refreshes the entry's
// modification time. A server sees ever new modules (and every rebuild of
// Wooly new keys), so the directory is bounded like CUDA's own JIT cache:
// $WOOLY_CACHE_MAXSIZE bytes (default 1 GiB; 0: no bound), the entries least
// recently used going first.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_CACHE_DISKCACHE_H
#define WOOLY_COMPILER_CACHE_DISKCACHE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace wooly {

class DiskCache {
public:
  static constexpr uint64_t kDefaultMaxBytes = uint64_t(1) << 30;

  /// $WOOLY_CACHE_DIR, else ~/.cache/wooly; empty (no cache) without HOME.
  static std::string defaultDirectory();
  /// $WOOLY_CACHE_MAXSIZE (bytes) if set, else kDefaultMaxBytes.
  static uint64_t defaultMaxBytes();

  /// The process's cache for `directory`, bounded by defaultMaxBytes():
  /// one per directory, so that its writers share when to trim.
  static DiskCache &shared(const std::string &directory);

  /// An empty `directory` caches nothing; `maxBytes` 0 bounds nothing.
  explicit DiskCache(std::string directory, uint64_t maxBytes);

  const std::string &directory() const { return directory_; }

  /// The entry's bytes, if there is a non-empty one.
  std::optional<std::string> read(llvm::StringRef name) const;
  /// Stores an entry (best effort: a full disk or a read-only directory
  /// only means no caching), then trims the directory when this process
  /// has written enough since it last looked.
  void write(llvm::StringRef name, llvm::StringRef bytes);
  /// When the entries hold more than the bound, removes the least recently
  /// used until they hold at most 3/4 of it; returns the bytes they hold
  /// afterwards. Entries are the directory's regular files but those being
  /// written (the directory is Wooly's own).
  uint64_t trim();

private:
  std::string path(llvm::StringRef name) const;

  std::string directory_;
  uint64_t maxBytes_;
  std::mutex mutex_;
  bool trimmedOnce_ = false;
  uint64_t writtenSinceTrim_ = 0;
};

} // namespace wooly

#endif // WOOLY_COMPILER_CACHE_DISKCACHE_H
