//===- Placement.cpp - Choosing a server for a client ---------------------===//
#include "controller/Placement.h"

#include "controller/Format.h"

#include <algorithm>

namespace wooly::controller {

const char *policyName(Policy p) {
  return p == Policy::Binpack ? "binpack" : "spread";
}

std::optional<Policy> parsePolicy(const std::string &name) {
  if (name == "spread")
    return Policy::Spread;
  if (name == "binpack")
    return Policy::Binpack;
  return std::nullopt;
}

namespace {

bool matches(const std::string &want, const std::string &have) {
  return want.empty() || want == have;
}

/// The device a session would land on: among matching devices, the one with
/// the most free memory.
const ServerView::Device *bestDevice(const ServerView &s,
                                     const protocol::PlacementRequestMsg &req,
                                     uint64_t &freeBytes) {
  const ServerView::Device *best = nullptr;
  freeBytes = 0;
  for (const auto &d : s.devices) {
    if (!matches(req.vendor, d.vendor) || !matches(req.arch, d.arch))
      continue;
    uint64_t used =
        std::min(d.memoryTotalBytes, d.memoryUsedBytes + s.reservedBytes);
    uint64_t free = d.memoryTotalBytes - used;
    if (!best || free > freeBytes) {
      best = &d;
      freeBytes = free;
    }
  }
  return best;
}

std::string listOf(const std::vector<ServerView::Device> &devices,
                   bool vendor) {
  std::set<std::string> names;
  for (const auto &d : devices)
    names.insert(vendor ? d.vendor : d.arch);
  std::string out;
  for (const auto &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

/// Returns the reason `s` cannot take `req`, or "" if it can.
std::string filterReason(const ServerView &s,
                         const protocol::PlacementRequestMsg &req,
                         uint64_t &freeBytes) {
  if (!s.up)
    return "down (no heartbeat for " +
           formatFixed(static_cast<double>(s.msSinceHeartbeat) / 1000.0, 1) +
           " s)";
  if (s.draining)
    return "draining";
  if (s.restarting)
    return "restarting (an operator's woolyd --restart waits for its "
           "sessions to end)";
  if (!req.avoid.empty() && s.name == req.avoid)
    return "avoided by the client (restarting or not answering there)";
  bool vendorSeen = false;
  for (const auto &d : s.devices)
    vendorSeen |= matches(req.vendor, d.vendor);
  if (!vendorSeen)
    return "no " + req.vendor + " device (has " + listOf(s.devices, true) + ")";
  if (!bestDevice(s, req, freeBytes))
    return "no device of arch " + req.arch + " (has " +
           listOf(s.devices, false) + ")";
  if (freeBytes < req.memoryBytes)
    return "not enough free memory (needs " + formatBytes(req.memoryBytes) +
           ", has " + formatBytes(freeBytes) + ")";
  return "";
}

} // namespace

Decision decidePlacement(const std::vector<ServerView> &fleet,
                         const protocol::PlacementRequestMsg &req,
                         Policy defaultPolicy) {
  std::vector<const ServerView *> pointers;
  pointers.reserve(fleet.size());
  for (const ServerView &s : fleet)
    pointers.push_back(&s);
  return decidePlacement(pointers, req, defaultPolicy);
}

Decision decidePlacement(const std::vector<const ServerView *> &fleet,
                         const protocol::PlacementRequestMsg &req,
                         Policy defaultPolicy) {
  Decision d;
  d.policy = defaultPolicy;
  if (auto p = parsePolicy(req.policy))
    d.policy = *p;
  const std::string tenant = req.tenant.empty() ? "default" : req.tenant;

  // Score first (cheap), then write out the ingredients only for the few
  // best: with a thousand servers the text is most of the cost, and below
  // the top few "lower score" plus the number says enough.
  struct Scored {
    const ServerView *server;
    const ServerView::Device *device;
    uint64_t freeBytes;
    double score;
    bool affinity;
  };
  std::vector<Scored> scored;
  std::vector<Candidate> refused;
  scored.reserve(fleet.size());
  for (const ServerView *sp : fleet) {
    const ServerView &s = *sp;
    uint64_t freeBytes = 0;
    std::string why = filterReason(s, req, freeBytes);
    if (!why.empty()) {
      refused.push_back({s.name, false, 0, std::move(why)});
      continue;
    }
    const ServerView::Device *dev = bestDevice(s, req, freeBytes);
    double total =
        static_cast<double>(std::max<uint64_t>(dev->memoryTotalBytes, 1));
    double freeAfter = static_cast<double>(freeBytes - req.memoryBytes) / total;
    double busy = std::clamp(dev->busyFraction, 0.0, 1.0);
    bool affinity = s.tenants.count(tenant) != 0;
    double sessions = static_cast<double>(s.sessions);
    double score;
    if (d.policy == Policy::Spread) {
      double qw = req.priority == protocol::PriorityClass::Batch         ? 5
                  : req.priority == protocol::PriorityClass::Interactive ? 25
                                                                         : 15;
      score = 40 * freeAfter + 35 * (1 - busy) + qw / (1.0 + s.queueDepth) +
              10 / (1.0 + sessions) + (affinity ? 5 : 0);
      if (req.priority == protocol::PriorityClass::Interactive)
        score += 35 * (1 - busy);
    } else {
      score = 60 * (1 - freeAfter) + 15 * std::min(sessions, 4.0) / 4 +
              15 * (1 - busy) + (affinity ? 10 : 0);
    }
    scored.push_back({&s, dev, freeBytes, score, affinity});
  }
  auto better = [](const Scored &a, const Scored &b) {
    if (std::abs(a.score - b.score) > 1e-9)
      return a.score > b.score;
    return a.server->name < b.server->name;
  };
  std::sort(scored.begin(), scored.end(), better);

  constexpr size_t kDetailed = 5;
  d.candidates.reserve(fleet.size());
  for (size_t i = 0; i < scored.size(); ++i) {
    const Scored &e = scored[i];
    Candidate c{e.server->name, true, e.score, "lower score"};
    if (i < kDetailed) {
      double total = static_cast<double>(
          std::max<uint64_t>(e.device->memoryTotalBytes, 1));
      c.reason =
          "score " + formatFixed(e.score, 1) + ": free " +
          formatBytes(e.freeBytes) + " (" +
          formatFixed(100 * static_cast<double>(e.freeBytes) / total, 0) +
          "%), busy " +
          formatFixed(std::clamp(e.device->busyFraction, 0.0, 1.0), 2) +
          ", queue " + std::to_string(e.server->queueDepth) + ", " +
          std::to_string(e.server->sessions) + " sessions" +
          (e.affinity ? ", tenant " + tenant + " already here" : "");
    }
    d.candidates.push_back(std::move(c));
  }
  std::sort(refused.begin(), refused.end(),
            [](const Candidate &a, const Candidate &b) {
              return a.server < b.server;
            });

  // The one-line text names at most a dozen refusals; the candidate list
  // (API) has them all.
  constexpr size_t kNamedRefusals = 12;
  std::string refusedText;
  for (size_t i = 0; i < refused.size() && i < kNamedRefusals; ++i)
    refusedText += (refusedText.empty() ? "" : "; ") + refused[i].server +
                   ": " + refused[i].reason;
  if (refused.size() > kNamedRefusals)
    refusedText += "; and " + std::to_string(refused.size() - kNamedRefusals) +
                   " more (see /api/v1/placements)";

  if (scored.empty()) {
    d.placed = false;
    if (fleet.empty())
      d.explanation = "no server can take this: no servers are registered "
                      "(start woolyd with --controller)";
    else
      d.explanation = "no server can take this: " + refusedText;
  } else {
    const ServerView &chosen = *scored.front().server;
    d.placed = true;
    d.server = chosen.name;
    d.endpoint = chosen.endpoint;
    d.publicKey = chosen.publicKey;
    d.explanation = std::string(policyName(d.policy)) + ": " + chosen.name +
                    " has the best " + d.candidates.front().reason;
    if (d.candidates.size() > 1)
      d.explanation += "; runner-up " + d.candidates[1].server + " " +
                       formatFixed(d.candidates[1].score, 1);
    if (!refusedText.empty())
      d.explanation += "; filtered out: " + refusedText;
  }
  for (Candidate &c : refused)
    d.candidates.push_back(std::move(c));
  return d;
}

} // namespace wooly::controller
