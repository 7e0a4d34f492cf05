//===- Session.cpp - One client's state on the server -------------------===//
//
// Payload layouts (all little-endian, see runtime/protocol/daemon/Wire.h):
//   Hello        u32 pid, str client, u64 guaranteed, u64 limit, u32 weight,
//                u32 priority, str tenant -> u64 session, u32 heartbeat ms,
//                DeviceDescription          (handled in Server.cpp)
//   Status       -> str json;  Heartbeat, Goodbye (Server.cpp)
//   MemAlloc     u64 bytes                          -> u64 ptr
//   MemFree      u64 ptr
//   MemGetInfo                                      -> u64 free, u64 total
//   MemcpyHtoD   u64 dst, u64 stream; bulk = data
//   MemcpyDtoH   u64 src, u64 bytes, u64 stream     -> str printf; bulk = data
//   MemcpyDtoD   u64 dst, u64 src, u64 bytes, u64 stream
//   Memset       u64 dst, u32 value, u64 bytes, u64 stream
//   PointerInfo  u64 ptr                            -> u64 base, u64 size
//   ModuleLoad   bulk = WIS                         -> u64 module
//   ModuleUnload u64 module
//   GetFunction  u64 module, str name               -> u64 fn, KernelDescription
//   GetGlobal    u64 module, str name               -> u64 ptr, u64 size
//   Launch       u64 fn, u32 grid[3], u32 block[3], u32 shm, u64 stream;
//                bulk = packed arguments
//   StreamCreate i32 priority -> u64;  StreamDestroy/Query u64 stream
//   StreamSync   u64 stream -> str printf;  EventSync u64 event -> str printf
//   StreamWaitEvent u64 stream, u64 event
//   EventCreate -> u64;  EventDestroy/Sync/Query u64 event
//   EventRecord  u64 event, u64 stream;  EventElapsed u64 start, u64 end -> f32 ms
//   DeviceSync                                      -> str printf
// Synchronizing replies (DeviceSync, StreamSync, EventSync, MemcpyDtoH) end
// with the device printf output since the last one, error or not.
//   SetShare     u32 weight, u32 priority class
//   SetLimit     u32 DeviceLimit, u64 value -> u64 value in effect
//   Batch        (always async) N async requests, see Batch.h; each is
//                handled as if sent alone (handleBatch)
// The Hello reply ends with u32 ServerFeatures (FeatureBatch, FeatureLimits).
//
//===----------------------------------------------------------------------===//
#include "daemon/Session.h"
#include "runtime/protocol/daemon/Batch.h"

#include <cstdio>

