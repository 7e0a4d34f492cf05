//===- Runtime.cpp - What the CUDA shims share ---------------------------===//
#include "runtime/client/core/Runtime.h"
#include "runtime/client/core/PtxToWis.h"
#include "runtime/client/fatbin/Fatbin.h"

#include <cstdio>
#include <cstring>
#include <sys/mman.h>

namespace wooly::client {

using proto::MsgType;
using proto::WireCode;

Runtime &Runtime::get() {
  // Never destroyed: CUDA calls may come from other static destructors.
  // shutdown() (atexit) closes the session instead.
  static Runtime *runtime = new Runtime();
  return *runtime;
}

static void shutdownAtExit() { Runtime::get().shutdown(); }

Runtime::Runtime() {
  const char *log = getenv("WOOLY_LOG");
  verbose_ = log && *log && strcmp(log, "0") != 0;
}

void Runtime::warnOnce(const std::string &text) {
  std::lock_guard lock(mutex_);
  for (const auto &w : warned_)
    if (w == text)
      return;
  warned_.push_back(text);
  fprintf(stderr, "wooly: %s\n", text.c_str());
}

Result Runtime::connection(Connection *&out) {
  std::lock_guard lock(mutex_);
  if (shutDown_)
    return Result::error(WireCode::DeviceUnavailable,
                         "the Wooly runtime has shut down (program exiting)");
  if (!connectTried_) {
    connectTried_ = true;
    std::string error;
    connection_ = Connection::open(error);
    if (!connection_) {
      connectResult_ = Result::error(WireCode::DeviceUnavailable, error);
      fprintf(stderr, "wooly: %s\n", error.c_str());
    } else {
      // Registered after the program's own atexit handlers from fatbin
      // registration, so it runs before them.
      atexit(shutdownAtExit);
      if (verbose_)
        fprintf(stderr, "wooly: session %llu on %s (%s, %s)\n",
                (unsigned long long)connection_->sessionId(),
                connection_->serverUrl().c_str(),
                connection_->device().name.c_str(),
                connection_->device().executor.c_str());
    }
  }
  out = connection_.get();
  return connectResult_;
}

const proto::DeviceDescription *Runtime::device() {
  Connection *c = nullptr;
  if (!connection(c).ok())
    return nullptr;
  return &c->device();
}

void Runtime::shutdown() {
  std::unique_ptr<Connection> c;
  {
    std::lock_guard lock(mutex_);
    shutDown_ = true;
    c = std::move(connection_);
  }
  if (c) {
    // Flush device printf output of work nobody synchronized.
    proto::ByteWriter empty;
    ClientReply r = c->call(MsgType::DeviceSync, empty);
    printDeviceOutput(r);
  }
  c.reset();
}

void Runtime::printDeviceOutput(const ClientReply &reply) {
  try {
    proto::ByteReader f = reply.fields();
    if (f.remaining() == 0)
      return;
    std::string text = f.getString("printf", 1u << 30);
    if (!text.empty()) {
      fwrite(text.data(), 1, text.size(), stdout);
      fflush(stdout);
    }
  } catch (const proto::DecodeError &) {
  }
}

Result Runtime::fromReply(const ClientReply &reply, const char *what) {
  if (reply.ok())
    return {};
  if (verbose_)
    fprintf(stderr, "wooly: %s: %s: %s\n", what,
            proto::wireCodeName(reply.code), reply.message.c_str());
  return Result::error(reply.code, reply.message);
}

// ---- Registration ----------------------------------------------------------

ModuleRecord *Runtime::registerFatbin(const void *wrapper) {
  std::lock_guard lock(mutex_);
  auto *m = new ModuleRecord;
  m->fatbinWrapper = wrapper;
  modules_.push_back(m);
  return m;
}

void Runtime::unregisterFatbin(ModuleRecord *module) {
  // Called from atexit: the session (and the module on the server) is
  // already gone or about to go; records stay for late stubs.
  (void)module;
}

void Runtime::registerFunction(ModuleRecord *module, const void *hostStub,
                               const char *deviceName) {
  std::lock_guard lock(mutex_);
  auto *k = new KernelRecord;
  k->module = module;
  k->name = deviceName ? deviceName : "";
  k->hostStub = hostStub;
  module->kernels.push_back(k);
  kernelsByStub_[hostStub] = k;
}

void Runtime::registerVar(ModuleRecord *module, const void *hostVar,
                          const char *deviceName, uint64_t size) {
  std::lock_guard lock(mutex_);
  auto *v = new VarRecord;
  v->module = module;
  v->name = deviceName ? deviceName : "";
  v->hostVar = hostVar;
  v->size = size;
  module->vars.push_back(v);
  varsByHost_[hostVar] = v;
}

void Runtime::registerManagedVar(ModuleRecord *module, void **hostVarPtrAddress,
                                 const char *deviceName, uint64_t size) {
  registerVar(module, hostVarPtrAddress, deviceName, size);
  std::lock_guard lock(mutex_);
  module->vars.back()->managedHostPtr = hostVarPtrAddress;
}

KernelRecord *Runtime::kernelForStub(const void *stub) {
  std::lock_guard lock(mutex_);
  auto it = kernelsByStub_.find(stub);
  return it == kernelsByStub_.end() ? nullptr : it->second;
}

VarRecord *Runtime::varForHostAddress(const void *hostVar) {
  std::lock_guard lock(mutex_);
  auto it = varsByHost_.find(hostVar);
  return it == varsByHost_.end() ? nullptr : it->second;
}

// ---- Modules -----------------------------------------------------------------

Result Runtime::ensureLoaded(ModuleRecord *m) {
  std::lock_guard lock(mutex_);
  if (m->loaded)
    return m->loadResult;
  m->loaded = true;
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return m->loadResult = r;
  std::string ptx = m->ptx;
  if (m->fatbinWrapper) {
    fatbin::ReadResult read = fatbin::readFatbinWrapper(m->fatbinWrapper);
    if (!read.ok())
      return m->loadResult = Result::error(
                 WireCode::CompileError,
                 "cannot read the program's CUDA fatbin: " + read.error);
    const fatbin::Entry *entry = fatbin::selectPTX(read.entries);
    if (!entry)
      return m->loadResult = Result::error(
                 WireCode::CompileError, fatbin::missingPTXMessage(read.entries));
    std::string error;
    if (!fatbin::entryContents(*entry, ptx, error))
      return m->loadResult = Result::error(
                 WireCode::CompileError, "cannot decompress the PTX: " + error);
  }
  std::vector<uint8_t> wis;
  std::string error;
  if (!translatePtxCached(ptx, wis, error)) {
    fprintf(stderr, "wooly: cannot translate the program's PTX: %s\n",
            error.c_str());
    return m->loadResult = Result::error(WireCode::CompileError, error);
  }
  proto::ByteWriter w;
  ClientReply reply = c->call(MsgType::ModuleLoad, w, {wis.data(), wis.size()});
  if (!reply.ok()) {
    fprintf(stderr, "wooly: the server could not load the module: %s\n",
            reply.message.c_str());
    return m->loadResult = Result::error(reply.code, reply.message);
  }
  proto::ByteReader f = reply.fields();
  m->module = f.get<uint64_t>("module");
  return m->loadResult = Result{};
}

Result Runtime::resolveKernel(KernelRecord *k) {
  std::lock_guard lock(mutex_);
  if (k->resolved)
    return {};
  if (Result r = ensureLoaded(k->module); !r.ok())
    return r;
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(k->module->module);
  w.putString(k->name);
  ClientReply reply = c->call(MsgType::GetFunction, w);
  if (Result r = fromReply(reply, "get function"); !r.ok())
    return r;
  proto::ByteReader f = reply.fields();
  k->function = f.get<uint64_t>("function");
  k->desc = proto::KernelDescription::decode(f);
  k->resolved = true;
  return {};
}

Result Runtime::resolveVar(VarRecord *v) {
  std::lock_guard lock(mutex_);
  if (v->devicePtr)
    return {};
  uint64_t size = 0;
  if (Result r = getGlobal(v->module, v->name, v->devicePtr, size); !r.ok())
    return r;
  if (size && size < v->size)
    v->size = size;
  return {};
}

Result Runtime::loadPtxModule(const std::string &ptx, ModuleRecord *&out) {
  auto *m = new ModuleRecord;
  m->ptx = ptx;
  if (Result r = ensureLoaded(m); !r.ok()) {
    delete m;
    return r;
  }
  std::lock_guard lock(mutex_);
  modules_.push_back(m);
  out = m;
  return {};
}

Result Runtime::unloadModule(ModuleRecord *m) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  std::lock_guard lock(mutex_);
  proto::ByteWriter w;
  w.put<uint64_t>(m->module);
  Result r = fromReply(c->call(MsgType::ModuleUnload, w), "module unload");
  std::erase(modules_, m);
  for (KernelRecord *k : m->kernels)
    delete k;
  delete m;
  return r;
}

