//===- Session.h - One client's state on the server ------------------------===//
//
// A session owns the client's executor Context and the tables of every handle
// the client was given (allocations, modules, functions, streams, events).
// Each request names handles; each is looked up in these tables first, and a
// miss is an InvalidHandle/InvalidAddress reply, never a dereference. When
// the session is destroyed its Context goes with it, which frees all device
// memory, modules, streams and events, and its quota is returned.
//
// A session handles its requests in order on one thread (the Server gives
// each its own worker), so a blocking synchronize only blocks its own client.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_SESSION_H
#define WOOLY_DAEMON_SESSION_H

#include "daemon/AllocationTable.h"
#include "daemon/MemoryQuota.h"
#include "daemon/ModuleCache.h"
#include "runtime/exec/Executor.h"
#include "runtime/protocol/daemon/Messages.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <zmq.hpp>

namespace wooly::daemon {

namespace proto = wooly::protocol::daemon;

/// Bytes that arrived in a bulk frame, with whatever keeps them alive.
/// Holding `owner` past the call lets an asynchronous copy read the bytes
/// straight from the received message.
struct Bulk {
  std::span<const uint8_t> data;
  std::shared_ptr<void> owner;
};

struct Reply {
  proto::WireCode code = proto::WireCode::Success;
  std::string message;
  proto::ByteWriter fields; // after (code, message)
  /// Reply data, written in place by the device copy and sent as is.
  std::shared_ptr<zmq::message_t> bulk;

  static Reply error(proto::WireCode code, std::string message) {
    Reply r;
    r.code = code;
    r.message = std::move(message);
    return r;
  }
};

/// Per-session usage the telemetry reports.
struct SessionUsage {
  uint64_t id = 0;
  std::string client;
  std::string tenant;
  uint64_t memoryBytes = 0, memoryLimit = 0, memoryGuaranteed = 0;
  uint64_t allocations = 0, modules = 0, streams = 0, events = 0;
  exec::ContextStats stats;
  uint32_t weight = 1;
  exec::PriorityClass priority = exec::PriorityClass::Normal;
  /// What ended the session's device work, if anything did: the first
  /// sticky kernel error it was told (a trap, a failed assert, the launch
  /// watchdog, an illegal address), "Code: message"; empty while none.
  std::string error;
};

/// Limits the server puts on every request, whatever the client asks.
struct SessionLimits {
  uint64_t maxCopyChunk = 64ull << 20; // one DtoH reply
  uint64_t maxModuleBytes = 256ull << 20;
  uint32_t maxArgBytes = 32 * 1024;
};

class Session {
public:
  /// Creates the context. `options.memoryLimit/Guaranteed` must already be
  /// open in `quota` under `id`.
  static exec::Status create(uint64_t id, std::string client,
                             exec::Executor &executor, MemoryQuota &quota,
                             ModuleCache &modules,
                             const exec::ContextOptions &options,
                             const SessionLimits &limits,
                             std::unique_ptr<Session> &out);
  ~Session();

  /// Handles one request; a malformed payload is a ProtocolError reply.
  /// An Async request's reply is discarded by the caller; its error is kept
  /// and returned by the next synchronizing request.
  Reply handle(const proto::Header &header, proto::ByteReader &payload,
               const Bulk &bulk);

  /// Handles a Batch message (runtime/protocol/daemon/Batch.h): its
  /// requests in order, each exactly as if it had come alone and async (an
  /// error is kept for the next synchronizing request, and so is a
  /// malformed entry, which ends the batch). Inline bulk bytes stay alive
  /// through `payload` for copies that read them later.
  Reply handleBatch(const proto::Header &header,
                    const std::shared_ptr<zmq::message_t> &payload,
                    bool verbose = false);

  uint64_t id() const { return id_; }
  const std::string &tenant() const { return tenant_; }
  void setTenant(std::string tenant) { tenant_ = std::move(tenant); }
  /// Changes the scheduling share (admin or controller).
  void setShare(uint32_t weight, exec::PriorityClass priority);
  SessionUsage usage() const;
  exec::Context &context() { return *context_; }
  /// The client is gone (silent past the session timeout, maybe while this
  /// session waits for a kernel on its behalf): stops its kernels, so the
  /// wait returns and nothing more runs; every later request is refused.
  /// Thread-safe; the session is closed next.
  void abandon();

private:
  Session(uint64_t id, std::string client, exec::Executor &executor,
          MemoryQuota &quota, ModuleCache &modules, const SessionLimits &limits);

  Reply dispatch(proto::MsgType type, proto::ByteReader &r, const Bulk &bulk);
  /// Returns (and clears) the first error of an earlier Async request.
  exec::Status takeDeferred();
  /// Keeps the first error of an async request for the next sync.
  void defer(uint16_t type, const Reply &reply);
  Reply synced(exec::Status status);

  bool validStream(uint64_t s) const { return s == 0 || streams_.count(s); }
  Reply badStream(uint64_t s) const;
  Reply checkRange(uint64_t ptr, uint64_t bytes, const char *what) const;

  Reply alloc(proto::ByteReader &r);
  Reply free(proto::ByteReader &r);
  Reply memcpyHtoD(proto::ByteReader &r, const Bulk &bulk);
  Reply memcpyDtoH(proto::ByteReader &r);
  Reply memcpyDtoD(proto::ByteReader &r);
  Reply memset(proto::ByteReader &r);
  Reply pointerInfo(proto::ByteReader &r);
  Reply moduleLoad(proto::ByteReader &r, const Bulk &bulk);
  Reply moduleUnload(proto::ByteReader &r);
  Reply getFunction(proto::ByteReader &r);
  Reply getGlobal(proto::ByteReader &r);
  Reply launch(proto::ByteReader &r, const Bulk &bulk);
  Reply streamOp(proto::MsgType type, proto::ByteReader &r);
  Reply eventOp(proto::MsgType type, proto::ByteReader &r);

  uint64_t id_;
  std::string client_;
  std::string tenant_ = "default";
  std::atomic<bool> abandoned_{false};
  MemoryQuota &quota_;
  ModuleCache &moduleCache_;
  SessionLimits limits_;
  proto::DeviceDescription device_; // the limits launches are checked against
  std::unique_ptr<exec::Context> context_;

  // Handle tables. Guarded for usage() from the telemetry thread; requests
  // themselves come from one thread.
  mutable std::mutex mutex_;
  AllocationTable allocations_;
  AllocationTable globals_; // module variables handed out by GetGlobal
  std::map<uint64_t, std::vector<uint64_t>> moduleGlobals_; // module -> bases
  std::set<uint64_t> modules_;
  std::map<uint64_t, std::pair<uint64_t, uint32_t>> functions_; // fn -> (module, argBytes)
  std::set<uint64_t> streams_;
  std::set<uint64_t> events_;
  exec::Status deferred_;
  std::string error_; // SessionUsage::error, under mutex_
  uint32_t weight_ = 1;
  exec::PriorityClass priority_ = exec::PriorityClass::Normal;
};

proto::WireCode toWire(exec::ErrorCode code);
/// The device as clients see it (Hello), memory quota fields left 0.
proto::DeviceDescription describeDevice(const exec::DeviceInfo &dev);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_SESSION_H