namespace wooly::daemon {

using proto::MsgType;
using proto::WireCode;

proto::DeviceDescription describeDevice(const exec::DeviceInfo &dev) {
  proto::DeviceDescription d;
  d.name = dev.name;
  d.vendor = dev.vendor;
  d.arch = dev.arch;
  d.executor = dev.executor;
  d.totalMemory = dev.totalMemory;
  d.computeUnits = dev.computeUnits;
  d.warpSize = dev.warpSize;
  d.maxThreadsPerBlock = dev.maxThreadsPerBlock;
  for (int i = 0; i < 3; ++i) {
    d.maxBlockDim[i] = dev.maxBlockDim[i];
    d.maxGridDim[i] = dev.maxGridDim[i];
  }
  d.maxSharedPerBlock = dev.maxSharedPerBlock;
  d.maxSharedPerBlockOptin = dev.maxSharedPerBlockOptin;
  d.clockRateKHz = dev.clockRateKHz;
  d.ccMajor = dev.computeCapabilityMajor;
  d.ccMinor = dev.computeCapabilityMinor;
  return d;
}

proto::WireCode toWire(exec::ErrorCode code) {
  return static_cast<WireCode>(static_cast<uint32_t>(code));
}

static Reply fromStatus(const exec::Status &status) {
  if (status)
    return Reply{};
  return Reply::error(toWire(status.code), status.message);
}

exec::Status Session::create(uint64_t id, std::string client,
                             exec::Executor &executor, MemoryQuota &quota,
                             ModuleCache &modules,
                             const exec::ContextOptions &options,
                             const SessionLimits &limits,
                             std::unique_ptr<Session> &out) {
  std::unique_ptr<Session> session(
      new Session(id, std::move(client), executor, quota, modules, limits));
  exec::Status status = executor.createContext(options, session->context_);
  if (!status)
    return status;
  if (!session->context_)
    return exec::Status::error(exec::ErrorCode::Internal,
                               "executor returned no context");
  session->weight_ = options.weight;
  session->priority_ = options.priority;
  out = std::move(session);
  return exec::Status::ok();
}

Session::Session(uint64_t id, std::string client, exec::Executor &executor,
                 MemoryQuota &quota, ModuleCache &modules,
                 const SessionLimits &limits)
    : id_(id), client_(std::move(client)), quota_(quota), moduleCache_(modules),
      limits_(limits), device_(describeDevice(executor.info())) {}

Session::~Session() {
  // Stop the kernels (nobody will read their results; one may never end),
  // let queued copies finish (they may read host buffers we own), then drop
  // the context, which frees every allocation, module, stream and event.
  if (context_) {
    context_->abandon();
    (void)context_->synchronizeAll();
    context_.reset();
  }
  quota_.close(id_);
}

void Session::abandon() {
  abandoned_ = true;
  if (context_)
    context_->abandon();
}

exec::Status Session::takeDeferred() {
  std::lock_guard lock(mutex_);
  exec::Status s = std::move(deferred_);
  deferred_ = exec::Status::ok();
  return s;
}

Reply Session::synced(exec::Status status) {
  exec::Status earlier = takeDeferred();
  const exec::Status &told = earlier ? status : earlier;
  switch (told.code) {
  case exec::ErrorCode::Trap:
  case exec::ErrorCode::Assert:
  case exec::ErrorCode::LaunchTimeout:
  case exec::ErrorCode::LaunchFailure: {
    // Sticky for the client (CUDA's rule): the session's device work is
    // over, which `woolyd --status` shows.
    std::lock_guard lock(mutex_);
    if (error_.empty())
      error_ = std::string(proto::wireCodeName(toWire(told.code))) + ": " +
               told.message;
    break;
  }
  default:
    break;
  }
  Reply reply = fromStatus(told);
  // Synchronizing replies carry the kernels' printf output (CUDA prints it
  // at synchronization points).
  reply.fields.putString(context_->takePrintfOutput());
  return reply;
}

Reply Session::badStream(uint64_t s) const {
  return Reply::error(WireCode::InvalidHandle,
                      "stream " + std::to_string(s) +
                          " does not exist in this session");
}

Reply Session::checkRange(uint64_t ptr, uint64_t bytes,
                          const char *what) const {
  std::lock_guard lock(mutex_);
  // Allocations, and module variables (cudaMemcpyToSymbol) of this session.
  if (allocations_.contains(ptr, bytes) || globals_.contains(ptr, bytes))
    return Reply{};
  char buf[64];
  snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)ptr);
  return Reply::error(WireCode::InvalidAddress,
                      std::string(what) + " range [" + buf + ", +" +
                          std::to_string(bytes) +
                          ") is not inside one of this session's allocations");
}

Reply Session::handle(const proto::Header &header, proto::ByteReader &payload,
                      const Bulk &bulk) {
  auto type = static_cast<MsgType>(header.type);
  Reply reply;
  try {
    reply = dispatch(type, payload, bulk);
  } catch (const proto::DecodeError &e) {
    reply = Reply::error(WireCode::ProtocolError,
                         std::string("malformed ") +
                             proto::msgTypeName(header.type) + ": " + e.what());
  }
  // An async request has no reply: its error (a malformed one's too) waits
  // for the next synchronizing request.
  if (header.flags & proto::FlagAsync)
    defer(header.type, reply);
  return reply;
}

