//===- Wire.h - Bounds-checked byte writer/reader for daemon messages -----===//
//
// Every field of a client<->daemon message goes through these two classes.
// The reader never reads past its span: a short or garbled payload raises
// DecodeError, which the daemon turns into an error reply (never a crash).
// Integers are little-endian, strings are u32 length + bytes.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_DAEMON_WIRE_H
#define WOOLY_RUNTIME_PROTOCOL_DAEMON_WIRE_H

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace wooly::protocol::daemon {

/// A payload that does not decode: too short, a length past the end, trailing
/// garbage. The message says which field.
class DecodeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
public:
  template <typename T> void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto *p = reinterpret_cast<const uint8_t *>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  void putString(const std::string &s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void putBytes(std::span<const uint8_t> b) {
    put<uint32_t>(static_cast<uint32_t>(b.size()));
    bytes_.insert(bytes_.end(), b.begin(), b.end());
  }
  std::vector<uint8_t> &bytes() { return bytes_; }
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

private:
  std::vector<uint8_t> bytes_;
};

class ByteReader {
public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  template <typename T> T get(const char *field) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), field);
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string getString(const char *field, uint32_t maxLength = 1u << 20) {
    uint32_t n = get<uint32_t>(field);
    if (n > maxLength)
      throw DecodeError(std::string("field '") + field + "' is too long (" +
                        std::to_string(n) + " bytes)");
    need(n, field);
    std::string s(reinterpret_cast<const char *>(data_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::span<const uint8_t> getBytes(const char *field) {
    uint32_t n = get<uint32_t>(field);
    need(n, field);
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  /// Every field was consumed; trailing bytes mean a mismatched message.
  void expectEnd() const {
    if (pos_ != data_.size())
      throw DecodeError("message has " + std::to_string(data_.size() - pos_) +
                        " unexpected trailing bytes");
  }
  size_t remaining() const { return data_.size() - pos_; }

private:
  void need(size_t n, const char *field) const {
    if (n > data_.size() - pos_)
      throw DecodeError(std::string("message too short reading '") + field +
                        "'");
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

} // namespace wooly::protocol::daemon

#endif // WOOLY_RUNTIME_PROTOCOL_DAEMON_WIRE_H
