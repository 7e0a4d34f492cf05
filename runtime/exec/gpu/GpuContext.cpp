//===- GpuContext.cpp - One client's view of a GPU ------------------------===//

#include "runtime/exec/gpu/GpuContext.h"

#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/gpu/PrintfBuffer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace wooly::exec::gpu {

DeviceApi::~DeviceApi() = default;

static Status invalidHandle(const char *what, uint64_t id) {
  return Status::error(ErrorCode::InvalidHandle, std::string("no ") + what +
                                                     " " + std::to_string(id) +
                                                     " in this session");
}

GpuContext::GpuContext(DeviceApi &api, const DeviceInfo &device,
                       const ContextOptions &options, ModuleCompiler compiler,
                       GpuTelemetry *telemetry, LaunchWatchdog *watchdog)
    : api(api), device(device), compiler(std::move(compiler)),
      memoryLimit(options.memoryLimit ? options.memoryLimit
                                      : device.totalMemory),
      fencing(options.addressFencing), weight(options.weight),
      priority(options.priority), faultRecord(api), watchdog(watchdog) {
  if (telemetry)
    timer = std::make_unique<LaunchTimer>(api, *telemetry);
}

Status GpuContext::create(DeviceApi &api, const DeviceInfo &device,
                          const ContextOptions &options,
                          ModuleCompiler compiler,
                          std::unique_ptr<Context> &out,
                          GpuTelemetry *telemetry, LaunchWatchdog *watchdog) {
  if (options.memoryLimit && options.memoryGuaranteed > options.memoryLimit)
    return Status::error(ErrorCode::InvalidValue,
                         "guaranteed memory exceeds the memory limit");
  auto context = std::make_unique<GpuContext>(
      api, device, options, std::move(compiler), telemetry, watchdog);
  DriverStream stream = nullptr;
  if (Status status = context->newStream(0, stream); !status)
    return status;
  context->streams.emplace(0, stream);
  if (context->fencing)
    if (Status status = context->reserveArena(); !status)
      return status;
  if (watchdog)
    watchdog->add(context.get());
  out = std::move(context);
  return Status::ok();
}

GpuContext::~GpuContext() {
  // A session going away frees everything it held, whatever state it left;
  // its kernels that poll the fault record stop now instead of running to
  // their end (or forever).
  abandon();
  // Still watched while its streams drain: a kernel that does not stop is
  // the launch watchdog's to give up on (LaunchWatchdog.h).
  for (auto &[id, stream] : streams)
    api.streamSynchronize(stream);
  if (watchdog)
    watchdog->remove(this);
  timer.reset(); // its last launches are done: their time counts
  for (auto &[id, event] : events)
    api.eventDestroy(event);
  for (auto &[id, stream] : streams)
    api.streamDestroy(stream);
  streams.clear(); // deviceFree below must not wait on destroyed streams
  for (auto &[id, module] : modules)
    api.moduleUnload(module.handle);
  for (const auto &[base, bytes] : memory.all())
    deviceFree(base);
  releaseArena();
  if (printfState.buffer)
    api.memFree(printfState.buffer);
}

Status GpuContext::newStream(int requested, DriverStream &out) {
  // Best-effort sessions run on their SM partition where the device has
  // one, so they never hold every SM; else on the whole device at the
  // least urgent priority.
  if (priority == PriorityClass::BestEffort) {
    Status status = api.streamCreateBestEffort(driverPriority(requested), out);
    if (status || status.code != ErrorCode::NotSupported)
      return status;
  }
  return api.streamCreate(driverPriority(requested), out);
}

