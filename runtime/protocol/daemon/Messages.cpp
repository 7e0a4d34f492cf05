//===- Messages.cpp - Client <-> daemon messages ------------------------===//
#include "runtime/protocol/daemon/Messages.h"
#include "runtime/protocol/Frame.h"

namespace wooly::protocol::daemon {

void Header::encode(uint8_t out[kHeaderSize]) const {
  protocol::FrameHeader h;
  h.version = protocol::kDaemonProtocolVersion;
  h.type = uint16_t(((flags & FlagAsync) && !reply ? kAsyncTypeBase
                                                   : kSyncTypeBase) +
                    type);
  h.flags = reply ? protocol::FlagReply : protocol::FlagNone;
  h.bulkFrames = bulkFrames;
  h.payloadLength = payloadLength;
  h.requestId = seq;
  auto bytes = protocol::encodeHeader(h);
  std::memcpy(out, bytes.data(), kHeaderSize);
}

Header Header::decode(std::span<const uint8_t> frame) {
  protocol::Result<protocol::FrameHeader> r =
      protocol::decodeHeader(frame, protocol::kDaemonProtocolVersion);
  if (!r)
    throw DecodeError(r.error().message);
  const protocol::FrameHeader &f = r.value();
  if (f.type < kSyncTypeBase || f.type >= kAsyncTypeBase + 0x100)
    throw DecodeError(std::string("message type ") +
                      protocol::messageTypeName(f.type) +
                      " is not a client <-> daemon message");
  Header h;
  h.reply = f.isReply();
  h.flags = f.type >= kAsyncTypeBase ? FlagAsync : 0;
  h.type = uint16_t(f.type - (f.type >= kAsyncTypeBase ? kAsyncTypeBase
                                                        : kSyncTypeBase));
  h.seq = uint32_t(f.requestId);
  h.payloadLength = f.payloadLength;
  h.bulkFrames = f.bulkFrames;
  return h;
}

const char *msgTypeName(uint16_t type) {
  switch (static_cast<MsgType>(type)) {
#define CASE(X)                                                                \
  case MsgType::X:                                                             \
    return #X;
    CASE(Hello) CASE(Goodbye) CASE(Heartbeat) CASE(Status) CASE(SetShareAdmin)
    CASE(SetQuotaAdmin) CASE(RestartAdmin)
    CASE(MemAlloc)
    CASE(MemFree) CASE(MemGetInfo) CASE(MemcpyHtoD) CASE(MemcpyDtoH)
    CASE(MemcpyDtoD) CASE(Memset) CASE(PointerInfo) CASE(ModuleLoad)
    CASE(ModuleUnload) CASE(GetFunction) CASE(GetGlobal) CASE(Launch)
    CASE(StreamCreate) CASE(StreamDestroy) CASE(StreamSync) CASE(StreamQuery)
    CASE(StreamWaitEvent) CASE(EventCreate) CASE(EventDestroy)
    CASE(EventRecord) CASE(EventSync) CASE(EventQuery) CASE(EventElapsed)
    CASE(DeviceSync) CASE(SetShare) CASE(SetLimit) CASE(Batch) CASE(Error)
#undef CASE
  }
  return "unknown";
}

const char *wireCodeName(WireCode code) {
  switch (code) {
#define CASE(X)                                                                \
  case WireCode::X:                                                            \
    return #X;
    CASE(Success) CASE(InvalidValue) CASE(OutOfMemory) CASE(InvalidHandle)
    CASE(InvalidAddress) CASE(CompileError) CASE(NotFound) CASE(LaunchFailure)
    CASE(LaunchTimeout) CASE(Trap) CASE(NotReady) CASE(NotSupported)
    CASE(DeviceUnavailable) CASE(Internal) CASE(Assert) CASE(ProtocolError)
    CASE(NoSession)
    CASE(ServerRestarted) CASE(NotPermitted) CASE(Restarting)
#undef CASE
  }
  return "UnknownError";
}

void DeviceDescription::encode(ByteWriter &w) const {
  w.putString(name);
  w.putString(vendor);
  w.putString(arch);
  w.putString(executor);
  w.put(totalMemory);
  for (uint32_t v : {computeUnits, warpSize, maxThreadsPerBlock, maxBlockDim[0],
                     maxBlockDim[1], maxBlockDim[2], maxGridDim[0],
                     maxGridDim[1], maxGridDim[2], maxSharedPerBlock,
                     maxSharedPerBlockOptin, clockRateKHz, ccMajor, ccMinor})
    w.put(v);
  w.put(memoryLimit);
  w.put(memoryGuaranteed);
}

DeviceDescription DeviceDescription::decode(ByteReader &r) {
  DeviceDescription d;
  d.name = r.getString("device.name");
  d.vendor = r.getString("device.vendor");
  d.arch = r.getString("device.arch");
  d.executor = r.getString("device.executor");
  d.totalMemory = r.get<uint64_t>("device.totalMemory");
  uint32_t *fields[] = {&d.computeUnits,  &d.warpSize,      &d.maxThreadsPerBlock,
                        &d.maxBlockDim[0], &d.maxBlockDim[1], &d.maxBlockDim[2],
                        &d.maxGridDim[0],  &d.maxGridDim[1],  &d.maxGridDim[2],
                        &d.maxSharedPerBlock, &d.maxSharedPerBlockOptin,
                        &d.clockRateKHz,   &d.ccMajor,       &d.ccMinor};
  for (uint32_t *f : fields)
    *f = r.get<uint32_t>("device.limits");
  d.memoryLimit = r.get<uint64_t>("device.memoryLimit");
  d.memoryGuaranteed = r.get<uint64_t>("device.memoryGuaranteed");
  return d;
}

bool DeviceDescription::fitsLaunch(const uint32_t grid[3],
                                   const uint32_t block[3]) const {
  uint64_t threads = uint64_t(block[0]) * block[1] * block[2];
  if (threads == 0 || threads > maxThreadsPerBlock)
    return false;
  for (int i = 0; i < 3; ++i)
    if (!grid[i] || grid[i] > maxGridDim[i] || block[i] > maxBlockDim[i])
      return false;
  return true;
}

void KernelDescription::encode(ByteWriter &w) const {
  w.put<uint32_t>(static_cast<uint32_t>(params.size()));
  for (const Param &p : params) {
    w.put(p.offset);
    w.put(p.size);
    w.put(p.align);
  }
  for (uint32_t v : {argBufferSize, staticSharedBytes, localBytesPerThread,
                     maxThreadsPerBlock, numRegs})
    w.put(v);
}

KernelDescription KernelDescription::decode(ByteReader &r) {
  KernelDescription k;
  uint32_t n = r.get<uint32_t>("kernel.paramCount");
  if (n > 4096)
    throw DecodeError("kernel.paramCount " + std::to_string(n) + " too large");
  k.params.resize(n);
  for (Param &p : k.params) {
    p.offset = r.get<uint32_t>("kernel.param.offset");
    p.size = r.get<uint32_t>("kernel.param.size");
    p.align = r.get<uint32_t>("kernel.param.align");
  }
  uint32_t *fields[] = {&k.argBufferSize, &k.staticSharedBytes,
                        &k.localBytesPerThread, &k.maxThreadsPerBlock,
                        &k.numRegs};
  for (uint32_t *f : fields)
    *f = r.get<uint32_t>("kernel.info");
  return k;
}

} // namespace wooly::protocol::daemon