void Session::defer(uint16_t type, const Reply &reply) {
  if (reply.code == WireCode::Success)
    return;
  std::lock_guard lock(mutex_);
  if (deferred_)
    deferred_ = exec::Status::error(
        static_cast<exec::ErrorCode>(
            reply.code >= WireCode::ProtocolError
                ? static_cast<uint32_t>(exec::ErrorCode::InvalidValue)
                : static_cast<uint32_t>(reply.code)),
        std::string(proto::msgTypeName(type)) + ": " + reply.message);
}

Reply Session::handleBatch(const proto::Header &header,
                           const std::shared_ptr<zmq::message_t> &payload,
                           bool verbose) {
  std::span<const uint8_t> bytes(
      static_cast<const uint8_t *>(payload->data()), payload->size());
  try {
    proto::BatchReader batch(bytes);
    proto::BatchEntry entry;
    while (batch.next(entry)) {
      auto type = static_cast<MsgType>(entry.type);
      Reply reply;
      if (type == MsgType::Batch || type == MsgType::Hello ||
          type == MsgType::Goodbye || type == MsgType::Heartbeat ||
          type == MsgType::Status) {
        reply = Reply::error(WireCode::ProtocolError,
                             "this request cannot be part of a batch");
        defer(entry.type, reply);
      } else {
        proto::Header one = header;
        one.type = entry.type;
        one.flags = proto::FlagAsync;
        one.payloadLength = uint32_t(entry.payload.size());
        one.bulkFrames = entry.hasBulk ? 1 : 0;
        proto::ByteReader r(entry.payload);
        Bulk bulk;
        if (entry.hasBulk)
          bulk = Bulk{entry.bulk, payload};
        reply = handle(one, r, bulk);
      }
      if (verbose && reply.code != WireCode::Success)
        fprintf(stderr, "woolyd: session %llu: %s (batched): %s\n",
                (unsigned long long)id_, proto::msgTypeName(entry.type),
                reply.message.c_str());
    }
  } catch (const proto::DecodeError &e) {
    // The batch's own framing is broken: what follows cannot be found.
    Reply reply = Reply::error(WireCode::ProtocolError,
                               std::string("malformed Batch: ") + e.what());
    defer(uint16_t(MsgType::Batch), reply);
    return reply;
  }
  return Reply{};
}

Reply Session::dispatch(MsgType type, proto::ByteReader &r, const Bulk &bulk) {
  if (abandoned_)
    return Reply::error(WireCode::NoSession,
                        "this session was closed: its client was silent "
                        "for longer than the session timeout");
  switch (type) {
  case MsgType::MemAlloc:
    return alloc(r);
  case MsgType::MemFree:
    return free(r);
  case MsgType::MemGetInfo: {
    r.expectEnd();
    Reply reply;
    reply.fields.put<uint64_t>(quota_.available(id_));
    reply.fields.put<uint64_t>(quota_.account(id_).limit);
    return reply;
  }
  case MsgType::MemcpyHtoD:
    return memcpyHtoD(r, bulk);
  case MsgType::MemcpyDtoH:
    return memcpyDtoH(r);
  case MsgType::MemcpyDtoD:
    return memcpyDtoD(r);
  case MsgType::Memset:
    return memset(r);
  case MsgType::PointerInfo:
    return pointerInfo(r);
  case MsgType::ModuleLoad:
    return moduleLoad(r, bulk);
  case MsgType::ModuleUnload:
    return moduleUnload(r);
  case MsgType::GetFunction:
    return getFunction(r);
  case MsgType::GetGlobal:
    return getGlobal(r);
  case MsgType::Launch:
    return launch(r, bulk);
  case MsgType::StreamCreate:
  case MsgType::StreamDestroy:
  case MsgType::StreamSync:
  case MsgType::StreamQuery:
  case MsgType::StreamWaitEvent:
    return streamOp(type, r);
  case MsgType::EventCreate:
  case MsgType::EventDestroy:
  case MsgType::EventRecord:
  case MsgType::EventSync:
  case MsgType::EventQuery:
  case MsgType::EventElapsed:
    return eventOp(type, r);
  case MsgType::DeviceSync: {
    r.expectEnd();
    return synced(context_->synchronizeAll());
  }
  case MsgType::SetShare: {
    uint32_t weight = r.get<uint32_t>("weight");
    uint32_t cls = r.get<uint32_t>("priority");
    r.expectEnd();
    if (weight == 0 || weight > 1000 || cls > 2)
      return Reply::error(WireCode::InvalidValue,
                          "share must have weight 1..1000 and priority 0..2");
    setShare(weight, static_cast<exec::PriorityClass>(cls));
    return Reply{};
  }
  case MsgType::SetLimit: {
    uint32_t limit = r.get<uint32_t>("limit");
    uint64_t value = r.get<uint64_t>("value");
    r.expectEnd();
    if (limit != static_cast<uint32_t>(proto::DeviceLimit::StackSize))
      return Reply::error(WireCode::NotSupported,
                          "limit " + std::to_string(limit) +
                              " cannot be set on this server");
    uint64_t granted = 0;
    if (exec::Status s = context_->setStackSize(value, granted); !s)
      return fromStatus(s);
    Reply reply;
    reply.fields.put<uint64_t>(granted);
    return reply;
  }
  default:
    return Reply::error(WireCode::ProtocolError,
                        "unknown request type " +
                            std::to_string(static_cast<unsigned>(type)));
  }
}