int GpuContext::driverPriority(int requested) const {
  int least = 0, greatest = 0;
  api.priorityRange(least, greatest);
  // Requests use CUDA's convention (numerically lower is more urgent). A
  // context's class pins its streams to the urgent or the lazy end.
  if (priority == PriorityClass::LatencySensitive)
    return greatest;
  if (priority == PriorityClass::BestEffort)
    return least;
  return std::clamp(requested, std::min(least, greatest),
                    std::max(least, greatest));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

Status GpuContext::reserveArena() {
  uint64_t granule = api.mapGranularity();
  if (granule == 0)
    return Status::error(
        ErrorCode::DeviceUnavailable,
        "address fencing needs the driver's virtual memory management "
        "(reserving device address ranges), which this device lacks; run "
        "woolyd with address fencing turned off for trusted use");
  uint64_t size = ArenaAllocator::sizeFor(memoryLimit, granule);
  DevicePtr reserved = 0;
  uint64_t reservedBytes = size;
  if (Status status = api.reserveRange(size, size, reserved); !status)
    return status;
  if (reserved % size != 0) {
    // A driver that ignores the requested alignment: reserve twice the
    // size and use its aligned half (fencing needs base aligned to size).
    api.freeRange(reserved, size);
    reservedBytes = 2 * size;
    if (Status status = api.reserveRange(reservedBytes, size, reserved);
        !status)
      return status;
  }
  DevicePtr base = (reserved + size - 1) / size * size;
  arena.emplace(
      Arena{base, ArenaAllocator(size, granule), 0, {}, reserved, reservedBytes});
  if (Status status = api.createMemory(granule, arena->scratch); !status) {
    api.freeRange(reserved, reservedBytes);
    arena.reset();
    return status;
  }
  // Every granule is backed from the start: a fenced address can be
  // anywhere in the arena, and an unmapped one would fault the device
  // context that all sessions share.
  if (Status status = backWithScratch(base, size); !status) {
    releaseArena();
    return status;
  }
  return Status::ok();
}

Status GpuContext::backWithScratch(DevicePtr at, uint64_t bytes) {
  uint64_t granule = arena->layout.granularity();
  for (uint64_t offset = 0; offset < bytes; offset += granule)
    if (Status status = api.mapMemory(at + offset, granule, arena->scratch);
        !status)
      return status;
  return Status::ok();
}

void GpuContext::releaseArena() {
  if (!arena)
    return;
  // Whatever is mapped (scratch or not) goes: unmap granule by granule,
  // which also covers a partly backed arena after a failed reservation.
  uint64_t granule = arena->layout.granularity();
  for (uint64_t offset = 0; offset < arena->layout.size(); offset += granule)
    api.unmapMemory(arena->base + offset, granule);
  if (arena->scratch)
    api.releaseMemory(arena->scratch);
  api.freeRange(arena->reservation, arena->reservationBytes);
  arena.reset();
}

Status GpuContext::deviceAlloc(uint64_t bytes, DevicePtr &out) {
  if (!arena)
    return api.memAlloc(bytes, out);
  uint64_t offset = 0, reserved = 0;
  if (Status status = arena->layout.allocate(bytes, offset, reserved); !status)
    return status;
  DevicePtr at = arena->base + offset;
  MemoryHandle memory = 0;
  Status status = api.createMemory(reserved, memory);
  if (status) {
    uint64_t granule = arena->layout.granularity();
    for (uint64_t g = 0; g < reserved; g += granule)
      api.unmapMemory(at + g, granule);
    status = api.mapMemory(at, reserved, memory);
    if (!status) {
      api.releaseMemory(memory);
      backWithScratch(at, reserved);
    }
  }
  if (!status) {
    arena->layout.release(offset, reserved);
    return status;
  }
  arena->mapped.emplace(at, memory);
  out = at;
  return Status::ok();
}

Status GpuContext::deviceFree(DevicePtr ptr) {
  if (!arena)
    return api.memFree(ptr);
  auto it = arena->mapped.find(ptr);
  uint64_t reserved = 0;
  if (it == arena->mapped.end() ||
      !arena->layout.release(ptr - arena->base, reserved))
    return Status::error(ErrorCode::InvalidAddress,
                         "not an allocation of this session's arena");
  // Kernels still running on it must finish before the memory goes.
  for (auto &[id, stream] : streams)
    api.streamSynchronize(stream);
  Status status = api.unmapMemory(ptr, reserved);
  api.releaseMemory(it->second);
  arena->mapped.erase(it);
  if (Status backed = backWithScratch(ptr, reserved); !backed && status)
    status = backed;
  return status;
}

Status GpuContext::allocate(uint64_t bytes, DevicePtr &out) {
  std::lock_guard<std::mutex> lock(mutex);
  return allocateLocked(bytes, out);
}

Status GpuContext::allocateLocked(uint64_t bytes, DevicePtr &out) {
  if (bytes == 0)
    return Status::error(ErrorCode::InvalidValue, "cannot allocate 0 bytes");
  uint64_t used = memory.totalBytes();
  if (bytes > memoryLimit || used > memoryLimit - bytes)
    return Status::error(
        ErrorCode::OutOfMemory,
        "allocating " + std::to_string(bytes) +
            " bytes would exceed this session's memory limit of " +
            std::to_string(memoryLimit) + " bytes (" + std::to_string(used) +
            " in use): free memory or ask for a larger quota");
  DevicePtr ptr = 0;
  if (Status status = deviceAlloc(bytes, ptr); !status)
    return status;
  if (Status status = memory.insert(ptr, bytes); !status) {
    deviceFree(ptr);
    return status;
  }
  out = ptr;
  return Status::ok();
}

Status GpuContext::free(DevicePtr ptr) {
  std::lock_guard<std::mutex> lock(mutex);
  if (segments.count(ptr))
    return Status::error(ErrorCode::InvalidValue,
                         "the address is a module's variables; unload the "
                         "module to free them");
  uint64_t bytes = 0;
  if (Status status = memory.erase(ptr, bytes); !status)
    return status;
  return deviceFree(ptr);
}

MemoryUsage GpuContext::memoryUsage() const {
  std::lock_guard<std::mutex> lock(mutex);
  return {memory.totalBytes(), memory.count(), memoryLimit};
}

Status GpuContext::lookup(DevicePtr ptr, DevicePtr &base,
                          uint64_t &size) const {
  std::lock_guard<std::mutex> lock(mutex);
  return memory.lookup(ptr, base, size);
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

Status GpuContext::loadModule(std::span<const uint8_t> wis, ModuleId &out) {
  if (wis.empty())
    return Status::error(ErrorCode::InvalidValue, "empty WIS module");
  // Compiling can take long: it runs outside the lock (the compiler caches).
  CompiledModule compiled;
  if (Status status = compiler(wis, fencing, compiled); !status)
    return status;
  DriverModule handle = nullptr;
  if (Status status = api.moduleLoad(compiled.image, handle); !status)
    return status;
  Module module;
  module.handle = handle;
  module.fenced = compiled.fenced;
  module.symbols = compiled.segment.symbols;
  for (KernelInfo &kernel : compiled.kernels)
    module.kernels.emplace(kernel.name, std::move(kernel));
  std::lock_guard<std::mutex> lock(mutex);
  // Each session gets its own copy of the module's variables, even when
  // sessions share the compiled code.
  if (compiled.fenced && compiled.segment.size)
    if (Status status = loadSegment(compiled.segment, module.segment);
        !status) {
      api.moduleUnload(handle);
      return status;
    }
  ModuleId id = nextId++;
  auto undo = [&](Status status) {
    if (module.segment) {
      uint64_t bytes = 0;
      segments.erase(module.segment);
      memory.erase(module.segment, bytes);
      deviceFree(module.segment);
    }
    api.moduleUnload(handle);
    return status;
  };
  module.prints = !compiled.printfFormats.empty();
  if (module.prints)
    if (Status status =
            preparePrintf(id, handle, std::move(compiled.printfFormats));
        !status)
      return undo(status);
  if (compiled.canFault || watchdog)
    if (Status status =
            faultRecord.attach(handle, streams.at(0), module.reportsFaults);
        !status)
      return undo(status);
  out = id;
  modules.emplace(out, std::move(module));
  return Status::ok();
}

Status GpuContext::createPrintfBuffer() {
  // Outside the arena: kernels reach it only through the module global,
  // never through an address a client computes.
  DevicePtr buffer = 0;
  if (Status status = api.memAlloc(kPrintfBufferBytes, buffer); !status)
    return status;
  namespace abi = wooly::gpu::printf_abi;
  uint8_t header[abi::kHeaderBytes] = {};
  uint32_t capacity = kPrintfBufferBytes - abi::kHeaderBytes;
  std::memcpy(header + abi::kCapacityOffset, &capacity, sizeof capacity);
  DriverStream stream = streams.at(0);
  // Records start zeroed: one reserved but never written reads as size 0.
  Status status = api.memsetD8(buffer, 0, kPrintfBufferBytes, stream);
  if (status)
    status = api.copyHtoD(buffer, header, sizeof header, stream);
  if (status)
    status = api.streamSynchronize(stream);
  if (!status) {
    api.memFree(buffer);
    return status;
  }
  printfState.buffer = buffer;
  return Status::ok();
}

Status GpuContext::preparePrintf(ModuleId id, DriverModule handle,
                                 std::vector<std::string> formats) {
  namespace abi = wooly::gpu::printf_abi;
  DevicePtr slot = 0;
  uint64_t bytes = 0;
  if (Status status =
          api.moduleGetGlobal(handle, abi::kGlobalName, slot, bytes);
      !status || bytes < 16)
    return Status::error(ErrorCode::Internal,
                         std::string("a module that prints lacks its ") +
                             abi::kGlobalName + " variable" +
                             (status ? "" : ": " + status.message));
  if (!printfState.buffer)
    if (Status status = createPrintfBuffer(); !status)
      return status;
  uint64_t value[2] = {printfState.buffer, id};
  DriverStream stream = streams.at(0);
  Status status = api.copyHtoD(slot, value, sizeof value, stream);
  if (status)
    status = api.streamSynchronize(stream);
  if (!status)
    return status;
  printfState.formats[id] = std::move(formats);
  return Status::ok();
}

Status GpuContext::loadSegment(const DataSegmentImage &image,
                               DevicePtr &out) {
  // Arena allocations start on a mapping granule: any alignment a module
  // asks for is met.
  if (Status status = allocateLocked(image.size, out); !status)
    return status;
  segments.insert(out);
  DriverStream stream = streams.at(0);
  Status status = api.memsetD8(out, 0, image.size, stream);
  if (status && !image.init.empty())
    status = api.copyHtoD(out, image.init.data(),
                          std::min<uint64_t>(image.init.size(), image.size),
                          stream);
  // The initial bytes must be in place before the call returns (and before
  // `image` goes away).
  if (status)
    status = api.streamSynchronize(stream);
  if (!status) {
    uint64_t bytes = 0;
    segments.erase(out);
    memory.erase(out, bytes);
    deviceFree(out);
  }
  return status;
}

Status GpuContext::unloadModule(ModuleId id) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return invalidHandle("module", id);
  std::erase_if(functions,
                [&](const auto &entry) { return entry.second.module == id; });
  DriverModule handle = it->second.handle;
  DevicePtr segment = it->second.segment;
  modules.erase(it);
  if (printfState.formats.count(id))
    printfState.unloaded.insert(id);
  if (segment) {
    uint64_t bytes = 0;
    segments.erase(segment);
    memory.erase(segment, bytes);
    deviceFree(segment);
  }
  return api.moduleUnload(handle);
}

Status GpuContext::getFunction(ModuleId id, const std::string &name,
                               FunctionId &out, KernelInfo &info) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return invalidHandle("module", id);
  auto kernel = it->second.kernels.find(name);
  if (kernel == it->second.kernels.end())
    return Status::error(ErrorCode::NotFound, "no kernel named '" + name +
                                                  "' in module " +
                                                  std::to_string(id));
  for (const auto &[fid, fn] : functions)
    if (fn.module == id && fn.info.name == name) {
      out = fid;
      info = fn.info;
      return Status::ok();
    }
  Function fn;
  fn.module = id;
  fn.info = kernel->second;
  if (Status status = api.moduleGetFunction(it->second.handle, name, fn.handle);
      !status)
    return status;
  if (Status status = api.functionInfo(fn.handle, fn.info); !status)
    return status;
  out = nextId++;
  info = fn.info;
  functions.emplace(out, std::move(fn));
  return Status::ok();
}