Result Runtime::getFunction(ModuleRecord *m, const std::string &name,
                            KernelRecord *&out) {
  std::lock_guard lock(mutex_);
  for (KernelRecord *k : m->kernels)
    if (k->name == name) {
      out = k;
      return resolveKernel(k);
    }
  auto *k = new KernelRecord;
  k->module = m;
  k->name = name;
  if (Result r = resolveKernel(k); !r.ok()) {
    delete k;
    return r;
  }
  m->kernels.push_back(k);
  out = k;
  return {};
}

Result Runtime::getGlobal(ModuleRecord *m, const std::string &name,
                          uint64_t &ptr, uint64_t &size) {
  if (Result r = ensureLoaded(m); !r.ok())
    return r;
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(m->module);
  w.putString(name);
  ClientReply reply = c->call(MsgType::GetGlobal, w);
  if (Result r = fromReply(reply, "get global"); !r.ok())
    return r;
  proto::ByteReader f = reply.fields();
  ptr = f.get<uint64_t>("ptr");
  size = f.get<uint64_t>("size");
  std::lock_guard lock(mutex_);
  if (ptr && size)
    globals_[ptr] = size;
  return {};
}

// ---- Launch ------------------------------------------------------------------

static Result checkConfig(const proto::DeviceDescription &d,
                          const proto::KernelDescription &k, Dim3 g, Dim3 b,
                          uint32_t shared) {
  const uint32_t grid[3] = {g.x, g.y, g.z}, block[3] = {b.x, b.y, b.z};
  if (!d.fitsLaunch(grid, block) ||
      uint64_t(b.x) * b.y * b.z > k.maxThreadsPerBlock)
    return Result::error(WireCode::InvalidValue,
                         "invalid launch configuration");
  if (uint64_t(shared) + k.staticSharedBytes > d.maxSharedPerBlockOptin)
    return Result::error(WireCode::InvalidValue,
                         "too much shared memory requested");
  return {};
}

