//===- Frame.h - The fixed header frame of every Wooly message --*- C++ -*-===//
//
// A Wooly message is a ZeroMQ multipart message:
//
//   [routing id]   only as seen by a ROUTER socket (added/stripped by ZeroMQ)
//   header         24 bytes, layout below
//   body           the encoded message fields (Codec.h), `payloadLength` bytes
//   bulk 0..n-1    `bulkFrames` raw frames (device memory contents, modules),
//                  sent zero-copy and never parsed by the codec
//
// Header layout (little-endian):
//   offset 0  u32 magic          "WOOL" (0x4C4F4F57 read as little-endian)
//   offset 4  u16 version        kProtocolVersion; a mismatch is answered with
//                                ErrorReply(VersionMismatch)
//   offset 6  u16 type           MessageType
//   offset 8  u16 flags          FrameFlags; unknown bits are rejected
//   offset 10 u16 bulkFrames     number of bulk frames after the body
//   offset 12 u32 payloadLength  size of the body frame, checked on receive
//   offset 16 u64 requestId      chosen by the requester, echoed in the reply
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_FRAME_H
#define WOOLY_RUNTIME_PROTOCOL_FRAME_H

#include "runtime/protocol/Error.h"

#include <array>
#include <cstdint>
#include <span>

namespace wooly::protocol {

inline constexpr uint32_t kFrameMagic = 0x4C4F4F57; // bytes 'W' 'O' 'O' 'L'
/// The controller's messages (this folder); 2: OperatorCommand carries the
/// tenant's priority class.
inline constexpr uint16_t kProtocolVersion = 2;
/// The client <-> daemon messages (runtime/protocol/daemon), in the same
/// frames; versioned apart so that a controller change leaves clients and
/// servers of different builds talking.
inline constexpr uint16_t kDaemonProtocolVersion = 1;
inline constexpr size_t kHeaderBytes = 24;
/// Bodies are small records; anything big is a bulk frame.
inline constexpr uint32_t kMaxBodyBytes = 16u << 20;
inline constexpr uint16_t kMaxBulkFrames = 1024;

/// Message type numbers. Ranges keep areas apart:
///   0x0001-0x00FF  generic (errors, ping)
///   0x0100-0x01FF  controller (ControllerMessages.h)
///   0x0200-0x03FF  client <-> daemon (runtime/protocol/daemon/, owned by the
///                  daemon area)
enum class MessageType : uint16_t {
  ErrorReply = 0x0001,
  Ping = 0x0002,
  Pong = 0x0003,

  RegisterServer = 0x0100,
  RegisterReply = 0x0101,
  Telemetry = 0x0102,
  TelemetryReply = 0x0103,
  Deregister = 0x0104,
  DeregisterReply = 0x0105,
  PlacementRequest = 0x0106,
  PlacementReply = 0x0107,
  FleetStatusRequest = 0x0108,
  FleetStatusReply = 0x0109,
};

const char *messageTypeName(uint16_t type);

enum FrameFlags : uint16_t {
  FlagNone = 0,
  /// Set on replies, so a peer can tell a late reply from a request.
  FlagReply = 1u << 0,
  FlagKnownMask = FlagReply,
};

struct FrameHeader {
  uint32_t magic = kFrameMagic;
  uint16_t version = kProtocolVersion;
  uint16_t type = 0;
  uint16_t flags = 0;
  uint16_t bulkFrames = 0;
  uint32_t payloadLength = 0;
  uint64_t requestId = 0;

  MessageType messageType() const { return static_cast<MessageType>(type); }
  bool isReply() const { return flags & FlagReply; }
};

std::array<uint8_t, kHeaderBytes> encodeHeader(const FrameHeader &header);

/// Decodes and validates a header frame: size, magic, version (`version`,
/// the family's), flags and limits. The error says which check failed and
/// what the peer should do.
Result<FrameHeader> decodeHeader(std::span<const uint8_t> frame,
                                 uint16_t version = kProtocolVersion);

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_FRAME_H