Status GpuContext::getGlobal(ModuleId id, const std::string &name,
                             DevicePtr &out, uint64_t &size) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = modules.find(id);
  if (it == modules.end())
    return invalidHandle("module", id);
  if (!it->second.fenced)
    return api.moduleGetGlobal(it->second.handle, name, out, size);
  // Fenced: the variables live in this session's data segment.
  auto symbol = it->second.symbols.find(name);
  if (symbol == it->second.symbols.end())
    return Status::error(ErrorCode::NotFound,
                         "module " + std::to_string(id) +
                             " has no global or const variable named '" +
                             name + "'");
  out = it->second.segment + symbol->second.first;
  size = symbol->second.second;
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

/// One handle of a session's stream or event table, or InvalidHandle.
static Status findHandle(const std::unordered_map<uint64_t, void *> &table,
                         const char *what, uint64_t id, void *&out) {
  auto it = table.find(id);
  if (it == table.end())
    return invalidHandle(what, id);
  out = it->second;
  return Status::ok();
}

Status GpuContext::findStream(StreamId id, DriverStream &out) const {
  return findHandle(streams, "stream", id, out);
}

Status GpuContext::findEvent(EventId id, DriverEvent &out) const {
  return findHandle(events, "event", id, out);
}

Status GpuContext::createStream(int requested, StreamId &out) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverStream stream = nullptr;
  if (Status status = newStream(requested, stream); !status)
    return status;
  out = nextId++;
  streams.emplace(out, stream);
  return Status::ok();
}

