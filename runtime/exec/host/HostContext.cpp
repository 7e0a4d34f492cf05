//===- HostContext.cpp - One session on the host executor -----------------===//
//
// A session's memory (its arena), modules, streams and events, and the
// queues its calls feed to the executor's workers (HostExecutor.cpp).
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/host/HostExecutorImpl.h"

namespace wooly::exec::host {

HostContext::HostContext(HostExecutor &executor, const ContextOptions &opts)
    : options(opts), executor(executor) {}

Status HostContext::init() {
  uint64_t limit = options.memoryLimit ? options.memoryLimit
                                       : executor.device.totalMemory;
  // Address space is cheap: reserve twice the limit so fragmentation and
  // guard pages never make a within-quota allocation fail.
  // Fenced code may reach up to kArenaGuardBytes beyond either end of the
  // arena (and faults there): keep that address space reserved.
  Status s = arena.reserve(std::min<uint64_t>(limit * 2, 1ull << 40), limit,
                           options.addressFencing ? kArenaGuardBytes : 0);
  if (!s)
    return s;
  std::lock_guard<std::mutex> lock(executor.mutex);
  streams[0] = std::make_unique<Stream>();
  streams[0]->context = this;
  double start = 0;
  bool first = true;
  for (HostContext *c : executor.contexts) {
    start = first ? c->virtualTime : std::min(start, c->virtualTime);
    first = false;
  }
  virtualTime = start; // join the fair share without a backlog of credit
  executor.contexts.push_back(this);
  return Status::ok();
}

void HostContext::abandon() {
  std::lock_guard<std::mutex> lock(executor.mutex);
  for (auto &[id, stream] : streams)
    for (auto &op : stream->ops)
      if (op->kind == OpKind::Launch)
        op->launch->state.fail(ErrorCode::InvalidHandle, "context destroyed");
  executor.pauses.poke(); // paused workers of those launches leave now
  executor.workReady.notifyAll();
  executor.urgentReady.notifyAll();
  executor.backgroundReady.notifyAll();
}

HostContext::~HostContext() {
  abandon();
  std::unique_lock<std::mutex> lock(executor.mutex);
  changed.wait(lock, [&] { return idle(); });
  executor.contexts.erase(std::find(executor.contexts.begin(),
                                    executor.contexts.end(), this));
  executor.used -= arena.allocatedBytes();
}

bool HostContext::idle() const {
  for (auto &[id, stream] : streams)
    if (!stream->ops.empty())
      return false;
  return true;
}

Stream *HostContext::findStream(StreamId id) {
  auto it = streams.find(id);
  return it == streams.end() ? nullptr : it->second.get();
}

Status HostContext::enqueue(StreamId id, std::shared_ptr<Op> op) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle,
                         "stream " + std::to_string(id) + " is not a stream of this context");
  if (op->kind == OpKind::Launch) {
    op->launch->submitNs = nowNs();
    launches++;
    pending++;
  }
  bool urgent = op->kind == OpKind::Launch &&
                options.priority == PriorityClass::LatencySensitive;
  LaunchTrace *trace = nullptr;
  if (urgent && executor.traceHook) {
    op->launch->trace = std::make_unique<LaunchTrace>();
    trace = op->launch->trace.get();
    trace->submitNs = op->launch->submitNs;
  }
  stream->ops.push_back(std::move(op));
  if (urgent && executor.updatePauses() && trace)
    trace->yieldNs = nowNs();
  HostExecutor::Wakes wakes = executor.claimableWakes();
  lock.unlock();
  executor.deliver(wakes);
  return Status::ok();
}

Status HostContext::allocate(uint64_t bytes, DevicePtr &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  Status s = arena.allocate(bytes, out);
  if (!s)
    return s;
  allocations.insert(out, bytes);
  executor.used += ((bytes + 4095) & ~uint64_t(4095));
  return Status::ok();
}

