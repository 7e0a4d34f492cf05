//===- Managed.cpp - cudaMallocManaged emulated by copies at sync points --===//
//
// A managed allocation is a device allocation whose address the program
// also uses on the host. Over a remote server the client maps an anonymous
// host shadow at exactly the device address (MAP_FIXED_NOREPLACE), so kernel
// arguments need no translation: a pointer into managed memory means the
// same bytes on both sides. Ownership moves by whole allocations:
//   host owns   --(launch or device-side operation: push)--> device owns
//   device owns --(synchronizing call: pull)---------------> host owns
// which is CUDA's model for devices without concurrent managed access
// (cudaDevAttrConcurrentManagedAccess = 0): the host must not touch managed
// memory while kernels run. In the embedded default the device address is
// the in-process arena itself, so there is nothing to map or copy.
// docs/managed-memory.md has the whole story and the costs.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/core/Runtime.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace wooly::client {

using proto::WireCode;

static uint64_t pageSize() {
  static const uint64_t size = uint64_t(sysconf(_SC_PAGESIZE));
  return size;
}

bool Runtime::mapShadow(uint64_t base, uint64_t bytes, std::string &why) {
  std::lock_guard lock(mutex_);
  uint64_t page = pageSize();
  uint64_t first = base & ~(page - 1);
  uint64_t end = (base + bytes + page - 1) & ~(page - 1);
  std::vector<std::pair<uint64_t, uint64_t>> mapped; // runs, for a rollback
  for (uint64_t p = first; p < end;) {
    if (shadowPages_.count(p)) {
      p += page;
      continue;
    }
    uint64_t runEnd = p;
    while (runEnd < end && !shadowPages_.count(runEnd))
      runEnd += page;
    void *want = reinterpret_cast<void *>(p);
    void *got = mmap(want, runEnd - p, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != want) {
      int err = errno;
      if (got != MAP_FAILED)
        munmap(got, runEnd - p); // a kernel that ignores the flag
      for (auto [b, n] : mapped)
        munmap(reinterpret_cast<void *>(b), n);
      why = got == MAP_FAILED ? std::strerror(err)
                              : "the kernel placed it elsewhere";
      return false;
    }
    mapped.emplace_back(p, runEnd - p);
    p = runEnd;
  }
  for (uint64_t p = first; p < end; p += page)
    ++shadowPages_[p];
  return true;
}

void Runtime::unmapShadow(uint64_t base, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  uint64_t page = pageSize();
  uint64_t first = base & ~(page - 1);
  uint64_t end = (base + bytes + page - 1) & ~(page - 1);
  for (uint64_t p = first; p < end; p += page) {
    auto it = shadowPages_.find(p);
    if (it == shadowPages_.end() || --it->second)
      continue;
    shadowPages_.erase(it);
    munmap(reinterpret_cast<void *>(p), page);
  }
}

static std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
  return buf;
}

Result Runtime::mallocManaged(uint64_t bytes, uint64_t &ptr) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  if (Result r = malloc(bytes, ptr); !r.ok())
    return r;
  ManagedRecord record;
  record.bytes = bytes;
  record.host = ptr;
  if (!c->embedded()) {
    std::string why;
    if (!mapShadow(ptr, bytes, why)) {
      free(ptr);
      return Result::error(
          WireCode::OutOfMemory,
          "managed memory: cannot map the host view at device address " +
              hex(ptr) + " (" + std::to_string(bytes) + " bytes): " + why +
              "; that range is in use in this process. Use cudaMalloc and "
              "explicit copies instead.");
    }
    record.shadow = record.shadowPages = true;
    // The shadow starts as zeros and the host owns it: the first push
    // gives the device the same zeros (or whatever the host wrote).
  }
  std::lock_guard lock(mutex_);
  managed_[ptr] = record;
  if (record.shadow)
    ++shadowCount_;
  return {};
}

Result Runtime::initModule(ModuleRecord *m) {
  std::lock_guard lock(mutex_);
  if (m->managedInitialized)
    return {};
  m->managedInitialized = true;
  Result first;
  for (VarRecord *v : m->vars)
    if (v->managedHostPtr && !v->managedAttached)
      if (Result r = attachManagedVar(v); !r.ok() && first.ok())
        first = r;
  return first;
}

/// A `__managed__` variable lives in its module's device memory (GetGlobal
/// finds it like any `__device__` variable). Its host view follows
/// mallocManaged: embedded, the device address itself; remote, a shadow
/// mapped at the device address that joins the managed table, so launches
/// push it and synchronizing calls pull it like any managed allocation.
Result Runtime::attachManagedVar(VarRecord *v) {
  std::lock_guard lock(mutex_);
  auto fallback = [&](const Result &r) {
    // The host code dereferences the pointer next: give it zeros rather
    // than a crash, and say why the variable has no device behind it.
    void *heap = calloc(1, v->size ? v->size : 1);
    *v->managedHostPtr = heap;
    v->managedAttached = true;
    warnOnce("managed variable '" + v->name +
             "' has no device memory: " + r.message);
    return r;
  };
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return fallback(r);
  if (Result r = resolveVar(v); !r.ok())
    return fallback(r);
  uint64_t ptr = v->devicePtr, bytes = v->size;
  ManagedRecord record;
  record.bytes = bytes;
  record.host = ptr;
  if (!c->embedded()) {
    record.shadow = true;
    std::string why;
    if (mapShadow(ptr, bytes, why)) {
      record.shadowPages = true;
    } else {
      // A variable cannot fail like cudaMallocManaged does: keep the copies
      // at sync points through a host copy elsewhere. Only its address
      // differs from the device's.
      record.host = reinterpret_cast<uint64_t>(calloc(1, bytes ? bytes : 1));
      warnOnce("managed variable '" + v->name +
               "': cannot map its host view at device address " + hex(ptr) +
               " (" + why +
               "); the host uses a copy elsewhere, so its host address "
               "(&" + v->name + ") is not a device address");
    }
    // The device holds the variable's initializer and whatever kernels
    // wrote before the host's first access: the host view starts from it
    // (a copy on the legacy stream, after earlier work).
    if (Result r = copyToHost(reinterpret_cast<void *>(record.host), ptr,
                              bytes, 0);
        !r.ok())
      return r;
    managedBytesCopied_ += bytes;
    ++shadowCount_;
  }
  managed_[ptr] = record;
  varsByHost_[reinterpret_cast<const void *>(record.host)] = v;
  *v->managedHostPtr = reinterpret_cast<void *>(record.host);
  v->managedAttached = true;
  return {};
}

