//===- ByteSize.h - "4GiB" and friends on command lines ----------*- C++ -*-===//
//
// Memory sizes as operators type them: `woolyd --set-quota alice=4GiB`,
// `wooly-fleet-sim --memory 16GiB`.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_BYTESIZE_H
#define WOOLY_DAEMON_BYTESIZE_H

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace wooly::daemon {

/// A number of bytes, a fraction allowed, with an optional unit (B, K/KiB,
/// M/MiB, G/GiB, T/TiB: powers of 1024) after it or a space: "4096",
/// "512MiB", "1.5 G". False for anything else, negatives and sizes past
/// 2^64 included.
inline bool parseByteSize(const std::string &text, uint64_t &out) {
  const char *begin = text.c_str();
  char *end = nullptr;
  double v = std::strtod(begin, &end);
  if (end == begin || !(v >= 0) || std::isinf(v) || text[0] == '-' ||
      text[0] == ' ')
    return false;
  std::string unit(end);
  if (!unit.empty() && unit[0] == ' ')
    unit.erase(0, 1);
  static constexpr struct {
    const char *name;
    double scale;
  } units[] = {{"", 1},          {"B", 1},
               {"K", 1024.0},    {"KiB", 1024.0},
               {"M", 1 << 20},   {"MiB", 1 << 20},
               {"G", 1 << 30},   {"GiB", 1 << 30},
               {"T", 0x1p40},    {"TiB", 0x1p40}};
  for (const auto &u : units)
    if (unit == u.name) {
      double bytes = v * u.scale;
      if (bytes >= 0x1p64)
        return false;
      out = static_cast<uint64_t>(bytes);
      return true;
    }
  return false;
}

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_BYTESIZE_H