Status HostContext::free(DevicePtr ptr) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  if (moduleSegments.count(ptr))
    return Status::error(ErrorCode::InvalidAddress,
                         "that address belongs to a loaded module's variables");
  DevicePtr base;
  uint64_t size;
  if (Status s = allocations.lookup(ptr, base, size); !s || base != ptr)
    return Status::error(ErrorCode::InvalidAddress,
                         "free of an address that is not the start of an "
                         "allocation of this context");
  // Like cudaFree: work that may still use the memory finishes first.
  changed.wait(lock, [&] { return idle(); });
  allocations.erase(ptr, size);
  uint64_t committed;
  Status s = arena.release(ptr, committed);
  executor.used -= committed;
  return s;
}

MemoryUsage HostContext::memoryUsage() const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return {allocations.totalBytes(), allocations.count(), arena.limitBytes()};
}

Status HostContext::lookup(DevicePtr ptr, DevicePtr &base, uint64_t &size) const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return allocations.lookup(ptr, base, size);
}

Status HostContext::loadModule(std::span<const uint8_t> wis, ModuleId &out) {
  std::shared_ptr<CompiledModule> code;
  Status s = executor.compiler.load(wis, options.addressFencing, code);
  if (!s)
    return s;
  LoadedModule module{code, 0};
  if (code->segment.size) {
    if (Status a = allocate(code->segment.size, module.segment); !a)
      return a;
    std::memcpy(reinterpret_cast<void *>(module.segment),
                code->segment.init.data(),
                std::min<size_t>(code->segment.init.size(), code->segment.size));
  }
  std::lock_guard<std::mutex> lock(executor.mutex);
  if (module.segment)
    moduleSegments.insert(module.segment);
  out = nextId++;
  modules[out] = std::move(module);
  return Status::ok();
}

Status HostContext::unloadModule(ModuleId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  changed.wait(lock, [&] { return idle(); });
  DevicePtr segment = it->second.segment;
  for (auto f = functions.begin(); f != functions.end();)
    f = f->second.first == id ? functions.erase(f) : std::next(f);
  modules.erase(it);
  if (segment) {
    moduleSegments.erase(segment);
    uint64_t size, committed;
    allocations.erase(segment, size);
    arena.release(segment, committed);
    executor.used -= committed;
  }
  return Status::ok();
}

Status HostContext::getFunction(ModuleId id, const std::string &name,
                                FunctionId &out, KernelInfo &info) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  const auto &kernels = it->second.code->kernels;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const wooly::host::HostKernel &k = kernels[i].info;
    if (k.name != name)
      continue;
    info = KernelInfo();
    info.name = k.name;
    for (const auto &p : k.params)
      if (p.hidden.empty())
        info.params.push_back({p.offset, p.size, p.align});
    info.argBufferSize = k.argBufferSize;
    info.staticSharedBytes = k.staticSharedBytes;
    info.localBytesPerThread = k.localBytesPerThread;
    info.maxThreadsPerBlock = std::min<uint32_t>(k.maxThreadsPerBlock, 1024);
    out = nextId++;
    functions[out] = {id, i};
    return Status::ok();
  }
  return Status::error(ErrorCode::NotFound,
                       "module has no kernel named '" + name + "'");
}

Status HostContext::getGlobal(ModuleId id, const std::string &name,
                              DevicePtr &out, uint64_t &size) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return Status::error(ErrorCode::InvalidHandle, "no such module in this context");
  auto &symbols = it->second.code->segment.symbols;
  auto s = symbols.find(name);
  if (s == symbols.end())
    return Status::error(ErrorCode::NotFound,
                         "module has no global or const variable named '" + name + "'");
  out = it->second.segment + s->second.first;
  size = s->second.second;
  return Status::ok();
}

Status HostContext::createStream(int, StreamId &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  out = nextId++;
  streams[out] = std::make_unique<Stream>();
  streams[out]->context = this;
  return Status::ok();
}

Status HostContext::destroyStream(StreamId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  if (id == 0 || !findStream(id))
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  changed.wait(lock, [&] { return findStream(id)->ops.empty(); });
  streams.erase(id);
  return Status::ok();
}

Status HostContext::createEvent(EventId &out) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  out = nextId++;
  events[out] = std::make_shared<Event>();
  return Status::ok();
}