Reply Session::alloc(proto::ByteReader &r) {
  uint64_t bytes = r.get<uint64_t>("bytes");
  r.expectEnd();
  if (bytes == 0)
    return Reply::error(WireCode::InvalidValue, "cannot allocate 0 bytes");
  std::string why;
  if (!quota_.charge(id_, bytes, why))
    return Reply::error(WireCode::OutOfMemory, why);
  exec::DevicePtr ptr = 0;
  exec::Status status = context_->allocate(bytes, ptr);
  if (!status) {
    quota_.refund(id_, bytes);
    return fromStatus(status);
  }
  {
    std::lock_guard lock(mutex_);
    allocations_.insert(ptr, bytes);
  }
  Reply reply;
  reply.fields.put<uint64_t>(ptr);
  return reply;
}

Reply Session::free(proto::ByteReader &r) {
  uint64_t ptr = r.get<uint64_t>("ptr");
  r.expectEnd();
  uint64_t size;
  {
    std::lock_guard lock(mutex_);
    size = allocations_.erase(ptr);
  }
  if (size == 0)
    return Reply::error(WireCode::InvalidAddress,
                        "free of a pointer that is not the start of one of "
                        "this session's allocations");
  // CUDA's cudaFree waits for work that may still use the memory.
  (void)context_->synchronizeAll();
  exec::Status status = context_->free(ptr);
  quota_.refund(id_, size);
  return fromStatus(status);
}

Reply Session::memcpyHtoD(proto::ByteReader &r, const Bulk &bulk) {
  uint64_t dst = r.get<uint64_t>("dst");
  uint64_t stream = r.get<uint64_t>("stream");
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  if (bulk.data.empty())
    return Reply{};
  if (Reply bad = checkRange(dst, bulk.data.size(), "destination");
      bad.code != WireCode::Success)
    return bad;
  exec::Status status = context_->copyToDevice(dst, bulk.data.data(),
                                               bulk.data.size(), stream);
  if (!status)
    return fromStatus(status);
  // The copy reads the received message in place; release it only when the
  // stream has passed the copy.
  if (bulk.owner)
    (void)context_->enqueueHostFunction(stream, [owner = bulk.owner] {});
  return Reply{};
}

