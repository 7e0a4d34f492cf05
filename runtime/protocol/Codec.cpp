//===- Codec.cpp - Bounds-checked little-endian body encoding -------------===//
#include "runtime/protocol/Codec.h"

#include <bit>
#include <cstring>

namespace wooly::protocol {

void Writer::putLittleEndian(uint64_t v, int width) {
  for (int i = 0; i < width; ++i)
    bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void Writer::f64(double v) { u64(std::bit_cast<uint64_t>(v)); }

void Writer::string(std::string_view v) {
  u32(static_cast<uint32_t>(v.size()));
  bytes_.insert(bytes_.end(), v.begin(), v.end());
}

void Writer::bytes(std::span<const uint8_t> v) {
  u32(static_cast<uint32_t>(v.size()));
  bytes_.insert(bytes_.end(), v.begin(), v.end());
}

bool Reader::need(size_t n) {
  if (failed_)
    return false;
  if (remaining() < n) {
    fail("truncated body: needed " + std::to_string(n) + " bytes at offset " +
         std::to_string(offset_) + ", " + std::to_string(remaining()) +
         " left");
    return false;
  }
  return true;
}

void Reader::fail(std::string message) {
  if (failed_)
    return;
  failed_ = true;
  failure_ = std::move(message);
}

uint64_t Reader::getLittleEndian(int width) {
  if (!need(static_cast<size_t>(width)))
    return 0;
  uint64_t v = 0;
  for (int i = 0; i < width; ++i)
    v |= static_cast<uint64_t>(bytes_[offset_ + i]) << (8 * i);
  offset_ += static_cast<size_t>(width);
  return v;
}

uint8_t Reader::u8() { return static_cast<uint8_t>(getLittleEndian(1)); }

bool Reader::boolean() {
  uint8_t v = u8();
  if (v > 1)
    fail("boolean field at offset " + std::to_string(offset_ - 1) + " holds " +
         std::to_string(v) + ", expected 0 or 1");
  return v == 1;
}

double Reader::f64() { return std::bit_cast<double>(u64()); }

std::string Reader::string() {
  uint32_t n = u32();
  if (n > kMaxStringBytes) {
    fail("string of " + std::to_string(n) + " bytes at offset " +
         std::to_string(offset_ - 4) + " exceeds the limit of " +
         std::to_string(kMaxStringBytes));
    return {};
  }
  if (!need(n))
    return {};
  std::string s(reinterpret_cast<const char *>(bytes_.data() + offset_), n);
  offset_ += n;
  return s;
}

std::vector<uint8_t> Reader::bytes() {
  uint32_t n = u32();
  if (!need(n))
    return {};
  std::vector<uint8_t> v(bytes_.begin() + offset_,
                         bytes_.begin() + offset_ + n);
  offset_ += n;
  return v;
}

uint32_t Reader::count(size_t minElementBytes) {
  uint32_t n = u32();
  if (failed_)
    return 0;
  size_t atLeast = minElementBytes == 0 ? 1 : minElementBytes;
  if (static_cast<uint64_t>(n) * atLeast > remaining()) {
    fail("list of " + std::to_string(n) + " elements at offset " +
         std::to_string(offset_ - 4) + " cannot fit in the " +
         std::to_string(remaining()) + " bytes left");
    return 0;
  }
  return n;
}

Status Reader::finish() const {
  if (failed_)
    return Error{ErrorCode::Malformed, failure_};
  if (remaining() != 0)
    return Error{ErrorCode::Malformed,
                 std::to_string(remaining()) +
                     " trailing bytes after the body at offset " +
                     std::to_string(offset_)};
  return Status::ok();
}

} // namespace wooly::protocol