Status HostContext::destroyEvent(EventId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  return events.erase(id) ? Status::ok()
                          : Status::error(ErrorCode::InvalidHandle,
                                          "no such event in this context");
}

Status HostContext::recordEvent(EventId id, StreamId stream) {
  std::shared_ptr<Event> event;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto it = events.find(id);
    if (it == events.end())
      return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
    event = it->second;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Record;
  op->event = event;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    op->gen = ++event->recordGen;
  }
  return enqueue(stream, op);
}

Status HostContext::waitEvent(StreamId stream, EventId id) {
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Wait;
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto it = events.find(id);
    if (it == events.end())
      return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
    op->event = it->second;
    op->gen = it->second->recordGen;
  }
  return enqueue(stream, op);
}

Status HostContext::queryEvent(EventId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto it = events.find(id);
  if (it == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  return it->second->doneGen >= it->second->recordGen
             ? Status::ok()
             : Status::error(ErrorCode::NotReady, "event not reached yet");
}

Status HostContext::synchronizeEvent(EventId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  auto it = events.find(id);
  if (it == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  std::shared_ptr<Event> event = it->second;
  changed.wait(lock, [&] { return event->doneGen >= event->recordGen; });
  return Status::ok();
}

Status HostContext::elapsedTime(EventId start, EventId end, float &ms) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  auto a = events.find(start), b = events.find(end);
  if (a == events.end() || b == events.end())
    return Status::error(ErrorCode::InvalidHandle, "no such event in this context");
  for (auto *e : {&a->second, &b->second})
    if ((*e)->recordGen == 0 || (*e)->doneGen < (*e)->recordGen)
      return Status::error(ErrorCode::NotReady,
                           "both events must be recorded and completed");
  ms = float(double(int64_t(b->second->timeNs - a->second->timeNs)) / 1e6);
  return Status::ok();
}

Status HostContext::launch(FunctionId fn, const LaunchConfig &config,
                           std::span<const uint8_t> args, StreamId stream) {
  auto l = std::make_shared<Launch>();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    auto f = functions.find(fn);
    if (f == functions.end())
      return Status::error(ErrorCode::InvalidHandle, "no such function in this context");
    const LoadedModule &module = modules.at(f->second.first);
    l->module = module.code;
    l->kernel = &module.code->kernels[f->second.second];
    l->job.globals = reinterpret_cast<uint8_t *>(module.segment);
    l->job.dataBase = module.segment;
  }
  const wooly::host::HostKernel &k = l->kernel->info;
  const Dim3 &g = config.grid, &b = config.block;
  const DeviceInfo &d = executor.device;
  uint64_t threads = uint64_t(b.x) * b.y * b.z;
  if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z || g.x > d.maxGridDim[0] ||
      g.y > d.maxGridDim[1] || g.z > d.maxGridDim[2] || b.x > d.maxBlockDim[0] ||
      b.y > d.maxBlockDim[1] || b.z > d.maxBlockDim[2])
    return Status::error(ErrorCode::InvalidValue,
                         "invalid launch dimensions for kernel '" + k.name + "'");
  if (threads > std::min<uint32_t>(k.maxThreadsPerBlock, d.maxThreadsPerBlock))
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' allows at most " +
                             std::to_string(std::min<uint32_t>(k.maxThreadsPerBlock, 1024)) +
                             " threads per block, the launch asks for " +
                             std::to_string(threads));
  uint64_t window = l->module->dynamicSharedOffset + config.dynamicSharedBytes;
  if (k.staticSharedBytes + uint64_t(config.dynamicSharedBytes) > d.maxSharedPerBlockOptin)
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' needs " +
                             std::to_string(k.staticSharedBytes + config.dynamicSharedBytes) +
                             " bytes of shared memory; the limit is " +
                             std::to_string(d.maxSharedPerBlockOptin));
  if (args.size() < k.argBufferSize)
    return Status::error(ErrorCode::InvalidValue,
                         "kernel '" + k.name + "' takes " +
                             std::to_string(k.argBufferSize) +
                             " bytes of arguments, got " + std::to_string(args.size()));
  l->args.assign(args.begin(), args.end());
  l->args.resize(std::max<size_t>(l->args.size(), 16));
  l->job.entry = l->kernel->entry;
  l->job.perThread = k.perThread;
  l->job.args = l->args.data();
  l->job.grid = g;
  l->job.block = b;
  l->job.dynamicSharedBytes = config.dynamicSharedBytes;
  l->job.sharedWindowBytes = std::max<uint64_t>(window, 16);
  l->job.arenaBase = arena.base();
  l->job.arenaMask = arena.mask();
  l->job.launch = &l->state;
  l->state.printfSink = &printfBuffer;
  l->state.printfMutex = &printfMutex;
  l->total = uint64_t(g.x) * g.y * g.z;
  ensureFaultHandlers();
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Launch;
  op->launch = std::move(l);
  return enqueue(stream, op);
}