Reply Session::memcpyDtoH(proto::ByteReader &r) {
  uint64_t src = r.get<uint64_t>("src");
  uint64_t bytes = r.get<uint64_t>("bytes");
  uint64_t stream = r.get<uint64_t>("stream");
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  if (bytes > limits_.maxCopyChunk)
    return Reply::error(WireCode::InvalidValue,
                        "device-to-host chunk of " + std::to_string(bytes) +
                            " bytes exceeds the server's " +
                            std::to_string(limits_.maxCopyChunk));
  if (Reply bad = checkRange(src, bytes, "source");
      bad.code != WireCode::Success)
    return bad;
  // ZeroMQ's own (uninitialized) buffer: the device copy writes the reply.
  auto data = std::make_shared<zmq::message_t>(bytes);
  exec::Status status = context_->copyToHost(data->data(), src, bytes, stream);
  if (status)
    status = context_->synchronize(stream);
  Reply reply = synced(status);
  if (reply.code == WireCode::Success)
    reply.bulk = std::move(data);
  return reply;
}

Reply Session::memcpyDtoD(proto::ByteReader &r) {
  uint64_t dst = r.get<uint64_t>("dst");
  uint64_t src = r.get<uint64_t>("src");
  uint64_t bytes = r.get<uint64_t>("bytes");
  uint64_t stream = r.get<uint64_t>("stream");
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  if (Reply bad = checkRange(dst, bytes, "destination");
      bad.code != WireCode::Success)
    return bad;
  if (Reply bad = checkRange(src, bytes, "source");
      bad.code != WireCode::Success)
    return bad;
  return fromStatus(context_->copyOnDevice(dst, src, bytes, stream));
}

Reply Session::memset(proto::ByteReader &r) {
  uint64_t dst = r.get<uint64_t>("dst");
  uint32_t value = r.get<uint32_t>("value");
  uint64_t bytes = r.get<uint64_t>("bytes");
  uint64_t stream = r.get<uint64_t>("stream");
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  if (Reply bad = checkRange(dst, bytes, "memset");
      bad.code != WireCode::Success)
    return bad;
  return fromStatus(
      context_->memset(dst, static_cast<uint8_t>(value), bytes, stream));
}

Reply Session::pointerInfo(proto::ByteReader &r) {
  uint64_t ptr = r.get<uint64_t>("ptr");
  r.expectEnd();
  uint64_t base = 0, size = 0;
  {
    std::lock_guard lock(mutex_);
    if (!allocations_.find(ptr, base, size))
      return Reply::error(WireCode::InvalidAddress,
                          "not a device pointer of this session");
  }
  Reply reply;
  reply.fields.put(base);
  reply.fields.put(size);
  return reply;
}

Reply Session::moduleLoad(proto::ByteReader &r, const Bulk &bulk) {
  r.expectEnd();
  if (bulk.data.empty())
    return Reply::error(WireCode::InvalidValue, "module load without a module");
  if (bulk.data.size() > limits_.maxModuleBytes)
    return Reply::error(WireCode::InvalidValue, "module is too large");
  exec::ModuleId module = 0;
  exec::Status status = moduleCache_.load(*context_, bulk.data, module);
  if (!status)
    return fromStatus(status);
  {
    std::lock_guard lock(mutex_);
    modules_.insert(module);
  }
  Reply reply;
  reply.fields.put<uint64_t>(module);
  return reply;
}

Reply Session::moduleUnload(proto::ByteReader &r) {
  uint64_t module = r.get<uint64_t>("module");
  r.expectEnd();
  {
    std::lock_guard lock(mutex_);
    if (!modules_.erase(module))
      return Reply::error(WireCode::InvalidHandle,
                          "module " + std::to_string(module) +
                              " does not exist in this session");
    std::erase_if(functions_,
                  [&](const auto &f) { return f.second.first == module; });
    for (uint64_t base : moduleGlobals_[module])
      globals_.erase(base);
    moduleGlobals_.erase(module);
  }
  (void)context_->synchronizeAll();
  return fromStatus(context_->unloadModule(module));
}

