//===- ServerOperators.cpp - Operators' requests to the server core ------===//
//
// Who may operate (an operator key with CURVE, this machine without), and
// what operators change while sessions run: tenants' and sessions' shares,
// tenants' memory quotas, the drain, an in-place restart, and the state
// carried across a restart (daemon/OperatorState.h).
//
//===----------------------------------------------------------------------===//
#include "daemon/LocalPeer.h"
#include "daemon/OperatorState.h"
#include "daemon/PriorityNames.h"
#include "daemon/ServerImpl.h"
#include "runtime/protocol/ControllerMessages.h"

#include <cstdio>

namespace wooly::daemon {

/// A property ZeroMQ keeps of the connection a frame came on, "" where it
/// has none (no ZAP handler: no User-Id; inproc: no metadata at all).
static std::string connectionProperty(zmq::message_t &frame, const char *name) {
  try {
    const char *value = frame.gets(name);
    return value ? value : "";
  } catch (const zmq::error_t &) {
    return "";
  }
}

std::string Server::Impl::peerUser(zmq::message_t &frame) {
  return connectionProperty(frame, "User-Id");
}

bool Server::Impl::isAdmin(zmq::message_t &frame) const {
  if (server.options_.curve)
    return peerUser(frame) == kAdminUser;
  // Without CURVE nobody is authenticated: whoever reaches the endpoint
  // from this machine (an ipc:// socket's file permissions, loopback, the
  // same process) is trusted with it, shares and every session's status
  // included; a peer elsewhere on the network (--insecure) is not.
  return isLocalPeer(server.options_.listen, peerAddress(frame));
}

std::string Server::Impl::peerAddress(zmq::message_t &frame) {
  return connectionProperty(frame, "Peer-Address");
}

void Server::Impl::setShareAdmin(const std::string &rid, const proto::Header &h,
                                 proto::ByteReader &r, bool admin) {
  uint8_t target = r.get<uint8_t>("target");
  std::string tenant = r.getString("tenant", 256);
  uint64_t session = r.get<uint64_t>("session");
  uint32_t weight = r.get<uint32_t>("weight");
  uint32_t cls = r.get<uint32_t>("priority");
  r.expectEnd();
  if (!admin)
    return refuseNonOperator(rid, h, "changing shares");
  if (target > 1 || (weight == 0 && target != 0) || weight > 1000 ||
      (cls > 2 && cls != proto::kKeepPriority) ||
      (target == 0 && tenant.empty()) || (target == 1 && session == 0))
    return replyError(rid, h, WireCode::InvalidValue,
                      "a share is a tenant or session, a weight 1..1000 and "
                      "optionally a priority class (weight 0: a tenant's "
                      "share cleared)");
  if (weight == 0) {
    uint32_t changed = uint32_t(server.clearTenantShare(tenant));
    if (server.options_.verbose)
      fprintf(stderr,
              "woolyd: operator cleared the share of tenant '%s' (%u "
              "sessions back to their own)\n",
              tenant.c_str(), changed);
    Reply reply;
    reply.fields.put<uint32_t>(changed);
    return sendReply(router, rid, h, reply);
  }
  std::optional<exec::PriorityClass> priority;
  if (cls != proto::kKeepPriority)
    priority = static_cast<exec::PriorityClass>(cls);
  uint32_t changed = 0;
  if (target == 0) {
    changed = uint32_t(server.setTenantShare(tenant, weight, priority));
  } else {
    if (!server.setShare(session, weight, priority))
      return replyError(rid, h, WireCode::NotFound,
                        "no session " + std::to_string(session) +
                            " (`woolyd --status` lists them)");
    changed = 1;
  }
  if (server.options_.verbose)
    fprintf(stderr,
            "woolyd: operator set the share of %s to weight %u%s%s "
            "(%u sessions now)\n",
            target == 0 ? ("tenant '" + tenant + "'").c_str()
                        : ("session " + std::to_string(session)).c_str(),
            weight, priority ? ", " : "",
            priority ? priorityClassName(*priority) : "", changed);
  Reply reply;
  reply.fields.put<uint32_t>(changed);
  sendReply(router, rid, h, reply);
}

void Server::Impl::setQuotaAdmin(const std::string &rid, const proto::Header &h,
                                 proto::ByteReader &r, bool admin) {
  std::string tenant = r.getString("tenant", 256);
  uint64_t bytes = r.get<uint64_t>("bytes");
  r.expectEnd();
  if (!admin)
    return refuseNonOperator(rid, h, "changing memory quotas");
  if (tenant.empty())
    return replyError(rid, h, WireCode::InvalidValue,
                      "a memory quota is for a tenant");
  server.setTenantMemoryQuota(tenant, bytes);
  uint64_t used = quota->tenantUsed(tenant);
  if (server.options_.verbose)
    fprintf(stderr,
            "woolyd: operator set the memory quota of tenant '%s' to %llu "
            "bytes (0: none; %llu in use)\n",
            tenant.c_str(), (unsigned long long)bytes,
            (unsigned long long)used);
  Reply reply;
  reply.fields.put<uint64_t>(used);
  sendReply(router, rid, h, reply);
}

void Server::Impl::restartAdmin(const std::string &rid, const proto::Header &h,
                                proto::ByteReader &r, bool admin) {
  uint32_t graceMs = r.get<uint32_t>("grace");
  r.expectEnd();
  if (!admin)
    return refuseNonOperator(rid, h, "restarting woolyd");
  if (graceMs > protocol::kMaxRestartGraceMs)
    return replyError(rid, h, WireCode::InvalidValue,
                      "the grace period of a restart is at most an hour");
  size_t open = 0;
  if (std::string why = server.requestRestart(graceMs, "an operator", open);
      !why.empty())
    return replyError(rid, h, WireCode::NotSupported, why);
  Reply reply;
  reply.fields.put<uint32_t>(uint32_t(open));
  sendReply(router, rid, h, reply);
}

size_t Server::setTenantShare(const std::string &tenant, uint32_t weight,
                              std::optional<exec::PriorityClass> cls) {
  std::lock_guard lock(impl_->sessionsMutex);
  Impl::TenantShare &share = impl_->tenantShares[tenant];
  share.weight = weight;
  if (cls)
    share.priority = cls;
  size_t changed = 0;
  for (auto &[rid, w] : impl_->workers)
    if (w->session && w->session->tenant() == tenant) {
      w->session->setShare(weight, share.priority
                                       ? *share.priority
                                       : w->session->usage().priority);
      ++changed;
    }
  return changed;
}

size_t Server::clearTenantShare(const std::string &tenant) {
  std::lock_guard lock(impl_->sessionsMutex);
  impl_->tenantShares.erase(tenant);
  size_t changed = 0;
  for (auto &[rid, w] : impl_->workers)
    if (w->session && w->session->tenant() == tenant) {
      w->session->setShare(w->askedWeight, w->askedPriority);
      ++changed;
    }
  return changed;
}

void Server::setTenantMemoryQuota(const std::string &tenant, uint64_t bytes) {
  impl_->quota->setTenantQuota(tenant.empty() ? "default" : tenant, bytes);
}

void Server::setDraining(bool draining) { impl_->draining = draining; }

std::string Server::requestRestart(uint32_t graceMs, const char *asker,
                                   size_t &open) {
  open = 0;
  if (!options_.restartCheck)
    return "this server runs inside a program and cannot restart itself";
  if (std::string why = options_.restartCheck(); !why.empty())
    return "cannot restart: " + why + " (still serving)";
  int64_t now = nowMs();
  // A second request keeps the first one's start but may shorten the wait.
  // The deadline goes first: restartDue() reads the two without a lock.
  int64_t deadline = now + graceMs, current = impl_->restartDeadline;
  while ((current == 0 || deadline < current) &&
         !impl_->restartDeadline.compare_exchange_weak(current, deadline)) {
  }
  int64_t asked = 0;
  impl_->restartAskedAt.compare_exchange_strong(asked, now);
  open = sessionCount();
  if (open)
    fprintf(stderr,
            "woolyd: %s asked for a restart: new sessions wait for it; %zu "
            "open session%s may run for %.1f s more\n",
            asker, open, open == 1 ? "" : "s", graceMs / 1000.0);
  else
    fprintf(stderr,
            "woolyd: %s asked for a restart: no session is open, restarting "
            "now\n",
            asker);
  return "";
}

void Server::cancelRestart() {
  impl_->restartAskedAt = 0;
  impl_->restartDeadline = 0;
}

std::string Server::restartDue() const {
  int64_t asked = impl_->restartAskedAt;
  if (!asked)
    return "";
  size_t open = sessionCount();
  if (open == 0)
    return "an operator asked for a restart and every session has ended";
  int64_t deadline = impl_->restartDeadline;
  if (deadline == 0 || nowMs() < deadline)
    return "";
  return "an operator asked for a restart and its grace period ended (" +
         std::to_string(open) + " session" + (open == 1 ? "" : "s") +
         " still open: their programs get an error)";
}

OperatorState Server::operatorState() const {
  OperatorState state;
  state.draining = impl_->draining;
  std::map<std::string, OperatorState::Tenant> tenants;
  {
    std::lock_guard lock(impl_->sessionsMutex);
    for (const auto &[name, share] : impl_->tenantShares) {
      tenants[name].weight = share.weight;
      tenants[name].priority = share.priority;
    }
  }
  for (const auto &[name, bytes] : impl_->quota->tenantQuotas())
    tenants[name].memoryQuota = bytes;
  for (auto &[name, t] : tenants) {
    t.name = name;
    state.tenants.push_back(std::move(t));
  }
  return state;
}

void Server::applyOperatorState(const OperatorState &state) {
  setDraining(state.draining);
  for (const OperatorState::Tenant &t : state.tenants) {
    if (t.weight)
      setTenantShare(t.name, *t.weight, t.priority);
    setTenantMemoryQuota(t.name, t.memoryQuota);
  }
}

bool Server::setShare(uint64_t session, uint32_t weight,
                      std::optional<exec::PriorityClass> cls) {
  std::lock_guard lock(impl_->sessionsMutex);
  for (auto &[rid, w] : impl_->workers)
    if (w->session && w->session->id() == session) {
      w->session->setShare(weight, cls.value_or(w->session->usage().priority));
      return true;
    }
  return false;
}

} // namespace wooly::daemon