Status HostContext::copyToDevice(DevicePtr dst, const void *src, uint64_t bytes,
                                 StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "copy to device"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::ToDevice;
  op->dst = dst;
  op->hostSrc = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::copyToHost(void *dst, DevicePtr src, uint64_t bytes,
                               StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(src, bytes, "copy to host"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::ToHost;
  op->host = dst;
  op->src = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::copyOnDevice(DevicePtr dst, DevicePtr src, uint64_t bytes,
                                 StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "device copy destination"); !s)
      return s;
    if (Status s = allocations.checkRange(src, bytes, "device copy source"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::OnDevice;
  op->dst = dst;
  op->src = src;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::memset(DevicePtr dst, uint8_t value, uint64_t bytes,
                           StreamId stream) {
  if (!bytes)
    return Status::ok();
  {
    std::lock_guard<std::mutex> lock(executor.mutex);
    if (Status s = allocations.checkRange(dst, bytes, "memset"); !s)
      return s;
  }
  auto op = std::make_shared<Op>();
  op->kind = OpKind::Memset;
  op->dst = dst;
  op->value = value;
  op->bytes = bytes;
  return enqueue(stream, op);
}

Status HostContext::enqueueHostFunction(StreamId stream, std::function<void()> fn) {
  auto op = std::make_shared<Op>();
  op->kind = OpKind::HostFn;
  op->fn = std::move(fn);
  return enqueue(stream, op);
}

Status HostContext::synchronize(StreamId id) {
  std::unique_lock<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  changed.wait(lock, [&] { return stream->ops.empty(); });
  Status s = stream->error;
  stream->error = Status::ok();
  return s;
}

Status HostContext::synchronizeAll() {
  std::unique_lock<std::mutex> lock(executor.mutex);
  changed.wait(lock, [&] { return idle(); });
  Status first;
  for (auto &[id, stream] : streams) {
    if (!stream->error && first)
      first = stream->error;
    stream->error = Status::ok();
  }
  return first;
}

Status HostContext::queryStream(StreamId id) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  Stream *stream = findStream(id);
  if (!stream)
    return Status::error(ErrorCode::InvalidHandle, "no such stream in this context");
  return stream->ops.empty() ? Status::ok()
                             : Status::error(ErrorCode::NotReady, "work pending");
}

void HostContext::setShare(uint32_t weight, PriorityClass priority) {
  std::lock_guard<std::mutex> lock(executor.mutex);
  options.weight = std::max<uint32_t>(1, weight);
  options.priority = priority;
  executor.updatePauses();
}

ContextStats HostContext::stats() const {
  std::lock_guard<std::mutex> lock(executor.mutex);
  ContextStats s;
  s.launches = launches;
  s.kernelNanoseconds = kernelNs;
  s.pendingLaunches = pending;
  std::vector<uint64_t> d(queueDelays);
  if (!d.empty()) {
    std::sort(d.begin(), d.end());
    s.queueDelayP50Ns = d[d.size() / 2];
    s.queueDelayP99Ns = d[std::min(d.size() - 1, d.size() * 99 / 100)];
  }
  return s;
}

std::string HostContext::takePrintfOutput() {
  std::lock_guard<std::mutex> lock(printfMutex);
  std::string out;
  out.swap(printfBuffer);
  return out;
}

} // namespace wooly::exec::host
