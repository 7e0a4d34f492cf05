//===- DevicePrintf.cpp - Device printf formatting, CUDA's layout ---------===//

#include "runtime/exec/common/DevicePrintf.h"

#include <cstdio>
#include <cstring>

namespace wooly::exec {

namespace {

/// The format up to its first NUL: a C string's extent.
std::string_view untilNul(std::string_view format) {
  return format.substr(0, std::min(format.find('\0'), format.size()));
}

bool isOneOf(char c, const char *set) {
  return c != '\0' && std::strchr(set, c) != nullptr;
}

// The conversions by how their argument is passed: integers (and %c) as
// 4 bytes, or 8 with l/ll; floating point promoted to double.
constexpr const char *kIntegerConversions = "diuxXoc";
constexpr const char *kDoubleConversions = "fFeEgGaA";

unsigned argumentSize(char conversion, unsigned longs) {
  if (isOneOf(conversion, kIntegerConversions))
    return longs ? 8 : 4;
  if (isOneOf(conversion, kDoubleConversions) || conversion == 's' ||
      conversion == 'p')
    return 8;
  return 0;
}

} // namespace

std::vector<PrintfConversion> scanPrintfFormat(std::string_view format,
                                               uint64_t &argBytes) {
  format = untilNul(format);
  std::vector<PrintfConversion> out;
  uint64_t offset = 0;
  for (size_t p = 0; p < format.size();) {
    if (format[p] != '%') {
      ++p;
      continue;
    }
    if (p + 1 < format.size() && format[p + 1] == '%') {
      p += 2;
      continue;
    }
    PrintfConversion spec;
    spec.begin = p++;
    while (p < format.size() && isOneOf(format[p], "-+ #0123456789."))
      ++p;
    while (p < format.size() && isOneOf(format[p], "lhzjt")) {
      if (format[p] == 'h')
        spec.half = true;
      else
        ++spec.longs;
      ++p;
    }
    spec.conversion = p < format.size() ? format[p++] : '\0';
    spec.end = p;
    spec.size = argumentSize(spec.conversion, spec.longs);
    if (spec.size) {
      offset = (offset + spec.size - 1) / spec.size * spec.size;
      spec.offset = offset;
      offset += spec.size;
    }
    out.push_back(spec);
  }
  argBytes = offset;
  return out;
}

int formatDevicePrintf(std::string_view format, std::span<const uint8_t> args,
                       const PrintfStringResolver &strings, std::string &out) {
  uint64_t argBytes = 0;
  return formatDevicePrintf(format, scanPrintfFormat(format, argBytes), args,
                            strings, out);
}

int formatDevicePrintf(std::string_view format,
                       const std::vector<PrintfConversion> &specs,
                       std::span<const uint8_t> args,
                       const PrintfStringResolver &strings, std::string &out) {
  format = untilNul(format);
  auto value = [&](const PrintfConversion &spec) {
    uint64_t v = 0;
    for (unsigned i = 0; i < spec.size; ++i)
      if (spec.offset + i < args.size())
        v |= uint64_t(args[spec.offset + i]) << (8 * i);
    return v;
  };
  int count = 0;
  unsigned stringIndex = 0;
  size_t copied = 0; // format bytes before `copied` are in `out` already
  for (const PrintfConversion &spec : specs) {
    // Literal text before the spec, with %% as one '%'.
    for (size_t p = copied; p < spec.begin; ++p) {
      out += format[p];
      if (format[p] == '%')
        ++p; // the second '%' of "%%"
    }
    copied = spec.end;
    std::string text(format.substr(spec.begin, spec.end - spec.begin));
    // Length modifiers go: the value is passed at a fixed width below.
    std::string clean;
    for (char ch : text)
      if (!isOneOf(ch, "lhzjt"))
        clean += ch;
    std::string head = clean.substr(0, clean.size() - 1);
    char buf[512];
    buf[0] = '\0';
    char conversion = spec.conversion;
    if (conversion == 'd' || conversion == 'i') {
      uint64_t raw = value(spec);
      int64_t v = spec.longs ? static_cast<int64_t>(raw)
                             : static_cast<int32_t>(static_cast<uint32_t>(raw));
      if (spec.half)
        v = static_cast<int16_t>(v);
      std::snprintf(buf, sizeof buf, (head + "lld").c_str(),
                    static_cast<long long>(v));
    } else if (conversion == 'c') {
      std::snprintf(buf, sizeof buf, clean.c_str(),
                    static_cast<int>(value(spec)));
    } else if (isOneOf(conversion, kIntegerConversions)) { // u x X o
      std::snprintf(buf, sizeof buf, (head + "ll" + conversion).c_str(),
                    static_cast<unsigned long long>(value(spec)));
    } else if (isOneOf(conversion, kDoubleConversions)) {
      uint64_t bits = value(spec);
      double v;
      std::memcpy(&v, &bits, sizeof v);
      std::snprintf(buf, sizeof buf, clean.c_str(), v);
    } else if (conversion == 's') {
      std::optional<std::string_view> s =
          strings ? strings(value(spec), stringIndex) : std::nullopt;
      ++stringIndex;
      // snprintf wants a C string: the text up to its first NUL.
      std::string text = s ? std::string(untilNul(*s)) : "(null)";
      std::snprintf(buf, sizeof buf, clean.c_str(), text.c_str());
    } else if (conversion == 'p') {
      std::snprintf(
          buf, sizeof buf, "%p",
          reinterpret_cast<void *>(static_cast<uintptr_t>(value(spec))));
    } else {
      out += text;
      continue;
    }
    out += buf;
    ++count;
  }
  for (size_t p = copied; p < format.size(); ++p) {
    out += format[p];
    if (format[p] == '%' && p + 1 < format.size() && format[p + 1] == '%')
      ++p;
  }
  return count;
}

} // namespace wooly::exec
