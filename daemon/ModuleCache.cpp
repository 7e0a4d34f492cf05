//===- ModuleCache.cpp - Verify and compile each WIS module once --------===//
#include "daemon/ModuleCache.h"

#include <sodium.h>

namespace wooly::daemon {

Sha256 sha256(std::span<const uint8_t> bytes) {
  Sha256 out;
  crypto_hash_sha256(out.data(), bytes.data(), bytes.size());
  return out;
}

std::string toHex(const Sha256 &hash) {
  static const char *digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

exec::Status ModuleCache::load(exec::Context &context,
                               std::span<const uint8_t> wis,
                               exec::ModuleId &out) {
  Sha256 key = sha256(wis);
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // First request: compile outside the lock so other modules proceed.
    entries_[key] = Entry{};
    ++counters_.compiles;
    lock.unlock();
    exec::Status status = context.loadModule(wis, out);
    lock.lock();
    Entry &entry = entries_[key];
    if (status) {
      entry.state = Entry::Ready;
      settled_.push_back(key);
    } else if (status.code == exec::ErrorCode::CompileError) {
      entry.state = Entry::Failed;
      entry.failure = status;
      settled_.push_back(key);
    } else {
      // Not a property of the module (out of memory, device gone): let the
      // next request try again.
      entries_.erase(key);
    }
    trim();
    changed_.notify_all();
    return status;
  }
  changed_.wait(lock, [&] {
    auto e = entries_.find(key);
    return e == entries_.end() || e->second.state != Entry::Compiling;
  });
  it = entries_.find(key);
  if (it != entries_.end() && it->second.state == Entry::Failed) {
    ++counters_.rejected;
    return it->second.failure;
  }
  ++counters_.hits;
  lock.unlock();
  return context.loadModule(wis, out);
}

void ModuleCache::trim() {
  // Only settled entries are in settled_, and an entry leaves the map only
  // here or before it settles: the front is always in the map, settled.
  while (settled_.size() > capacity_) {
    entries_.erase(settled_.front());
    settled_.pop_front();
  }
}

size_t ModuleCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

ModuleCache::Counters ModuleCache::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

} // namespace wooly::daemon