Result Runtime::launch(KernelRecord *k, Dim3 grid, Dim3 block, void **args,
                       uint32_t sharedBytes, uint64_t stream) {
  if (Result r = resolveKernel(k); !r.ok())
    return r;
  std::vector<uint8_t> packed(k->desc.argBufferSize);
  for (size_t i = 0; i < k->desc.params.size(); ++i) {
    const auto &p = k->desc.params[i];
    if (uint64_t(p.offset) + p.size > packed.size())
      return Result::error(WireCode::Internal, "bad parameter layout");
    if (p.size && args && args[i])
      std::memcpy(packed.data() + p.offset, args[i], p.size);
  }
  return launchPacked(k, grid, block, packed.data(), packed.size(),
                      sharedBytes, stream);
}

Result Runtime::launchPacked(KernelRecord *k, Dim3 grid, Dim3 block,
                             const void *packed, size_t bytes,
                             uint32_t sharedBytes, uint64_t stream) {
  if (Result r = resolveKernel(k); !r.ok())
    return r;
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  if (Result r = checkConfig(c->device(), k->desc, grid, block, sharedBytes);
      !r.ok())
    return r;
  if (bytes != k->desc.argBufferSize)
    return Result::error(WireCode::InvalidValue,
                         "kernel argument buffer has the wrong size");
  if (Result r = pushManaged(stream); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(k->function);
  for (uint32_t v : {grid.x, grid.y, grid.z, block.x, block.y, block.z,
                     sharedBytes})
    w.put(v);
  w.put<uint64_t>(stream);
  // An empty bulk frame still marks "arguments follow" (zero parameters).
  if (!c->post(MsgType::Launch, w, {packed ? packed : "", bytes}))
    return Result::error(WireCode::DeviceUnavailable,
                         "cannot send to the Wooly server");
  return {};
}

// ---- Memory ------------------------------------------------------------------

static bool findIn(const std::map<uint64_t, uint64_t> &blocks, uint64_t ptr,
                   uint64_t &base, uint64_t &size) {
  auto it = blocks.upper_bound(ptr);
  if (it == blocks.begin())
    return false;
  --it;
  if (ptr - it->first >= it->second)
    return false;
  base = it->first;
  size = it->second;
  return true;
}

bool Runtime::findAllocation(uint64_t ptr, uint64_t &base,
                             uint64_t &size) const {
  std::lock_guard lock(mutex_);
  return findIn(allocations_, ptr, base, size);
}

bool Runtime::isDevicePointer(uint64_t ptr, uint64_t bytes) const {
  std::lock_guard lock(mutex_);
  uint64_t base, size;
  // Module variables (cudaGetSymbolAddress) are device memory too.
  if (!findIn(allocations_, ptr, base, size) &&
      !findIn(globals_, ptr, base, size))
    return false;
  return bytes <= size - (ptr - base);
}

Result Runtime::malloc(uint64_t bytes, uint64_t &ptr) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(bytes);
  ClientReply reply = c->call(MsgType::MemAlloc, w);
  if (Result r = fromReply(reply, "malloc"); !r.ok())
    return r;
  ptr = reply.fields().get<uint64_t>("ptr");
  std::lock_guard lock(mutex_);
  allocations_[ptr] = bytes;
  return {};
}