bool Runtime::isManaged(uint64_t ptr, uint64_t bytes) const {
  std::lock_guard lock(mutex_);
  auto it = managed_.upper_bound(ptr);
  if (it == managed_.begin())
    return false;
  --it;
  uint64_t offset = ptr - it->first;
  return offset < it->second.bytes && bytes <= it->second.bytes - offset;
}

void *Runtime::managedHostView(uint64_t ptr) const {
  std::lock_guard lock(mutex_);
  auto it = managed_.upper_bound(ptr);
  if (it == managed_.begin())
    return reinterpret_cast<void *>(ptr);
  --it;
  if (ptr - it->first >= it->second.bytes)
    return reinterpret_cast<void *>(ptr);
  return reinterpret_cast<void *>(it->second.host + (ptr - it->first));
}

Result Runtime::copyWithManaged(void *dst, const void *src, uint64_t bytes,
                                uint64_t stream) {
  uint64_t d = reinterpret_cast<uint64_t>(dst);
  uint64_t s = reinterpret_cast<uint64_t>(src);
  bool dstManaged = isManaged(d), srcManaged = isManaged(s);
  if ((dstManaged && !isManaged(d, bytes)) ||
      (srcManaged && !isManaged(s, bytes)))
    return Result::error(WireCode::InvalidValue,
                         "copy runs past the end of a managed allocation");
  if (Result r = synchronizeDevice(); !r.ok())
    return r;
  void *dstHost = dstManaged ? managedHostView(d) : dst;
  const void *srcHost = srcManaged ? managedHostView(s) : src;
  bool dstDevice = !dstManaged && isDevicePointer(d);
  bool srcDevice = !srcManaged && isDevicePointer(s);
  if ((dstDevice && !isDevicePointer(d, bytes)) ||
      (srcDevice && !isDevicePointer(s, bytes)))
    return Result::error(WireCode::InvalidValue,
                         "copy runs past the end of a device allocation");
  if (dstDevice)
    return copyToDevice(d, srcHost, bytes, stream);
  if (srcDevice)
    return copyToHost(dstHost, s, bytes, stream);
  std::memmove(dstHost, srcHost, bytes);
  return {};
}

Result Runtime::memsetManaged(uint64_t dst, uint8_t value, uint64_t bytes) {
  if (!isManaged(dst, bytes))
    return Result::error(WireCode::InvalidValue,
                         "set runs past the end of a managed allocation");
  if (Result r = synchronizeDevice(); !r.ok())
    return r;
  std::memset(managedHostView(dst), value, bytes);
  return {};
}

Result Runtime::pushManaged(uint64_t stream) {
  if (shadowCount_.load(std::memory_order_relaxed) == 0)
    return {}; // the common case: no managed memory, nothing to lock
  std::lock_guard move(managedMoveMutex_);
  struct Move {
    uint64_t base, host, bytes;
  };
  std::vector<Move> dirty;
  {
    std::lock_guard lock(mutex_);
    for (auto &[base, record] : managed_)
      if (record.shadow && !record.deviceOwns)
        dirty.push_back({base, record.host, record.bytes});
  }
  for (auto [base, host, bytes] : dirty) {
    if (Result r = copyToDevice(base, reinterpret_cast<const void *>(host),
                                bytes, stream);
        !r.ok())
      return r;
    std::lock_guard lock(mutex_);
    if (auto it = managed_.find(base); it != managed_.end())
      it->second.deviceOwns = true;
    managedBytesCopied_ += bytes;
  }
  return {};
}

Result Runtime::pullManaged() {
  if (shadowCount_.load(std::memory_order_relaxed) == 0)
    return {};
  std::lock_guard move(managedMoveMutex_);
  std::vector<std::pair<uint64_t, ManagedRecord>> owned;
  {
    std::lock_guard lock(mutex_);
    for (auto &[base, record] : managed_)
      if (record.shadow && record.deviceOwns)
        owned.emplace_back(base, record);
  }
  for (auto &[base, record] : owned) {
    uint64_t bytes = record.bytes;
    // Stream 0 orders the copy after the work the caller synchronized with.
    if (Result r = copyToHost(reinterpret_cast<void *>(record.host), base,
                              bytes, 0);
        !r.ok())
      return r;
    std::lock_guard lock(mutex_);
    if (auto it = managed_.find(base); it != managed_.end())
      it->second.deviceOwns = false;
    managedBytesCopied_ += bytes;
  }
  return {};
}

} // namespace wooly::client
