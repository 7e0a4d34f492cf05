//===- Format.h - Human-readable numbers for explanations and logs -*- C++
//-*-===//
#ifndef WOOLY_CONTROLLER_FORMAT_H
#define WOOLY_CONTROLLER_FORMAT_H

#include <cstdint>
#include <cstdio>
#include <string>

namespace wooly::controller {

/// 8589934592 -> "8.0 GiB".
inline std::string formatBytes(uint64_t bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 5) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

inline std::string formatFixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

} // namespace wooly::controller

#endif // WOOLY_CONTROLLER_FORMAT_H