Reply Session::getFunction(proto::ByteReader &r) {
  uint64_t module = r.get<uint64_t>("module");
  std::string name = r.getString("name", 4096);
  r.expectEnd();
  {
    std::lock_guard lock(mutex_);
    if (!modules_.count(module))
      return Reply::error(WireCode::InvalidHandle,
                          "module " + std::to_string(module) +
                              " does not exist in this session");
  }
  exec::FunctionId fn = 0;
  exec::KernelInfo info;
  exec::Status status = context_->getFunction(module, name, fn, info);
  if (!status)
    return fromStatus(status);
  {
    std::lock_guard lock(mutex_);
    functions_[fn] = {module, info.argBufferSize};
  }
  proto::KernelDescription k;
  for (const exec::ParamInfo &p : info.params)
    k.params.push_back({p.offset, p.size, p.align});
  k.argBufferSize = info.argBufferSize;
  k.staticSharedBytes = info.staticSharedBytes;
  k.localBytesPerThread = info.localBytesPerThread;
  k.maxThreadsPerBlock = info.maxThreadsPerBlock;
  k.numRegs = info.numRegs;
  Reply reply;
  reply.fields.put<uint64_t>(fn);
  k.encode(reply.fields);
  return reply;
}

Reply Session::getGlobal(proto::ByteReader &r) {
  uint64_t module = r.get<uint64_t>("module");
  std::string name = r.getString("name", 4096);
  r.expectEnd();
  {
    std::lock_guard lock(mutex_);
    if (!modules_.count(module))
      return Reply::error(WireCode::InvalidHandle,
                          "module " + std::to_string(module) +
                              " does not exist in this session");
  }
  exec::DevicePtr ptr = 0;
  uint64_t size = 0;
  exec::Status status = context_->getGlobal(module, name, ptr, size);
  if (!status)
    return fromStatus(status);
  if (ptr && size) {
    std::lock_guard lock(mutex_);
    globals_.insert(ptr, size);
    moduleGlobals_[module].push_back(ptr);
  }
  Reply reply;
  reply.fields.put<uint64_t>(ptr);
  reply.fields.put<uint64_t>(size);
  return reply;
}

Reply Session::launch(proto::ByteReader &r, const Bulk &bulk) {
  uint64_t fn = r.get<uint64_t>("function");
  exec::LaunchConfig config;
  config.grid.x = r.get<uint32_t>("grid.x");
  config.grid.y = r.get<uint32_t>("grid.y");
  config.grid.z = r.get<uint32_t>("grid.z");
  config.block.x = r.get<uint32_t>("block.x");
  config.block.y = r.get<uint32_t>("block.y");
  config.block.z = r.get<uint32_t>("block.z");
  config.dynamicSharedBytes = r.get<uint32_t>("sharedBytes");
  uint64_t stream = r.get<uint64_t>("stream");
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  uint32_t argBytes;
  {
    std::lock_guard lock(mutex_);
    auto it = functions_.find(fn);
    if (it == functions_.end())
      return Reply::error(WireCode::InvalidHandle,
                          "function " + std::to_string(fn) +
                              " does not exist in this session");
    argBytes = it->second.second;
  }
  if (bulk.data.size() != argBytes)
    return Reply::error(WireCode::InvalidValue,
                        "kernel takes " + std::to_string(argBytes) +
                            " bytes of arguments, launch passed " +
                            std::to_string(bulk.data.size()));
  const exec::Dim3 &g = config.grid, &b = config.block;
  const uint32_t grid[3] = {g.x, g.y, g.z}, block[3] = {b.x, b.y, b.z};
  if (!device_.fitsLaunch(grid, block))
    return Reply::error(WireCode::InvalidValue,
                        "invalid launch configuration (grid or block size "
                        "outside the device limits)");
  exec::Status status = context_->launch(fn, config, bulk.data, stream);
  if (!status)
    return fromStatus(status);
  // The executor may read the arguments when the stream reaches the launch
  // (Executor.h: host pointers stay valid until then): keep the message.
  if (bulk.owner && !bulk.data.empty())
    (void)context_->enqueueHostFunction(stream, [owner = bulk.owner] {});
  return Reply{};
}

