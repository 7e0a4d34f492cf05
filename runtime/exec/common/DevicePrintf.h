//===- DevicePrintf.h - Device printf formatting, CUDA's layout -*- C++ -*-===//
//
// A kernel's printf(format, ...) reaches Wooly as a format string plus an
// argument buffer laid out as CUDA's vprintf takes it: each argument at the
// next multiple of its own size, integers as 4 bytes (8 with l/ll/z/j/t),
// floats promoted to double, pointers (%s, %p) as 8 bytes.
//
// Every executor formats through these functions, so a kernel prints the same
// text on the host CPU and on a GPU:
//  * scanPrintfFormat tells where each argument sits (the GPU backends use it
//    at compile time to know how many argument bytes and which %s strings to
//    copy into the device printf buffer);
//  * formatDevicePrintf turns (format, argument bytes, %s strings) into text.
//
// %s arguments are pointers into device memory, which only the caller knows
// how to read: a resolver gives their text (the host reads the string, the
// GPU executors look it up in the printf record the device wrote).
//
// No dependencies beyond the standard library: the compiler and every
// executor link this.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_COMMON_DEVICEPRINTF_H
#define WOOLY_RUNTIME_EXEC_COMMON_DEVICEPRINTF_H

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wooly::exec {

/// One `%...` specification of a format (not `%%`).
struct PrintfConversion {
  size_t begin = 0;    // offset of the '%' in the format
  size_t end = 0;      // one past the conversion character
  char conversion = 0; // 'd', 's', ...; 0 at the end of the format
  unsigned size = 0;   // argument bytes it reads: 4, 8, or 0 for none
  uint64_t offset = 0; // where its argument sits in the argument buffer
  unsigned longs = 0;  // l, z, j, t modifiers seen
  bool half = false;   // an h modifier seen
};

/// The longest %s text a record carries (and the host prints): every
/// conversion is formatted into a 512-byte buffer, so more never shows.
inline constexpr size_t kPrintfMaxStringBytes = 511;

/// The specifications of `format` (up to its first NUL) in order, and in
/// `argBytes` the size of the argument buffer it reads.
std::vector<PrintfConversion> scanPrintfFormat(std::string_view format,
                                               uint64_t &argBytes);

/// The text of the %s argument with this pointer value (`index` counts the
/// format's %s conversions from 0); std::nullopt prints "(null)".
using PrintfStringResolver = std::function<std::optional<std::string_view>(
    uint64_t pointer, unsigned index)>;

/// Appends the formatted text of one printf call to `out` and returns the
/// number of conversions printed (vprintf's result). Argument bytes past the
/// end of `args` read as zero (a truncated record prints zeros, never
/// garbage). Conversions it does not know are printed as written.
int formatDevicePrintf(std::string_view format, std::span<const uint8_t> args,
                       const PrintfStringResolver &strings, std::string &out);
/// The same with `specs` = scanPrintfFormat(format): callers that print one
/// format many times scan it once.
int formatDevicePrintf(std::string_view format,
                       const std::vector<PrintfConversion> &specs,
                       std::span<const uint8_t> args,
                       const PrintfStringResolver &strings, std::string &out);

} // namespace wooly::exec

#endif // WOOLY_RUNTIME_EXEC_COMMON_DEVICEPRINTF_H