Result Runtime::free(uint64_t ptr) {
  {
    std::lock_guard lock(mutex_);
    if (!allocations_.count(ptr))
      return Result::error(WireCode::InvalidAddress,
                           "not the start of a device allocation");
  }
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(ptr);
  Result r = fromReply(c->call(MsgType::MemFree, w), "free");
  if (r.ok()) {
    std::lock_guard lock(mutex_);
    allocations_.erase(ptr);
    if (auto it = managed_.find(ptr); it != managed_.end()) {
      if (it->second.shadowPages)
        unmapShadow(ptr, it->second.bytes);
      if (it->second.shadow)
        --shadowCount_;
      managed_.erase(it);
    }
  }
  return r;
}

Result Runtime::memGetInfo(uint64_t &free, uint64_t &total) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  ClientReply reply = c->call(MsgType::MemGetInfo, w);
  if (Result r = fromReply(reply, "memory info"); !r.ok())
    return r;
  proto::ByteReader f = reply.fields();
  free = f.get<uint64_t>("free");
  total = f.get<uint64_t>("total");
  return {};
}

Result Runtime::copyToDevice(uint64_t dst, const void *src, uint64_t bytes,
                             uint64_t stream) {
  if (bytes == 0)
    return {};
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  for (uint64_t off = 0; off < bytes; off += kCopyChunk) {
    uint64_t n = std::min(kCopyChunk, bytes - off);
    proto::ByteWriter w;
    w.put<uint64_t>(dst + off);
    w.put<uint64_t>(stream);
    if (!c->post(MsgType::MemcpyHtoD, w,
                 {static_cast<const uint8_t *>(src) + off, size_t(n)})) {
      c->waitBulkReleased(); // earlier chunks may still read `src`
      return Result::error(WireCode::DeviceUnavailable,
                           "cannot send to the Wooly server");
    }
  }
  // The caller may reuse `src` when we return (pageable-memory semantics).
  c->waitBulkReleased();
  return {};
}

Result Runtime::copyToHost(void *dst, uint64_t src, uint64_t bytes,
                           uint64_t stream) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  if (bytes == 0)
    return {};
  std::vector<proto::ByteWriter> requests;
  for (uint64_t off = 0; off < bytes; off += kCopyChunk) {
    proto::ByteWriter w;
    w.put<uint64_t>(src + off);
    w.put<uint64_t>(std::min(kCopyChunk, bytes - off));
    w.put<uint64_t>(stream);
    requests.push_back(std::move(w));
  }
  // Each chunk is copied out as it arrives, while later chunks are still on
  // the wire (the copy out of the received message is the one copy the
  // client makes).
  Result first;
  bool shortCopy = false;
  c->callEach(MsgType::MemcpyDtoH, requests, [&](size_t i, ClientReply &reply) {
    printDeviceOutput(reply);
    if (!reply.ok()) {
      if (first.ok())
        first = fromReply(reply, "copy to host");
      return;
    }
    uint64_t off = i * kCopyChunk;
    uint64_t n = std::min(kCopyChunk, bytes - off);
    if (reply.bulk.size() != n) {
      shortCopy = true;
      return;
    }
    if (n)
      std::memcpy(static_cast<uint8_t *>(dst) + off, reply.bulk.data(), n);
  });
  if (shortCopy)
    return Result::error(WireCode::ProtocolError,
                         "server returned a short copy");
  return first;
}

Result Runtime::copyOnDevice(uint64_t dst, uint64_t src, uint64_t bytes,
                             uint64_t stream) {
  if (bytes == 0)
    return {};
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(dst);
  w.put<uint64_t>(src);
  w.put<uint64_t>(bytes);
  w.put<uint64_t>(stream);
  if (!c->post(MsgType::MemcpyDtoD, w))
    return Result::error(WireCode::DeviceUnavailable,
                         "cannot send to the Wooly server");
  return {};
}

