//===- MemoryQuota.h - Guaranteed + burstable device memory per session ---===//
//
// The daemon's exact account of device memory, in the style of Run:ai's GPU
// fractions: each session has a guaranteed amount (reserved when the session
// starts, so it can always be allocated) and a burstable limit. Bytes above a
// session's guarantee come from a shared pool: device memory minus every
// session's guarantee. Every allocation and free goes through here, so the
// numbers are exact, not sampled.
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
  };

  /// Registers a session. Fails (with a reason) when the guarantee cannot be
  /// reserved because other sessions' guarantees and bursts already hold it.
  bool open(uint64_t session, uint64_t guaranteed, uint64_t limit,
            std::string &why);
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

  uint64_t deviceBytes_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Account> accounts_;
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_MEMORYQUOTA_H
