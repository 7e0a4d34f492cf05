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
    uint64_t used = std::min(d.memoryTotalBytes,
                             d.memoryUsedBytes + s.reservedBytes);
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
  bool vendorSeen = false;
  for (const auto &d : s.devices)
    vendorSeen |= matches(req.vendor, d.vendor);
  if (!vendorSeen)
    return "no " + req.vendor + " device (has " + listOf(s.devices, true) +
           ")";
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
  Decision d;
  d.policy = defaultPolicy;
  if (auto p = parsePolicy(req.policy))
    d.policy = *p;
  const std::string tenant = req.tenant.empty() ? "default" : req.tenant;

  std::vector<Candidate> eligible, refused;
  std::vector<const ServerView *> eligibleServers;
  for (const ServerView &s : fleet) {
    uint64_t freeBytes = 0;
    Candidate c;
    c.server = s.name;
    c.reason = filterReason(s, req, freeBytes);
    if (!c.reason.empty()) {
      refused.push_back(std::move(c));
      continue;
    }
    const ServerView::Device *dev = bestDevice(s, req, freeBytes);
    double total = static_cast<double>(std::max<uint64_t>(dev->memoryTotalBytes, 1));
    double freeAfter = static_cast<double>(freeBytes - req.memoryBytes) / total;
    double busy = std::clamp(dev->busyFraction, 0.0, 1.0);
    bool affinity = s.tenants.count(tenant) != 0;
    double sessions = static_cast<double>(s.sessions);
    if (d.policy == Policy::Spread) {
      double qw = req.priority == protocol::PriorityClass::Batch         ? 5
                  : req.priority == protocol::PriorityClass::Interactive ? 25
                                                                         : 15;
      c.score = 40 * freeAfter + 35 * (1 - busy) +
                qw / (1.0 + s.queueDepth) + 10 / (1.0 + sessions) +
                (affinity ? 5 : 0);
      if (req.priority == protocol::PriorityClass::Interactive)
        c.score += 35 * (1 - busy);
    } else {
      c.score = 60 * (1 - freeAfter) + 15 * std::min(sessions, 4.0) / 4 +
                15 * (1 - busy) + (affinity ? 10 : 0);
    }
    c.eligible = true;
    c.reason = "score " + formatFixed(c.score, 1) + ": free " +
               formatBytes(freeBytes) + " (" +
               formatFixed(100 * static_cast<double>(freeBytes) / total, 0) +
               "%), busy " + formatFixed(busy, 2) + ", queue " +
               std::to_string(s.queueDepth) + ", " +
               std::to_string(s.sessions) + " sessions" +
               (affinity ? ", tenant " + tenant + " already here" : "");
    eligible.push_back(std::move(c));
    eligibleServers.push_back(&s);
  }

  std::vector<size_t> order(eligible.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (std::abs(eligible[a].score - eligible[b].score) > 1e-9)
      return eligible[a].score > eligible[b].score;
    return eligible[a].server < eligible[b].server;
  });
  for (size_t i : order)
    d.candidates.push_back(eligible[i]);
  std::sort(refused.begin(), refused.end(),
            [](const Candidate &a, const Candidate &b) {
              return a.server < b.server;
            });

  std::string refusedText;
  for (const Candidate &c : refused)
    refusedText += (refusedText.empty() ? "" : "; ") + c.server + ": " + c.reason;

  if (order.empty()) {
    d.placed = false;
    if (fleet.empty())
      d.explanation = "no server can take this: no servers are registered "
                      "(start woolyd with --controller)";
    else
      d.explanation = "no server can take this: " + refusedText;
  } else {
    const ServerView &chosen = *eligibleServers[order.front()];
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
