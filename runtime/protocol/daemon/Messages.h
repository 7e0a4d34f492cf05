//===- Messages.h - Client <-> daemon messages --------------------------===//
//
// A message uses WoolyProtocol's framing (runtime/protocol/Frame.h):
//   [header: 24 bytes] [payload: fields, see Wire.h] [bulk: raw bytes, optional]
// in the type range Frame.h reserves for client <-> daemon traffic:
// 0x0200 + MsgType for requests that want a reply, 0x0300 + MsgType for
// asynchronous ones. The bulk frame carries copy data and kernel arguments so
// that neither side copies them into the payload (zero-copy on the daemon).
//
// Async requests get no reply: their errors are kept by the daemon and
// returned by the session's next synchronizing request (CUDA semantics).
// Every other request gets exactly one reply: same type and request id,
// FlagReply set, and a payload starting with (u32 code, string message); the
// code numbering is exec::ErrorCode's (and protocol::ErrorCode's).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_DAEMON_MESSAGES_H
#define WOOLY_RUNTIME_PROTOCOL_DAEMON_MESSAGES_H

#include "runtime/protocol/daemon/Wire.h"

#include <cstdint>
#include <optional>
#include <string>

namespace wooly::protocol::daemon {

constexpr size_t kHeaderSize = 24; // protocol::kHeaderBytes
constexpr uint16_t kSyncTypeBase = 0x0200;
constexpr uint16_t kAsyncTypeBase = 0x0300;

enum class MsgType : uint16_t {
  Hello = 1,
  Goodbye,
  Heartbeat,
  Status, // telemetry JSON; needs no session (woolyd --status)
  // An operator changes a tenant's or a session's share (woolyd
  // --set-share); needs no session, and an admin key where CURVE is on:
  //   u8 target (0 tenant, 1 session), string tenant, u64 session,
  //   u32 weight 1..1000, u32 priority class 0..2 or kKeepPriority;
  //   weight 0 for a tenant clears its share (woolyd --clear-share)
  // Reply: u32 sessions changed.
  SetShareAdmin,
  // An operator caps what a tenant's sessions hold together (woolyd
  // --set-quota); needs no session, and an admin key where CURVE is on:
  //   string tenant, u64 bytes (0: no cap)
  // Reply: u64 bytes the tenant's sessions hold now.
  SetQuotaAdmin,
  // An operator asks woolyd to replace itself with a new process on the
  // same endpoint (woolyd --restart: an upgraded binary, a fresh device
  // context) once its sessions have ended, or after a grace period at the
  // latest; new Hellos get Restarting meanwhile. Needs no session, and an
  // admin key where CURVE is on:
  //   u32 grace in milliseconds (at most 1 hour)
  // Reply: u32 sessions it waits for.
  RestartAdmin,
  MemAlloc = 16,
  MemFree,
  MemGetInfo,
  MemcpyHtoD, // bulk = data
  MemcpyDtoH, // reply bulk = data
  MemcpyDtoD,
  Memset,
  PointerInfo,
  ModuleLoad = 32, // bulk = WIS bytecode
  ModuleUnload,
  GetFunction,
  GetGlobal,
  Launch, // bulk = packed kernel arguments
  StreamCreate = 48,
  StreamDestroy,
  StreamSync,
  StreamQuery,
  StreamWaitEvent,
  EventCreate = 64,
  EventDestroy,
  EventRecord,
  EventSync,
  EventQuery,
  EventElapsed,
  DeviceSync = 80, // reply carries drained device printf output
  SetShare,
  SetLimit, // needs FeatureLimits
  Batch = 96, // async requests in one message (Batch.h); always async
  Error = 0xff, // daemon -> client: a request it could not even parse
};

const char *msgTypeName(uint16_t type);

/// What a server understands beyond protocol version 1's requests: a u32
/// after the DeviceDescription in its Hello reply. A server that predates it
/// sends no such field (the client reads 0) and a client that predates it
/// ignores it, so both old pairings keep working without a version bump.
enum ServerFeatures : uint32_t {
  FeatureBatch = 1,  // accepts MsgType::Batch (Batch.h)
  FeatureLimits = 2, // accepts MsgType::SetLimit
};

/// What MsgType::SetLimit sets (cudaLimit's numbering).
enum class DeviceLimit : uint32_t {
  StackSize = 0, // bytes of stack per device thread
};

enum HeaderFlags : uint32_t {
  FlagAsync = 1, // no reply; errors deferred to the next synchronizing call
};

struct Header {
  uint16_t type = 0;  // MsgType
  uint32_t seq = 0;   // the frame's request id
  uint32_t flags = 0; // HeaderFlags
  bool reply = false;
  uint32_t payloadLength = 0; // filled in by the sender
  uint16_t bulkFrames = 0;