Status GpuContext::destroyStream(StreamId id) {
  std::lock_guard<std::mutex> lock(mutex);
  if (id == 0)
    return Status::error(ErrorCode::InvalidHandle,
                         "the default stream cannot be destroyed");
  DriverStream stream = nullptr;
  if (Status status = findStream(id, stream); !status)
    return status;
  streams.erase(id);
  return api.streamDestroy(stream);
}

Status GpuContext::createEvent(EventId &out) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverEvent event = nullptr;
  if (Status status = api.eventCreate(event); !status)
    return status;
  out = nextId++;
  events.emplace(out, event);
  return Status::ok();
}

Status GpuContext::destroyEvent(EventId id) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverEvent event = nullptr;
  if (Status status = findEvent(id, event); !status)
    return status;
  events.erase(id);
  return api.eventDestroy(event);
}

Status GpuContext::recordEvent(EventId eventId, StreamId streamId) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverEvent event = nullptr;
  DriverStream stream = nullptr;
  if (Status status = findEvent(eventId, event); !status)
    return status;
  if (Status status = findStream(streamId, stream); !status)
    return status;
  return api.eventRecord(event, stream);
}

Status GpuContext::waitEvent(StreamId streamId, EventId eventId) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverEvent event = nullptr;
  DriverStream stream = nullptr;
  if (Status status = findEvent(eventId, event); !status)
    return status;
  if (Status status = findStream(streamId, stream); !status)
    return status;
  return api.streamWaitEvent(stream, event);
}

