// Builds synthetic fatbins in memory, laid out the way nvcc 13 lays them out,
// so tests do not depend on nvcc being installed.
#ifndef WOOLY_TEST_UNIT_FATBIN_FATBINBUILDER_H
#define WOOLY_TEST_UNIT_FATBIN_FATBINBUILDER_H

#include <lz4.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace wooly::fatbin::test {

template <typename T> void put(std::string &out, T v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof v);
}

enum class Pack { None, Zstd, LZ4 };

inline std::string entry(uint16_t kind, uint32_t arch, const std::string &data,
                         Pack pack = Pack::None) {
  std::string stored = data;
  uint64_t flags = 0x11;
  if (pack == Pack::Zstd) {
    stored.resize(ZSTD_compressBound(data.size()));
    stored.resize(ZSTD_compress(stored.data(), stored.size(), data.data(),
                                data.size(), 3));
    flags |= 0x8000;
  } else if (pack == Pack::LZ4) {
    stored.resize(LZ4_compressBound(static_cast<int>(data.size())));
    stored.resize(LZ4_compress_default(data.data(), stored.data(),
                                       static_cast<int>(data.size()),
                                       static_cast<int>(stored.size())));
    flags |= 0x2000;
  }
  uint64_t padded = (stored.size() + 7) & ~uint64_t(7);
  std::string out;
  put<uint16_t>(out, kind);
  put<uint16_t>(out, 0x101);
  put<uint32_t>(out, 64);
  put<uint64_t>(out, padded);
  put<uint32_t>(out, pack == Pack::None ? 0 : uint32_t(stored.size()));
  put<uint32_t>(out, 0);
  put<uint16_t>(out, 0); // minor
  put<uint16_t>(out, 9); // major
  put<uint32_t>(out, arch);
  put<uint32_t>(out, 0);
  put<uint32_t>(out, 0);
  put<uint64_t>(out, flags);
  put<uint64_t>(out, 0);
  put<uint64_t>(out, pack == Pack::None ? 0 : data.size());
  out += stored;
  out.resize(out.size() + (padded - stored.size()), '\0');
  return out;
}

inline std::string blob(const std::string &entries) {
  std::string out;
  put<uint32_t>(out, 0xBA55ED50);
  put<uint16_t>(out, 1);
  put<uint16_t>(out, 16);
  put<uint64_t>(out, entries.size());
  return out + entries;
}

} // namespace wooly::fatbin::test

#endif
