//===- MemoryQuota.h - Guaranteed + burstable device memory per session ---===//
//
// The daemon's exact account of device memory, in the style of Run:ai's GPU
// fractions: each session has a guaranteed amount (reserved when the session
// starts, so it can always be allocated) and a burstable limit. Bytes above a
// session's guarantee come from a shared pool: device memory minus every
// session's guarantee. An operator may also cap a tenant: all of its
// sessions together hold at most its quota (the controller's per-tenant
// memoryQuota). Every allocation and free goes through here, so the numbers
// are exact, not sampled.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_MEMORYQUOTA_H
#define WOOLY_DAEMON_MEMORYQUOTA_H

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace wooly::daemon {

class MemoryQuota {
public:
  explicit MemoryQuota(uint64_t deviceBytes) : deviceBytes_(deviceBytes) {}

  struct Account {
    uint64_t guaranteed = 0;
    uint64_t limit = 0;
    uint64_t used = 0;
    std::string tenant;
  };

  /// Registers a session of `tenant`. Fails (with a reason) when the
  /// guarantee cannot be reserved because other sessions' guarantees and
  /// bursts already hold it, or would not fit in the tenant's quota beside
  /// its other sessions' guarantees.
  bool open(uint64_t session, uint64_t guaranteed, uint64_t limit,
            std::string &why, const std::string &tenant = {});

  /// Caps what the sessions of `tenant` hold together (0: no cap). Takes
  /// effect at their next allocation; what they hold stays theirs.
  void setTenantQuota(const std::string &tenant, uint64_t bytes);
  /// The tenant's cap (0: none) and what its sessions hold now.
  uint64_t tenantQuota(const std::string &tenant) const;
  uint64_t tenantUsed(const std::string &tenant) const;
  /// Every tenant with a cap, and the cap.
  std::map<std::string, uint64_t> tenantQuotas() const;
  /// Releases everything the session holds.
  void close(uint64_t session);

  /// Charges `bytes` to the session, or says why not.
  bool charge(uint64_t session, uint64_t bytes, std::string &why);
  void refund(uint64_t session, uint64_t bytes);

  Account account(uint64_t session) const;
  uint64_t deviceBytes() const { return deviceBytes_; }
  uint64_t totalUsed() const;
  /// Bytes the session could still allocate right now.
  uint64_t available(uint64_t session) const;

private:
  uint64_t burstInUse() const; // bytes used above guarantees, all sessions
  uint64_t reservedGuarantees() const;
  uint64_t availableLocked(const Account &a) const;
  /// What the tenant's sessions hold, or have guaranteed, if more.
  uint64_t tenantCommittedLocked(const std::string &tenant) const;
  uint64_t tenantUsedLocked(const std::string &tenant) const;

  uint64_t deviceBytes_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Account> accounts_;
  std::map<std::string, uint64_t> tenantQuotas_;
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_MEMORYQUOTA_H