Status GpuContext::findUnlocked(
    const std::unordered_map<uint64_t, void *> &table, const char *what,
    uint64_t id, void *&out) const {
  // Waiting calls run without the lock, so other calls of the session
  // (and its host functions) go on meanwhile.
  std::lock_guard<std::mutex> lock(mutex);
  return findHandle(table, what, id, out);
}

Status GpuContext::queryEvent(EventId id) {
  DriverEvent event = nullptr;
  if (Status status = findUnlocked(events, "event", id, event); !status)
    return status;
  if (Status status = api.eventQuery(event); !status)
    return status;
  return checkFaults();
}

Status GpuContext::synchronizeEvent(EventId id) {
  DriverEvent event = nullptr;
  if (Status status = findUnlocked(events, "event", id, event); !status)
    return status;
  if (Status status = api.eventSynchronize(event); !status)
    return status;
  return checkFaults();
}

Status GpuContext::elapsedTime(EventId startId, EventId endId, float &ms) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverEvent start = nullptr, end = nullptr;
  if (Status status = findEvent(startId, start); !status)
    return status;
  if (Status status = findEvent(endId, end); !status)
    return status;
  return api.eventElapsed(start, end, ms);
}

//===----------------------------------------------------------------------===//
// Work on streams
//===----------------------------------------------------------------------===//

