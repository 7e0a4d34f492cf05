//===- MemoryQuota.cpp - Guaranteed + burstable device memory -----------===//
#include "daemon/MemoryQuota.h"

#include <algorithm>

namespace wooly::daemon {

static uint64_t aboveGuarantee(const MemoryQuota::Account &a) {
  return a.used > a.guaranteed ? a.used - a.guaranteed : 0;
}

uint64_t MemoryQuota::burstInUse() const {
  uint64_t sum = 0;
  for (const auto &[id, a] : accounts_)
    sum += aboveGuarantee(a);
  return sum;
}

uint64_t MemoryQuota::reservedGuarantees() const {
  uint64_t sum = 0;
  for (const auto &[id, a] : accounts_)
    sum += a.guaranteed;
  return sum;
}

uint64_t MemoryQuota::tenantUsedLocked(const std::string &tenant) const {
  uint64_t sum = 0;
  for (const auto &[id, a] : accounts_)
    if (a.tenant == tenant)
      sum += a.used;
  return sum;
}

uint64_t MemoryQuota::tenantCommittedLocked(const std::string &tenant) const {
  uint64_t sum = 0;
  for (const auto &[id, a] : accounts_)
    if (a.tenant == tenant)
      sum += std::max(a.used, a.guaranteed);
  return sum;
}

void MemoryQuota::setTenantQuota(const std::string &tenant, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes == 0)
    tenantQuotas_.erase(tenant);
  else
    tenantQuotas_[tenant] = bytes;
}

uint64_t MemoryQuota::tenantQuota(const std::string &tenant) const {
  std::lock_guard lock(mutex_);
  auto it = tenantQuotas_.find(tenant);
  return it == tenantQuotas_.end() ? 0 : it->second;
}

std::map<std::string, uint64_t> MemoryQuota::tenantQuotas() const {
  std::lock_guard lock(mutex_);
  return tenantQuotas_;
}

uint64_t MemoryQuota::tenantUsed(const std::string &tenant) const {
  std::lock_guard lock(mutex_);
  return tenantUsedLocked(tenant);
}

bool MemoryQuota::open(uint64_t session, uint64_t guaranteed, uint64_t limit,
                       std::string &why, const std::string &tenant) {
  std::lock_guard lock(mutex_);
  if (limit == 0 || limit > deviceBytes_)
    limit = deviceBytes_;
  if (guaranteed > limit) {
    why = "guaranteed memory (" + std::to_string(guaranteed) +
          " bytes) exceeds the session limit (" + std::to_string(limit) + ")";
    return false;
  }
  uint64_t committed = reservedGuarantees() + burstInUse();
  if (committed + guaranteed > deviceBytes_) {
    why = "cannot guarantee " + std::to_string(guaranteed) +
          " bytes: only " + std::to_string(deviceBytes_ - committed) +
          " bytes of device memory are not reserved by other sessions";
    return false;
  }
  if (auto q = tenantQuotas_.find(tenant);
      q != tenantQuotas_.end() &&
      tenantCommittedLocked(tenant) + guaranteed > q->second) {
    why = "cannot guarantee " + std::to_string(guaranteed) +
          " bytes: tenant '" + tenant + "' has a memory quota of " +
          std::to_string(q->second) + " bytes on this server, " +
          std::to_string(tenantCommittedLocked(tenant)) +
          " of them held or guaranteed by its other sessions";
    return false;
  }
  accounts_[session] = Account{guaranteed, limit, 0, tenant};
  return true;
}

void MemoryQuota::close(uint64_t session) {
  std::lock_guard lock(mutex_);
  accounts_.erase(session);
}

uint64_t MemoryQuota::availableLocked(const Account &a) const {
  uint64_t toLimit = a.limit - a.used;
  uint64_t inGuarantee = a.used < a.guaranteed ? a.guaranteed - a.used : 0;
  uint64_t committed = reservedGuarantees() + burstInUse();
  uint64_t pool = deviceBytes_ > committed ? deviceBytes_ - committed : 0;
  uint64_t available = std::min(toLimit, inGuarantee + pool);
  // Within the tenant's quota, beside what its other sessions hold or have
  // guaranteed.
  if (auto q = tenantQuotas_.find(a.tenant); q != tenantQuotas_.end()) {
    uint64_t others = tenantCommittedLocked(a.tenant) -
                      std::max(a.used, a.guaranteed);
    uint64_t room = q->second > others + a.used ? q->second - others - a.used
                                                : 0;
    available = std::min(available, std::max(room, inGuarantee));
  }
  return available;
}

bool MemoryQuota::charge(uint64_t session, uint64_t bytes, std::string &why) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(session);
  if (it == accounts_.end()) {
    why = "no such session";
    return false;
  }
  Account &a = it->second;
  if (bytes > a.limit - a.used) {
    why = "allocating " + std::to_string(bytes) +
          " bytes would exceed this session's memory limit of " +
          std::to_string(a.limit) + " bytes (" + std::to_string(a.used) +
          " in use)";
    return false;
  }
  // The tenant's quota holds what its sessions use and what they have
  // guaranteed but not used yet (admitted within it at open).
  if (auto q = tenantQuotas_.find(a.tenant); q != tenantQuotas_.end()) {
    uint64_t before = tenantCommittedLocked(a.tenant);
    uint64_t after = before - std::max(a.used, a.guaranteed) +
                     std::max(a.used + bytes, a.guaranteed);
    if (after > before && after > q->second) {
      why = "allocating " + std::to_string(bytes) +
            " bytes would exceed the memory quota of tenant '" + a.tenant +
            "' on this server (" + std::to_string(q->second) + " bytes, " +
            std::to_string(tenantUsedLocked(a.tenant)) +
            " in use by its sessions)";
      return false;
    }
  }
  if (bytes > availableLocked(a)) {
    why = "device memory is exhausted: " + std::to_string(bytes) +
          " bytes requested, " + std::to_string(availableLocked(a)) +
          " available to this session (others hold the rest)";
    return false;
  }
  a.used += bytes;
  return true;
}

void MemoryQuota::refund(uint64_t session, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(session);
  if (it != accounts_.end())
    it->second.used -= std::min(bytes, it->second.used);
}

MemoryQuota::Account MemoryQuota::account(uint64_t session) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(session);
  return it == accounts_.end() ? Account{} : it->second;
}

uint64_t MemoryQuota::totalUsed() const {
  std::lock_guard lock(mutex_);
  uint64_t sum = 0;
  for (const auto &[id, a] : accounts_)
    sum += a.used;
  return sum;
}

uint64_t MemoryQuota::available(uint64_t session) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(session);
  return it == accounts_.end() ? 0 : availableLocked(it->second);
}

} // namespace wooly::daemon
