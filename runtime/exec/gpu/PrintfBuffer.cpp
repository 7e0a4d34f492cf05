//===- PrintfBuffer.cpp - Reading back a context's device printf ----------===//

#include "runtime/exec/gpu/PrintfBuffer.h"

#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/common/DevicePrintf.h"

#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wooly::exec::gpu {

namespace abi = wooly::gpu::printf_abi;

namespace {

uint64_t readLE(std::span<const uint8_t> bytes, size_t at, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i)
    v |= uint64_t(bytes[at + i]) << (8 * i);
  return v;
}

} // namespace

PrintfHeader readPrintfHeader(std::span<const uint8_t, 16> bytes) {
  PrintfHeader header;
  header.reserved = readLE(bytes, abi::kReservedOffset, 8);
  header.dropped = static_cast<uint32_t>(readLE(bytes, abi::kDroppedOffset, 4));
  header.capacity =
      static_cast<uint32_t>(readLE(bytes, abi::kCapacityOffset, 4));
  return header;
}

size_t formatPrintfRecords(std::span<const uint8_t> records, uint32_t dropped,
                           const PrintfFormatLookup &formats,
                           std::string &out) {
  size_t printed = 0;
  // Each format is scanned once per drain, not once per record.
  std::unordered_map<const std::string *, std::vector<PrintfConversion>>
      scanned;
  for (size_t at = 0; at + abi::kRecordHeaderBytes <= records.size();) {
    uint64_t bytes = readLE(records, at, 4);
    // Once a record did not fit, the reservation ran past the capacity and
    // no later record was written: the rest is the unused (zeroed) space.
    if (bytes == 0 && dropped)
      break;
    if (bytes < abi::kRecordHeaderBytes || bytes % 8 != 0 ||
        bytes > records.size() - at) {
      // Reserved but not (completely) written: nothing after it can be
      // trusted to start where a record starts.
      out += "[wooly] printf record " + std::to_string(printed) +
             " was never completed (the kernel stopped while printing); "
             "later output of this launch is lost\n";
      break;
    }
    std::span<const uint8_t> record = records.subspan(at, bytes);
    at += bytes;
    uint32_t tag = static_cast<uint32_t>(readLE(record, 4, 4));
    uint32_t id = static_cast<uint32_t>(readLE(record, 8, 4));
    uint64_t argBytes = readLE(record, 12, 4);
    const std::string *format = formats ? formats(tag, id) : nullptr;
    if (!format) {
      out += "[wooly] printf record with an unknown format (module " +
             std::to_string(tag) + ", format " + std::to_string(id) +
             ") skipped\n";
      continue;
    }
    uint64_t argsEnd = abi::kRecordHeaderBytes + argBytes;
    std::span<const uint8_t> args =
        argsEnd <= bytes
            ? record.subspan(abi::kRecordHeaderBytes, argBytes)
            : record.subspan(abi::kRecordHeaderBytes); // cut short: zeros
    // The %s texts, in order, after the arguments.
    std::vector<std::optional<std::string_view>> strings;
    uint64_t cursor = (argsEnd + 7) / 8 * 8;
    while (cursor + 4 <= bytes) {
      uint32_t length = static_cast<uint32_t>(readLE(record, cursor, 4));
      cursor += 4;
      if (length == abi::kNullString) {
        strings.push_back(std::nullopt);
        continue;
      }
      if (length > bytes - cursor)
        break;
      strings.push_back(std::string_view(
          reinterpret_cast<const char *>(record.data() + cursor), length));
      cursor = (cursor + length + 3) / 4 * 4;
    }
    auto [specs, fresh] = scanned.try_emplace(format);
    if (fresh) {
      uint64_t formatArgBytes = 0;
      specs->second = scanPrintfFormat(*format, formatArgBytes);
    }
    formatDevicePrintf(
        *format, specs->second, args,
        [&](uint64_t, unsigned index) -> std::optional<std::string_view> {
          if (index < strings.size())
            return strings[index];
          return std::nullopt;
        },
        out);
    ++printed;
  }
  if (dropped)
    out += "printf buffer full, " + std::to_string(dropped) + " records lost\n";
  return printed;
}

} // namespace wooly::exec::gpu
