//===- Batch.cpp - Several asynchronous requests in one message ----------===//
#include "runtime/protocol/daemon/Batch.h"

namespace wooly::protocol::daemon {

template <typename T> static void append(std::vector<uint8_t> &out, T value) {
  const auto *p = reinterpret_cast<const uint8_t *>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

void BatchWriter::add(uint16_t type, std::span<const uint8_t> payload,
                      bool hasBulk, std::span<const uint8_t> bulk) {
  append<uint16_t>(writer_, type);
  append<uint32_t>(writer_, uint32_t(payload.size()));
  writer_.insert(writer_.end(), payload.begin(), payload.end());
  append<uint8_t>(writer_, hasBulk ? 1 : 0);
  if (hasBulk) {
    append<uint32_t>(writer_, uint32_t(bulk.size()));
    writer_.insert(writer_.end(), bulk.begin(), bulk.end());
  }
  ++count_;
}

std::vector<uint8_t> &BatchWriter::payload() {
  // Swapped out by a sender (who gives a buffer back), it may be empty.
  if (writer_.size() >= sizeof count_)
    std::memcpy(writer_.data(), &count_, sizeof count_);
  return writer_;
}

void BatchWriter::clear() {
  writer_.assign(sizeof(uint32_t), 0); // the count, written by payload()
  count_ = 0;
}

BatchReader::BatchReader(std::span<const uint8_t> payload) : reader_(payload) {
  count_ = reader_.get<uint32_t>("batch.count");
  // Every entry takes at least 7 bytes: a count past that is garbage.
  if (count_ > reader_.remaining() / 7)
    throw DecodeError("batch.count " + std::to_string(count_) +
                      " does not fit in the payload");
}

bool BatchReader::next(BatchEntry &entry) {
  if (index_ == count_) {
    reader_.expectEnd();
    return false;
  }
  ++index_;
  entry.type = reader_.get<uint16_t>("batch.type");
  entry.payload = reader_.getBytes("batch.payload");
  entry.hasBulk = reader_.get<uint8_t>("batch.hasBulk") != 0;
  entry.bulk = entry.hasBulk ? reader_.getBytes("batch.bulk")
                             : std::span<const uint8_t>();
  return true;
}

} // namespace wooly::protocol::daemon