Status GpuContext::checkLaunch(const KernelInfo &kernel,
                               const DeviceInfo &device,
                               const LaunchConfig &config,
                               std::span<const uint8_t> args) {
  const uint32_t grid[3] = {config.grid.x, config.grid.y, config.grid.z};
  const uint32_t block[3] = {config.block.x, config.block.y, config.block.z};
  uint64_t threads = 1;
  for (int d = 0; d < 3; ++d) {
    if (grid[d] == 0 || grid[d] > device.maxGridDim[d] || block[d] == 0 ||
        block[d] > device.maxBlockDim[d])
      return Status::error(
          ErrorCode::InvalidValue,
          "launch of '" + kernel.name + "': grid (" + std::to_string(grid[0]) +
              "," + std::to_string(grid[1]) + "," + std::to_string(grid[2]) +
              ") or block (" + std::to_string(block[0]) + "," +
              std::to_string(block[1]) + "," + std::to_string(block[2]) +
              ") is empty or beyond the device's limits");
    threads *= block[d];
  }
  uint32_t limit =
      std::min(kernel.maxThreadsPerBlock, device.maxThreadsPerBlock);
  if (threads > limit)
    return Status::error(
        ErrorCode::InvalidValue,
        "launch of '" + kernel.name + "' with " + std::to_string(threads) +
            " threads per block; the kernel allows " + std::to_string(limit));
  uint64_t shared =
      uint64_t(kernel.staticSharedBytes) + config.dynamicSharedBytes;
  if (shared > device.maxSharedPerBlockOptin)
    return Status::error(ErrorCode::InvalidValue,
                         "launch of '" + kernel.name + "' needs " +
                             std::to_string(shared) +
                             " bytes of shared memory; the device has " +
                             std::to_string(device.maxSharedPerBlockOptin));
  if (args.size() < kernel.argBufferSize)
    return Status::error(ErrorCode::InvalidValue,
                         "launch of '" + kernel.name + "' with " +
                             std::to_string(args.size()) +
                             " bytes of arguments; it takes " +
                             std::to_string(kernel.argBufferSize));
  for (const ParamInfo &param : kernel.params)
    if (uint64_t(param.offset) + param.size > args.size())
      return Status::error(ErrorCode::Internal,
                           "kernel parameter layout runs past its buffer");
  return Status::ok();
}

Status GpuContext::launch(FunctionId fnId, const LaunchConfig &config,
                          std::span<const uint8_t> args, StreamId streamId) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = functions.find(fnId);
  if (it == functions.end())
    return invalidHandle("function", fnId);
  DriverStream stream = nullptr;
  if (Status status = findStream(streamId, stream); !status)
    return status;
  const Function &fn = it->second;
  if (Status status = checkLaunch(fn.info, device, config, args); !status)
    return status;
  // A session whose kernel faulted is over, as a CUDA context is after a
  // trap: nothing more of it runs.
  if (Status fault = faultRecord.recorded(); !fault)
    return fault;
  // The driver copies parameter values at launch: pointers into the
  // caller's buffer (kept alive for this call) are enough.
  std::vector<void *> params;
  params.reserve(fn.info.params.size() + 3);
  for (const ParamInfo &param : fn.info.params)
    params.push_back(const_cast<uint8_t *>(args.data()) + param.offset);
  // A fenced kernel's hidden parameters follow the client's, in the order
  // wooly-fence-addresses appends them.
  const Module &module = modules.at(fn.module);
  uint64_t hidden[3] = {0, 0, module.segment};
  if (module.fenced) {
    if (!arena)
      return Status::error(ErrorCode::Internal,
                           "a fenced kernel in a context without an arena");
    hidden[0] = arena->base;
    hidden[1] = arena->layout.mask();
    for (uint64_t &value : hidden)
      params.push_back(&value);
  }
  bool timed = timer && timer->begin(stream);
  Status launched = api.launch(
      fn.handle, config, params.empty() ? nullptr : params.data(), stream);
  if (timed)
    timer->end(launched.isOk());
  if (!launched)
    return launched;
  if (module.prints)
    printfState.pending = true;
  if (module.reportsFaults)
    faultRecord.launched();
  ++launches;
  return Status::ok();
}

Status GpuContext::onCheckedRanges(
    StreamId streamId, uint64_t bytes,
    std::initializer_list<std::pair<DevicePtr, const char *>> ranges,
    const std::function<Status(DriverStream)> &work) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverStream stream = nullptr;
  if (Status status = findStream(streamId, stream); !status)
    return status;
  if (bytes == 0)
    return Status::ok();
  for (const auto &[ptr, what] : ranges)
    if (Status status = memory.checkRange(ptr, bytes, what); !status)
      return status;
  return work(stream);
}

