//===- OperatorState.h - What operators set, carried across a restart -*- C++ -*-===//
//
// A drain and the tenants' shares and memory quotas that operators set
// (woolyd --set-share/--set-quota, the controller) live in the woolyd
// process. When woolyd replaces itself after a lost GPU context
// (daemon/Restart.h) they would be gone: a drained server would take
// sessions again, and a tenant capped to its quota would not be. So the old
// process hands them to the new one in the environment
// (kOperatorStateVariable), as one line of text.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_OPERATORSTATE_H
#define WOOLY_DAEMON_OPERATORSTATE_H

#include "runtime/exec/Executor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wooly::daemon {

inline constexpr const char *kOperatorStateVariable = "WOOLY_OPERATOR_STATE";

struct OperatorState {
  struct Tenant {
    std::string name;
    std::optional<uint32_t> weight; // none: no share set, only a quota
    std::optional<exec::PriorityClass> priority;
    uint64_t memoryQuota = 0; // 0: none
    bool operator==(const Tenant &) const = default;
  };
  bool draining = false;
  std::vector<Tenant> tenants;
  bool operator==(const OperatorState &) const = default;
};

/// "wooly-operator-state 1 d=0 t=<hex name>,<weight>,<class>,<quota> ..."
/// (weight 0: none; class 255: none).
std::string encodeOperatorState(const OperatorState &state);
/// The state, or nullopt with `error` saying what is wrong.
std::optional<OperatorState> decodeOperatorState(const std::string &text,
                                                 std::string &error);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_OPERATORSTATE_H
