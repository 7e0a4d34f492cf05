//===- OperatorClient.h - An operator's requests to woolyd --*- C++ -*-===//
//
// What `woolyd --status`, `--set-share`, `--set-session-share`,
// `--set-quota` and `--restart` send: one request on a fresh connection,
// its answer or a message that says why there is none (5 s at most).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_OPERATORCLIENT_H
#define WOOLY_DAEMON_OPERATORCLIENT_H

#include "runtime/exec/Executor.h"

#include <cstdint>
#include <optional>
#include <string>

namespace wooly::daemon {

/// Sends a Status request to the server at `url` and returns its JSON. With
/// a `keysDir`, over CURVE with its operator key (admin.key) if it has one,
/// which sees every session, else its client key, which sees the sessions
/// opened with that key. False with `error` set on failure, or when no
/// answer comes within `timeoutMs`.
bool queryStatus(const std::string &url, const std::string &keysDir,
                 std::string &json, std::string &error, int timeoutMs = 5000);

/// Whose share an operator changes: every session of a tenant (and its later
/// ones), or one session.
struct ShareTarget {
  std::string tenant; // empty: `session`
  uint64_t session = 0;
};

/// Sends SetShareAdmin to the server at `url` (CURVE operator keys,
/// admin.key, from `keysDir` when not empty); `changed` is how many sessions
/// got the new share. Weight 0 for a tenant clears its share. False with `error` set on failure or refusal.
bool setShare(const std::string &url, const std::string &keysDir,
              const ShareTarget &target, uint32_t weight,
              std::optional<exec::PriorityClass> priority, uint32_t &changed,
              std::string &error);

/// Sends SetQuotaAdmin to the server at `url` (keys as for setShare):
/// `tenant`'s sessions hold at most `bytes` together (0: no cap); `used` is
/// what they hold now. False with `error` set on failure or refusal.
bool setTenantQuota(const std::string &url, const std::string &keysDir,
                    const std::string &tenant, uint64_t bytes, uint64_t &used,
                    std::string &error);

/// Sends RestartAdmin to the server at `url` (keys as for setShare): it
/// replaces itself with a new process on the same endpoint once its
/// sessions end, or after `graceMs` at the latest; `open` is how many
/// sessions it waits for. False with `error` set on failure or refusal.
bool requestRestart(const std::string &url, const std::string &keysDir,
                    uint32_t graceMs, uint32_t &open, std::string &error);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_OPERATORCLIENT_H
