//===- Batch.h - Several asynchronous requests in one message ------------===//
//
// The client pipelines asynchronous requests (launches, small copies and
// sets, event records); each used to be its own ZeroMQ message, whose fixed
// cost dominates an empty launch. A Batch message (MsgType::Batch, always
// asynchronous) carries N of them in its payload:
//
//   u32 count
//   count x { u16 type, u32 payloadLength, payload bytes,
//             u8 hasBulk, [u32 bulkLength, bulk bytes] }
//
// `type` is the request's MsgType; `hasBulk` distinguishes "no bulk frame"
// from an empty one (a launch with no parameters sends an empty bulk). Bulk
// bytes ride inline, so only small ones belong here: large copies still go
// as their own messages with a zero-copy bulk frame.
//
// The server handles the entries in order, each exactly as if it had come
// as its own asynchronous message: an error is kept for the next
// synchronizing request, and later entries still run.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_DAEMON_BATCH_H
#define WOOLY_RUNTIME_PROTOCOL_DAEMON_BATCH_H

#include "runtime/protocol/daemon/Wire.h"

#include <cstdint>
#include <span>

namespace wooly::protocol::daemon {

/// Builds a Batch payload one request at a time.
class BatchWriter {
public:
  BatchWriter() { clear(); }
  /// Appends one request. `bulk` is copied; null with `hasBulk` false means
  /// the request has no bulk frame.
  void add(uint16_t type, std::span<const uint8_t> payload, bool hasBulk,
           std::span<const uint8_t> bulk = {});
  uint32_t count() const { return count_; }
  size_t bytes() const { return writer_.size(); }
  bool empty() const { return count_ == 0; }
  /// The payload, count filled in. Valid until the next add/clear. A
  /// sender may swap it out (zero-copy) and swap a spare buffer back in;
  /// clear() then starts the next batch in that buffer.
  std::vector<uint8_t> &payload();
  void clear();

private:
  std::vector<uint8_t> writer_;
  uint32_t count_ = 0;
};

/// One request inside a Batch; the spans point into the batch payload.
struct BatchEntry {
  uint16_t type = 0;
  std::span<const uint8_t> payload;
  bool hasBulk = false;
  std::span<const uint8_t> bulk;
};

/// Reads a Batch payload entry by entry, so that the entries before a
/// malformed one are handled as they would have been one by one.
class BatchReader {
public:
  /// Throws DecodeError if the payload is too short for its count.
  explicit BatchReader(std::span<const uint8_t> payload);
  uint32_t count() const { return count_; }
  /// The next entry, false at the end. Throws DecodeError naming the entry
  /// if it is truncated, or (at the end) if bytes are left over.
  bool next(BatchEntry &entry);

private:
  ByteReader reader_;
  uint32_t count_ = 0, index_ = 0;
};

} // namespace wooly::protocol::daemon

#endif // WOOLY_RUNTIME_PROTOCOL_DAEMON_BATCH_H