Status GpuContext::copyToDevice(DevicePtr dst, const void *src, uint64_t bytes,
                                StreamId streamId) {
  if (!src && bytes)
    return Status::error(ErrorCode::InvalidValue,
                         "copy from a null host pointer");
  return onCheckedRanges(streamId, bytes, {{dst, "copy to device"}},
                         [&](DriverStream stream) {
                           return api.copyHtoD(dst, src, bytes, stream);
                         });
}

Status GpuContext::copyToHost(void *dst, DevicePtr src, uint64_t bytes,
                              StreamId streamId) {
  if (!dst && bytes)
    return Status::error(ErrorCode::InvalidValue,
                         "copy to a null host pointer");
  return onCheckedRanges(streamId, bytes, {{src, "copy to host"}},
                         [&](DriverStream stream) {
                           return api.copyDtoH(dst, src, bytes, stream);
                         });
}

Status GpuContext::copyOnDevice(DevicePtr dst, DevicePtr src, uint64_t bytes,
                                StreamId streamId) {
  return onCheckedRanges(
      streamId, bytes, {{src, "copy source"}, {dst, "copy destination"}},
      [&](DriverStream stream) {
        return api.copyDtoD(dst, src, bytes, stream);
      });
}

Status GpuContext::memset(DevicePtr dst, uint8_t value, uint64_t bytes,
                          StreamId streamId) {
  return onCheckedRanges(streamId, bytes, {{dst, "memset"}},
                         [&](DriverStream stream) {
                           return api.memsetD8(dst, value, bytes, stream);
                         });
}

Status GpuContext::enqueueHostFunction(StreamId streamId,
                                       std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex);
  DriverStream stream = nullptr;
  if (Status status = findStream(streamId, stream); !status)
    return status;
  auto *heap = new std::function<void()>(std::move(fn));
  Status status = api.hostFunction(
      stream,
      [](void *data) {
        std::unique_ptr<std::function<void()>> call(
            static_cast<std::function<void()> *>(data));
        (*call)();
      },
      heap);
  if (!status)
    delete heap;
  return status;
}

Status GpuContext::synchronize(StreamId streamId) {
  DriverStream stream = nullptr;
  if (Status status = findUnlocked(streams, "stream", streamId, stream);
      !status)
    return status;
  if (Status status = api.streamSynchronize(stream); !status)
    return status;
  return checkFaults();
}

Status GpuContext::synchronizeAll() {
  std::vector<DriverStream> all;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto &[id, stream] : streams)
      all.push_back(stream);
  }
  Status first = Status::ok();
  for (DriverStream stream : all)
    if (Status status = api.streamSynchronize(stream); !status && first)
      first = status;
  if (!first)
    return first;
  return checkFaults();
}

Status GpuContext::queryStream(StreamId streamId) {
  DriverStream stream = nullptr;
  if (Status status = findUnlocked(streams, "stream", streamId, stream);
      !status)
    return status;
  if (Status status = api.streamQuery(stream); !status)
    return status;
  return checkFaults();
}

void GpuContext::abandon() {
  std::lock_guard<std::mutex> lock(mutex);
  faultRecord.stop(
      Status::error(ErrorCode::DeviceUnavailable, "the session is closed"));
}

std::optional<uint64_t> GpuContext::oldestRunningStart() {
  if (!timer)
    return std::nullopt;
  std::vector<uint64_t> running;
  timer->harvest(&running);
  if (running.empty())
    return std::nullopt;
  return *std::min_element(running.begin(), running.end());
}

bool GpuContext::stopOverdue(uint64_t limitMs) {
  std::lock_guard<std::mutex> lock(mutex);
  return faultRecord.stop(Status::error(
      ErrorCode::LaunchTimeout,
      "a kernel of this session ran longer than the " +
          std::to_string(limitMs) +
          " ms launch watchdog limit and was stopped (an infinite loop?)"));
}

Status GpuContext::checkFaults() {
  std::lock_guard<std::mutex> lock(mutex);
  return faultRecord.check([&] {
    for (auto &[id, stream] : streams)
      if (api.streamQuery(stream).code == ErrorCode::NotReady)
        return false;
    return true;
  });
}