  void encode(uint8_t out[kHeaderSize]) const;
  /// Throws DecodeError naming what is wrong (size, magic, version, a type
  /// outside the client <-> daemon range).
  static Header decode(std::span<const uint8_t> frame);
};

/// Status codes on the wire; the same numbers as exec::ErrorCode.
enum class WireCode : uint32_t {
  Success = 0,
  InvalidValue,
  OutOfMemory,
  InvalidHandle,
  InvalidAddress,
  CompileError,
  NotFound,
  LaunchFailure,
  LaunchTimeout,
  Trap,
  NotReady,
  NotSupported,
  DeviceUnavailable,
  Internal,
  Assert,
  // Protocol-level codes (no executor equivalent).
  ProtocolError = 102, // garbage, a truncated message, a version mismatch
                       // (protocol::ErrorCode::Malformed)
  NoSession = 200,     // a request before Hello or after the session expired
  ServerRestarted,     // the session id is unknown: the server restarted
  NotPermitted,        // an operator's request from a key not in admin_keys
  Restarting,          // Hello while woolyd is about to restart (a lost
                       // device, an operator's RestartAdmin): ask again (the
                       // client does, for up to WOOLY_RESTART_WAIT_MS)
};

/// SetShareAdmin's priority class when only the weight changes.
constexpr uint32_t kKeepPriority = 0xffffffffu;

const char *wireCodeName(WireCode code);

/// What the client learns about the device at Hello.
struct DeviceDescription {
  std::string name, vendor, arch, executor;
  uint64_t totalMemory = 0;
  uint32_t computeUnits = 0, warpSize = 32, maxThreadsPerBlock = 1024;
  uint32_t maxBlockDim[3] = {1024, 1024, 64};
  uint32_t maxGridDim[3] = {0x7fffffff, 65535, 65535};
  uint32_t maxSharedPerBlock = 48 * 1024, maxSharedPerBlockOptin = 48 * 1024;
  uint32_t clockRateKHz = 0, ccMajor = 0, ccMinor = 0;
  // The session's memory quota.
  uint64_t memoryLimit = 0, memoryGuaranteed = 0;

  void encode(ByteWriter &w) const;
  static DeviceDescription decode(ByteReader &r);
  /// Whether a grid x block launch shape fits the device: no zero
  /// dimension, and threads per block, block and grid dimensions within
  /// the limits. The client checks before sending, the server again.
  bool fitsLaunch(const uint32_t grid[3], const uint32_t block[3]) const;
};

/// Kernel parameter layout, as the daemon reports it for GetFunction.
struct KernelDescription {
  struct Param {
    uint32_t offset = 0, size = 0, align = 1;
  };
  std::vector<Param> params;
  uint32_t argBufferSize = 0, staticSharedBytes = 0, localBytesPerThread = 0,
           maxThreadsPerBlock = 1024, numRegs = 0;

  void encode(ByteWriter &w) const;
  static KernelDescription decode(ByteReader &r);
};

} // namespace wooly::protocol::daemon

#endif // WOOLY_RUNTIME_PROTOCOL_DAEMON_MESSAGES_H