Result Runtime::memset(uint64_t dst, uint8_t value, uint64_t bytes,
                       uint64_t stream) {
  if (bytes == 0)
    return {};
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(dst);
  w.put<uint32_t>(value);
  w.put<uint64_t>(bytes);
  w.put<uint64_t>(stream);
  if (!c->post(MsgType::Memset, w))
    return Result::error(WireCode::DeviceUnavailable,
                         "cannot send to the Wooly server");
  return {};
}

// ---- Streams, events, synchronization --------------------------------------

namespace {
/// One request whose reply carries at most one u64.
struct Simple {
  Runtime &rt;
  Result call(MsgType type, std::initializer_list<uint64_t> args,
              uint64_t *out = nullptr, bool async = false) {
    Connection *c = nullptr;
    if (Result r = rt.connection(c); !r.ok())
      return r;
    proto::ByteWriter w;
    for (uint64_t a : args)
      w.put(a);
    if (async) {
      if (!c->post(type, w))
        return Result::error(WireCode::DeviceUnavailable,
                             "cannot send to the Wooly server");
      return {};
    }
    ClientReply reply = c->call(type, w);
    if (!reply.ok())
      return Result::error(reply.code, reply.message);
    if (out)
      *out = reply.fields().get<uint64_t>("id");
    return {};
  }
};
} // namespace

Result Runtime::createStream(int priority, uint64_t &id) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<int32_t>(priority);
  ClientReply reply = c->call(MsgType::StreamCreate, w);
  if (Result r = fromReply(reply, "stream create"); !r.ok())
    return r;
  id = reply.fields().get<uint64_t>("stream");
  return {};
}

Result Runtime::destroyStream(uint64_t id) {
  return Simple{*this}.call(MsgType::StreamDestroy, {id});
}

Result Runtime::synchronizeStream(uint64_t id) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(id);
  ClientReply reply = c->call(MsgType::StreamSync, w);
  printDeviceOutput(reply);
  if (Result r = fromReply(reply, "stream synchronize"); !r.ok())
    return r;
  return pullManaged();
}

Result Runtime::queryStream(uint64_t id) {
  return Simple{*this}.call(MsgType::StreamQuery, {id});
}

Result Runtime::streamWaitEvent(uint64_t stream, uint64_t event) {
  return Simple{*this}.call(MsgType::StreamWaitEvent, {stream, event}, nullptr,
                            true);
}

Result Runtime::createEvent(uint64_t &id) {
  return Simple{*this}.call(MsgType::EventCreate, {}, &id);
}

Result Runtime::destroyEvent(uint64_t id) {
  return Simple{*this}.call(MsgType::EventDestroy, {id});
}

Result Runtime::recordEvent(uint64_t event, uint64_t stream) {
  return Simple{*this}.call(MsgType::EventRecord, {event, stream}, nullptr,
                            true);
}

Result Runtime::synchronizeEvent(uint64_t id) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(id);
  ClientReply reply = c->call(MsgType::EventSync, w);
  printDeviceOutput(reply);
  if (Result r = fromReply(reply, "event synchronize"); !r.ok())
    return r;
  return pullManaged();
}

Result Runtime::queryEvent(uint64_t id) {
  return Simple{*this}.call(MsgType::EventQuery, {id});
}

Result Runtime::elapsedTime(uint64_t start, uint64_t end, float &ms) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint64_t>(start);
  w.put<uint64_t>(end);
  ClientReply reply = c->call(MsgType::EventElapsed, w);
  if (Result r = fromReply(reply, "event elapsed time"); !r.ok())
    return r;
  ms = reply.fields().get<float>("ms");
  return {};
}

Result Runtime::synchronizeDevice() {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  ClientReply reply = c->call(MsgType::DeviceSync, w);
  printDeviceOutput(reply);
  if (Result r = fromReply(reply, "device synchronize"); !r.ok())
    return r;
  return pullManaged();
}

Result Runtime::setShare(uint32_t weight, uint32_t priorityClass) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  proto::ByteWriter w;
  w.put<uint32_t>(weight);
  w.put<uint32_t>(priorityClass);
  return fromReply(c->call(MsgType::SetShare, w), "set share");
}

Result Runtime::setStackSize(uint64_t bytes, uint64_t &granted) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  granted = bytes;
  if (!c->setsLimits())
    return {};
  proto::ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(proto::DeviceLimit::StackSize));
  w.put<uint64_t>(bytes);
  ClientReply reply = c->call(MsgType::SetLimit, w);
  if (Result r = fromReply(reply, "set stack size"); !r.ok())
    return r;
  granted = reply.fields().get<uint64_t>("stack size");
  return {};
}

} // namespace wooly::client