void GpuContext::setShare(uint32_t newWeight, PriorityClass newPriority) {
  std::lock_guard<std::mutex> lock(mutex);
  // The hardware scheduler knows only stream priorities: a new class
  // applies to the streams created from now on.
  weight = newWeight;
  priority = newPriority;
}

ContextStats GpuContext::stats() const {
  ContextStats result;
  result.launches = launches.load();
  if (timer)
    timer->fill(result);
  return result;
}

std::string GpuContext::takePrintfOutput() {
  std::lock_guard<std::mutex> lock(mutex);
  if (!printfState.buffer || !printfState.pending)
    return {};
  // A kernel still running may be between reserving a record and writing
  // it, and resetting the buffer under it would lose its later records: the
  // output waits for a synchronization point at which every stream of the
  // session is idle (the lock keeps new launches out meanwhile).
  for (auto &[id, stream] : streams)
    if (api.streamQuery(stream).code == ErrorCode::NotReady)
      return {};
  namespace abi = wooly::gpu::printf_abi;
  DriverStream stream = streams.at(0);
  DevicePtr buffer = printfState.buffer;
  uint8_t head[abi::kHeaderBytes];
  if (!api.copyDtoH(head, buffer, sizeof head, stream) ||
      !api.streamSynchronize(stream))
    return {};
  PrintfHeader header = readPrintfHeader(head);
  if (header.reserved == 0 && header.dropped == 0) {
    printfState.pending = false;
    return {};
  }
  // The header lives in device memory: with fencing off a kernel can write
  // any capacity into it, so the read-back is bounded by the buffer the
  // context allocated, never by what the device says.
  std::vector<uint8_t> records(std::min<uint64_t>(
      header.usedBytes(), kPrintfBufferBytes - abi::kHeaderBytes));
  if (!records.empty() &&
      (!api.copyDtoH(records.data(), buffer + abi::kHeaderBytes,
                     records.size(), stream) ||
       !api.streamSynchronize(stream)))
    return {};
  std::string out;
  formatPrintfRecords(
      records, header.dropped,
      [&](uint32_t tag, uint32_t format) -> const std::string * {
        auto it = printfState.formats.find(tag);
        if (it == printfState.formats.end() || format >= it->second.size())
          return nullptr;
        return &it->second[format];
      },
      out);
  // Empty again: reservation and drop count to 0, the records read back
  // zeroed (so a record reserved later but never written reads as size 0).
  Status reset = api.memsetD8(buffer + abi::kReservedOffset, 0,
                              abi::kCapacityOffset, stream);
  if (reset && !records.empty())
    reset = api.memsetD8(buffer + abi::kHeaderBytes, 0, records.size(), stream);
  if (reset)
    reset = api.streamSynchronize(stream);
  if (!reset)
    return out; // the device is gone; what was read is still the output
  for (ModuleId id : printfState.unloaded)
    printfState.formats.erase(id);
  printfState.unloaded.clear();
  printfState.pending = false;
  return out;
}

uint64_t GpuContext::maxStackBytes() {
  // The driver backs the stack of every thread the device can hold at once
  // (an H100: 132 SMs x 2048 threads, so 16 KiB each is 4.4 GB), outside
  // any session's quota; the server's owner sets how much that may be.
  static const uint64_t limit = [] {
    const char *text = std::getenv("WOOLY_GPU_MAX_STACK_BYTES");
    char *end = nullptr;
    unsigned long long value = text ? std::strtoull(text, &end, 10) : 0;
    return text && *text && end && !*end && value ? uint64_t(value)
                                                  : kDefaultMaxStackBytes;
  }();
  return limit;
}

Status GpuContext::setStackSize(uint64_t bytes, uint64_t &granted) {
  if (bytes > maxStackBytes())
    return Status::error(
        ErrorCode::OutOfMemory,
        "a stack of " + std::to_string(bytes) +
            " bytes per thread is more than this server allows (" +
            std::to_string(maxStackBytes()) +
            ", WOOLY_GPU_MAX_STACK_BYTES on the server)");
  return api.raiseStackSize(bytes, granted);
}

} // namespace wooly::exec::gpu
