//===- PriorityNames.h - Priority classes as spelled -------*- C++ -*-===//
//
// The names of the WOOLY_PRIORITY variable, `woolyd --status` and
// `woolyd --set-share`.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_PRIORITYNAMES_H
#define WOOLY_DAEMON_PRIORITYNAMES_H

#include "runtime/exec/Executor.h"

#include <optional>
#include <string_view>

namespace wooly::daemon {

inline const char *priorityClassName(exec::PriorityClass p) {
  switch (p) {
  case exec::PriorityClass::BestEffort:
    return "best-effort";
  case exec::PriorityClass::Normal:
    return "normal";
  case exec::PriorityClass::LatencySensitive:
    return "latency-sensitive";
  }
  return "normal";
}

inline std::optional<exec::PriorityClass>
parsePriorityClass(std::string_view name) {
  for (auto p : {exec::PriorityClass::BestEffort, exec::PriorityClass::Normal,
                 exec::PriorityClass::LatencySensitive})
    if (name == priorityClassName(p))
      return p;
  return std::nullopt;
}

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_PRIORITYNAMES_H
