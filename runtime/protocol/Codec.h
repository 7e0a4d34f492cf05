//===- Codec.h - Bounds-checked little-endian body encoding -----*- C++ -*-===//
//
// Message bodies are flat little-endian records: fixed-width integers, IEEE
// doubles, length-prefixed strings (u32 length) and counted lists (u32 count).
//
// Writer appends. Reader checks every read against the bytes left; the first
// failed read makes the reader "failed" (sticky), later reads return zeros,
// and finish() reports the first problem as a Malformed error. A decoder can
// therefore read a whole struct and check once, and garbage input can never
// read out of bounds or allocate more than the message could hold.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_CODEC_H
#define WOOLY_RUNTIME_PROTOCOL_CODEC_H

#include "runtime/protocol/Error.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wooly::protocol {

/// Strings longer than this are rejected by the reader even when the bytes
/// are present: no message field needs more (the largest is the fleet status
/// JSON of a big fleet), bulk data travels as frames.
inline constexpr uint32_t kMaxStringBytes = 8u << 20;

class Writer {
public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void u16(uint16_t v) { putLittleEndian(v, 2); }
  void u32(uint32_t v) { putLittleEndian(v, 4); }
  void u64(uint64_t v) { putLittleEndian(v, 8); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f64(double v);
  void string(std::string_view v);
  void bytes(std::span<const uint8_t> v);
  /// Writes a list count; the caller then writes each element.
  void count(size_t n) { u32(static_cast<uint32_t>(n)); }

  std::vector<uint8_t> &data() { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

private:
  void putLittleEndian(uint64_t v, int width);
  std::vector<uint8_t> bytes_;
};

class Reader {
public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint8_t u8();
  bool boolean();
  uint16_t u16() { return static_cast<uint16_t>(getLittleEndian(2)); }
  uint32_t u32() { return static_cast<uint32_t>(getLittleEndian(4)); }
  uint64_t u64() { return getLittleEndian(8); }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  double f64();
  std::string string();
  std::vector<uint8_t> bytes();
  /// Reads a list count and checks that `count * minElementBytes` bytes are
  /// still there, so a garbage count cannot trigger a huge allocation.
  uint32_t count(size_t minElementBytes);

  /// Marks the reader failed with a message (used by decoders for semantic
  /// checks such as an enum value out of range).
  void fail(std::string message);
  bool ok() const { return !failed_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  size_t offset() const { return offset_; }
  /// Ok if every read succeeded and every byte was consumed.
  Status finish() const;

private:
  bool need(size_t n);
  uint64_t getLittleEndian(int width);

  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
  bool failed_ = false;
  std::string failure_;
};

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_CODEC_H
