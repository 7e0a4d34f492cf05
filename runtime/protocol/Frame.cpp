//===- Frame.cpp - The fixed header frame of every Wooly message ----------===//
#include "runtime/protocol/Frame.h"

#include "runtime/protocol/Codec.h"

#include <cstring>

namespace wooly::protocol {

const char *messageTypeName(uint16_t type) {
  switch (static_cast<MessageType>(type)) {
  case MessageType::ErrorReply:
    return "ErrorReply";
  case MessageType::Ping:
    return "Ping";
  case MessageType::Pong:
    return "Pong";
  case MessageType::RegisterServer:
    return "RegisterServer";
  case MessageType::RegisterReply:
    return "RegisterReply";
  case MessageType::Telemetry:
    return "Telemetry";
  case MessageType::TelemetryReply:
    return "TelemetryReply";
  case MessageType::Deregister:
    return "Deregister";
  case MessageType::DeregisterReply:
    return "DeregisterReply";
  case MessageType::PlacementRequest:
    return "PlacementRequest";
  case MessageType::PlacementReply:
    return "PlacementReply";
  case MessageType::FleetStatusRequest:
    return "FleetStatusRequest";
  case MessageType::FleetStatusReply:
    return "FleetStatusReply";
  }
  return "Unknown";
}

std::array<uint8_t, kHeaderBytes> encodeHeader(const FrameHeader &header) {
  Writer w;
  w.u32(header.magic);
  w.u16(header.version);
  w.u16(header.type);
  w.u16(header.flags);
  w.u16(header.bulkFrames);
  w.u32(header.payloadLength);
  w.u64(header.requestId);
  std::array<uint8_t, kHeaderBytes> out{};
  std::memcpy(out.data(), w.data().data(), kHeaderBytes);
  return out;
}

Result<FrameHeader> decodeHeader(std::span<const uint8_t> frame,
                                 uint16_t version) {
  if (frame.size() < 4 || (frame[0] != 'W' || frame[1] != 'O' ||
                           frame[2] != 'O' || frame[3] != 'L'))
    return makeError(ErrorCode::BadMagic,
                     "not a Wooly message (the first frame must start with "
                     "\"WOOL\"); is the peer speaking the Wooly protocol?");
  if (frame.size() != kHeaderBytes)
    return makeError(ErrorCode::Malformed,
                     "header frame is " + std::to_string(frame.size()) +
                         " bytes, expected " + std::to_string(kHeaderBytes));
  Reader r(frame);
  FrameHeader h;
  h.magic = r.u32();
  h.version = r.u16();
  h.type = r.u16();
  h.flags = r.u16();
  h.bulkFrames = r.u16();
  h.payloadLength = r.u32();
  h.requestId = r.u64();
  if (h.version != version)
    return makeError(ErrorCode::VersionMismatch,
                     "peer speaks Wooly protocol version " +
                         std::to_string(h.version) + ", this side speaks " +
                         std::to_string(version) +
                         "; run matching Wooly versions on both sides");
  if (h.flags & ~FlagKnownMask)
    return makeError(ErrorCode::Malformed,
                     "header carries unknown flag bits 0x" +
                         std::to_string(h.flags & ~FlagKnownMask));
  if (h.payloadLength > kMaxBodyBytes)
    return makeError(ErrorCode::Malformed,
                     "body length " + std::to_string(h.payloadLength) +
                         " exceeds the limit of " +
                         std::to_string(kMaxBodyBytes) + " bytes");
  if (h.bulkFrames > kMaxBulkFrames)
    return makeError(ErrorCode::Malformed,
                     std::to_string(h.bulkFrames) +
                         " bulk frames exceed the limit of " +
                         std::to_string(kMaxBulkFrames));
  return h;
}

} // namespace wooly::protocol