Reply Session::streamOp(MsgType type, proto::ByteReader &r) {
  if (type == MsgType::StreamCreate) {
    int32_t priority = r.get<int32_t>("priority");
    r.expectEnd();
    exec::StreamId s = 0;
    exec::Status status = context_->createStream(priority, s);
    if (!status)
      return fromStatus(status);
    {
      std::lock_guard lock(mutex_);
      streams_.insert(s);
    }
    Reply reply;
    reply.fields.put<uint64_t>(s);
    return reply;
  }
  uint64_t stream = r.get<uint64_t>("stream");
  uint64_t event = type == MsgType::StreamWaitEvent ? r.get<uint64_t>("event")
                                                    : 0;
  r.expectEnd();
  if (!validStream(stream))
    return badStream(stream);
  switch (type) {
  case MsgType::StreamDestroy: {
    if (stream == 0)
      return Reply::error(WireCode::InvalidHandle,
                          "the default stream cannot be destroyed");
    {
      std::lock_guard lock(mutex_);
      streams_.erase(stream);
    }
    return fromStatus(context_->destroyStream(stream));
  }
  case MsgType::StreamSync:
    return synced(context_->synchronize(stream));
  case MsgType::StreamQuery:
    return fromStatus(context_->queryStream(stream));
  case MsgType::StreamWaitEvent: {
    std::lock_guard lock(mutex_);
    if (!events_.count(event))
      return Reply::error(WireCode::InvalidHandle,
                          "event does not exist in this session");
  }
    return fromStatus(context_->waitEvent(stream, event));
  default:
    return Reply::error(WireCode::ProtocolError, "bad stream request");
  }
}

Reply Session::eventOp(MsgType type, proto::ByteReader &r) {
  if (type == MsgType::EventCreate) {
    r.expectEnd();
    exec::EventId e = 0;
    exec::Status status = context_->createEvent(e);
    if (!status)
      return fromStatus(status);
    {
      std::lock_guard lock(mutex_);
      events_.insert(e);
    }
    Reply reply;
    reply.fields.put<uint64_t>(e);
    return reply;
  }
  uint64_t event = r.get<uint64_t>("event");
  uint64_t other = (type == MsgType::EventRecord || type == MsgType::EventElapsed)
                       ? r.get<uint64_t>("stream or end event")
                       : 0;
  r.expectEnd();
  {
    std::lock_guard lock(mutex_);
    if (!events_.count(event) ||
        (type == MsgType::EventElapsed && !events_.count(other)))
      return Reply::error(WireCode::InvalidHandle,
                          "event does not exist in this session");
  }
  switch (type) {
  case MsgType::EventDestroy: {
    {
      std::lock_guard lock(mutex_);
      events_.erase(event);
    }
    return fromStatus(context_->destroyEvent(event));
  }
  case MsgType::EventRecord:
    if (!validStream(other))
      return badStream(other);
    return fromStatus(context_->recordEvent(event, other));
  case MsgType::EventSync:
    return synced(context_->synchronizeEvent(event));
  case MsgType::EventQuery:
    return fromStatus(context_->queryEvent(event));
  case MsgType::EventElapsed: {
    float ms = 0;
    exec::Status status = context_->elapsedTime(event, other, ms);
    if (!status)
      return fromStatus(status);
    Reply reply;
    reply.fields.put<float>(ms);
    return reply;
  }
  default:
    return Reply::error(WireCode::ProtocolError, "bad event request");
  }
}

void Session::setShare(uint32_t weight, exec::PriorityClass priority) {
  {
    std::lock_guard lock(mutex_);
    weight_ = weight;
    priority_ = priority;
  }
  context_->setShare(weight, priority);
}

SessionUsage Session::usage() const {
  SessionUsage u;
  u.id = id_;
  u.client = client_;
  u.tenant = tenant_;
  MemoryQuota::Account a = quota_.account(id_);
  u.memoryBytes = a.used;
  u.memoryLimit = a.limit;
  u.memoryGuaranteed = a.guaranteed;
  {
    std::lock_guard lock(mutex_);
    u.allocations = allocations_.count();
    u.modules = modules_.size();
    u.streams = streams_.size();
    u.events = events_.size();
    u.weight = weight_;
    u.priority = priority_;
    u.error = error_;
  }
  u.stats = context_->stats();
  return u;
}

} // namespace wooly::daemon
