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

Result Runtime::mallocManaged(uint64_t bytes, uint64_t &ptr) {
  Connection *c = nullptr;
  if (Result r = connection(c); !r.ok())
    return r;
  if (Result r = malloc(bytes, ptr); !r.ok())
    return r;
  ManagedRecord record;
  record.bytes = bytes;
  if (!c->embedded()) {
    uint64_t page = pageSize();
    record.mapBase = ptr & ~(page - 1);
    record.mapBytes = ((ptr + bytes + page - 1) & ~(page - 1)) - record.mapBase;
    void *want = reinterpret_cast<void *>(record.mapBase);
    void *got = mmap(want, record.mapBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != want) {
      int err = errno;
      if (got != MAP_FAILED)
        munmap(got, record.mapBytes); // a kernel that ignores the flag
      free(ptr);
      char where[64];
      snprintf(where, sizeof where, "0x%llx", (unsigned long long)ptr);
      return Result::error(
          WireCode::OutOfMemory,
          std::string("managed memory: cannot map the host view at device "
                      "address ") +
              where + " (" + std::to_string(bytes) + " bytes): " +
              (got == MAP_FAILED ? std::strerror(err)
                                 : "the kernel placed it elsewhere") +
              "; that range is in use in this process. Use cudaMalloc and "
              "explicit copies instead.");
    }
    // The shadow starts as zeros and the host owns it: the first push
    // gives the device the same zeros (or whatever the host wrote).
  }
  std::lock_guard lock(mutex_);
  managed_[ptr] = record;
  if (record.mapBytes)
    ++shadowCount_;
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

Result Runtime::pushManaged(uint64_t stream) {
  if (shadowCount_.load(std::memory_order_relaxed) == 0)
    return {}; // the common case: no managed memory, nothing to lock
  std::lock_guard move(managedMoveMutex_);
  std::vector<std::pair<uint64_t, uint64_t>> dirty;
  {
    std::lock_guard lock(mutex_);
    for (auto &[base, record] : managed_)
      if (record.mapBytes && !record.deviceOwns)
        dirty.emplace_back(base, record.bytes);
  }
  for (auto [base, bytes] : dirty) {
    if (Result r = copyToDevice(base, reinterpret_cast<const void *>(base),
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
  std::vector<std::pair<uint64_t, uint64_t>> owned;
  {
    std::lock_guard lock(mutex_);
    for (auto &[base, record] : managed_)
      if (record.mapBytes && record.deviceOwns)
        owned.emplace_back(base, record.bytes);
  }
  for (auto [base, bytes] : owned) {
    // Stream 0 orders the copy after the work the caller synchronized with.
    if (Result r = copyToHost(reinterpret_cast<void *>(base), base, bytes, 0);
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
