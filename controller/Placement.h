//===- Placement.h - Choosing a server for a client -------------*- C++ -*-===//
//
// Placement is a pure function over a snapshot of the fleet, so it can be
// tested on constructed fleets. Two steps:
//
// 1. Filter: a server is eligible if it is up (heartbeats arriving), not
//    draining, not restarting (an operator's woolyd --restart waiting for
//    its sessions), not the one the request avoids (a client that found it
//    restarting or silent asks again without it), has a device of the
//    requested vendor/arch, and that device has at least the requested
//    memory free (free = total - used - memory reserved by placements the
//    server's telemetry does not show yet).
// 2. Score (0..100, higher wins; ties go to the lexically smaller name so
//    decisions are reproducible):
//      spread  (default)  40 * free-memory fraction after placement
//                       + 35 * (1 - busy fraction)
//                       + qw * 1/(1 + queue depth)       qw: batch 5,
//                                                         normal 15,
//                                                         interactive 25
//                       + 10 * 1/(1 + sessions)
//                       + 5 if the tenant already runs there (affinity)
//      binpack            60 * used-memory fraction after placement
//                       + 15 * min(sessions, 4) / 4
//                       + 15 * (1 - busy fraction)
//                       + 10 if the tenant already runs there
//    For interactive requests spread doubles the busy term's weight in
//    the ranking by adding another 35 * (1 - busy) (it is what they feel).
//
// Every decision lists every server with its score or the reason it was
// filtered out; a refusal reads "no server can take this: <reasons>".
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_CONTROLLER_PLACEMENT_H
#define WOOLY_CONTROLLER_PLACEMENT_H

#include "runtime/protocol/ControllerMessages.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wooly::controller {

enum class Policy { Spread, Binpack };
const char *policyName(Policy p);
std::optional<Policy> parsePolicy(const std::string &name);

/// What placement needs to know about one server.
struct ServerView {
  struct Device {
    std::string vendor;
    std::string arch;
    uint64_t memoryTotalBytes = 0;
    uint64_t memoryUsedBytes = 0;
    double busyFraction = 0;
  };
  std::string name;
  std::string endpoint;
  std::string publicKey;
  bool up = true;
  bool draining = false;
  bool restarting = false; // woolyd --restart waits for its sessions
  uint64_t msSinceHeartbeat = 0;
  std::vector<Device> devices;
  uint64_t reservedBytes = 0; // placed recently, not yet in telemetry
  uint32_t queueDepth = 0;
  size_t sessions = 0;
  std::set<std::string> tenants;
};

struct Candidate {
  std::string server;
  bool eligible = false;
  double score = 0;
  std::string reason; // why filtered out, or the score's ingredients
};

struct Decision {
  bool placed = false;
  std::string server; // when placed
  std::string endpoint;
  std::string publicKey;
  Policy policy = Policy::Spread;
  std::string explanation;
  /// Best first, then the filtered ones. The five best carry their score's
  /// ingredients; the other eligible ones say "lower score".
  std::vector<Candidate> candidates;
};

Decision decidePlacement(const std::vector<const ServerView *> &fleet,
                         const protocol::PlacementRequestMsg &request,
                         Policy defaultPolicy);
Decision decidePlacement(const std::vector<ServerView> &fleet,
                         const protocol::PlacementRequestMsg &request,
                         Policy defaultPolicy);

} // namespace wooly::controller

#endif // WOOLY_CONTROLLER_PLACEMENT_H
