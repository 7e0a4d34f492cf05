//===- Server.cpp - The woolyd server core -------------------------------===//
//
// The ROUTER endpoint, sessions and their workers, Hello, the reaper, the
// ZAP handler and telemetry. Operators' requests: ServerOperators.cpp.
//
//===----------------------------------------------------------------------===//
#include "daemon/OperatorState.h"
#include "daemon/ServerImpl.h"
#include "daemon/StatusJson.h"
#include "runtime/protocol/Ipv6.h"

#include <cerrno>
#include <cstdio>
#include <pthread.h>
#include <unistd.h>

namespace wooly::daemon {

/// Frames of one reply, ready for the ROUTER: [routing id][header][payload][bulk?]
void sendReply(zmq::socket_t &socket, const std::string &rid,
               const proto::Header &request, Reply &reply) {
  proto::ByteWriter payload;
  payload.put<uint32_t>(static_cast<uint32_t>(reply.code));
  payload.putString(reply.message);
  auto &fields = reply.fields.bytes();
  payload.bytes().insert(payload.bytes().end(), fields.begin(), fields.end());
  auto &out = payload.bytes();
  proto::Header h;
  h.type = request.type;
  h.seq = request.seq;
  h.reply = true;
  h.payloadLength = uint32_t(out.size());
  h.bulkFrames = reply.bulk ? 1 : 0;
  uint8_t header[proto::kHeaderSize];
  h.encode(header);
  socket.send(zmq::buffer(rid), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(header, sizeof header), zmq::send_flags::sndmore);
  if (!reply.bulk) {
    socket.send(zmq::buffer(out), zmq::send_flags::none);
    return;
  }
  socket.send(zmq::buffer(out), zmq::send_flags::sndmore);
  socket.send(*reply.bulk, zmq::send_flags::none);
}

/// Names the calling thread (at most 15 characters) for `top -H`, perf and
/// scheduler traces: the server runs inside client programs too (embedded),
/// where its threads would otherwise carry the program's name.
static void nameThread(const char *name) {
  pthread_setname_np(pthread_self(), name);
}

void Worker::run(zmq::context_t &context, const std::string &replyEndpoint,
                 bool verbose) {
  nameThread("woolyd-session");
  zmq::socket_t out(context, zmq::socket_type::push);
  out.set(zmq::sockopt::linger, 0);
  out.connect(replyEndpoint);
  for (;;) {
    Request req;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return !queue.empty(); });
      req = std::move(queue.front());
      queue.pop_front();
    }
    if (req.stop)
      break;
    busy = true;
    Reply reply;
    try {
      proto::ByteReader r(std::span<const uint8_t>(
          static_cast<const uint8_t *>(req.payload->data()),
          req.payload->size()));
      Bulk bulk;
      if (req.bulk)
        bulk = Bulk{
            {static_cast<const uint8_t *>(req.bulk->data()), req.bulk->size()},
            req.bulk};
      if (req.header.type == uint16_t(MsgType::Batch))
        reply = session->handleBatch(req.header, req.payload, verbose);
      else
        reply = session->handle(req.header, r, bulk);
    } catch (const proto::DecodeError &e) {
      reply = Reply::error(WireCode::ProtocolError,
                           std::string("malformed ") +
                               proto::msgTypeName(req.header.type) + ": " +
                               e.what());
    } catch (const std::exception &e) {
      reply = Reply::error(WireCode::Internal, e.what());
    }
    if (verbose && reply.code != WireCode::Success)
      fprintf(stderr, "woolyd: session %llu: %s: %s\n",
              (unsigned long long)session->id(),
              proto::msgTypeName(req.header.type), reply.message.c_str());
    if (!(req.header.flags & proto::FlagAsync))
      sendReply(out, rid, req.header, reply);
    // A long request is not silence: the clock starts when it is done.
    lastSeen = nowMs();
    busy = false;
  }
  session.reset(); // frees the context and the quota
  finished = true;
}

exec::Status Server::start(std::shared_ptr<zmq::context_t> context,
                           exec::Executor &executor, ServerOptions options,
                           std::unique_ptr<Server> &out) {
  std::unique_ptr<Server> server(new Server);
  server->context_ = std::move(context);
  server->executor_ = &executor;
  server->options_ = std::move(options);
  server->impl_ = std::make_unique<Impl>(*server);
  Impl &impl = *server->impl_;
  impl.quota = std::make_unique<MemoryQuota>(executor.info().totalMemory);
  static std::atomic<uint64_t> instance{0};
  impl.replyEndpoint = "inproc://wooly-daemon-replies-" +
                       std::to_string(getpid()) + "-" +
                       std::to_string(instance++);
  try {
    impl.replies = zmq::socket_t(*server->context_, zmq::socket_type::pull);
    impl.replies.bind(impl.replyEndpoint);
    impl.router = zmq::socket_t(*server->context_, zmq::socket_type::router);
    impl.router.set(zmq::sockopt::linger, 0);
    impl.router.set(zmq::sockopt::ipv6,
                    protocol::endpointUsesIpv6(server->options_.listen));
    impl.router.set(zmq::sockopt::maxmsgsize,
                    int64_t(server->options_.limits.maxModuleBytes + (1 << 20)));
    impl.router.set(zmq::sockopt::sndhwm, 0);
    impl.router.set(zmq::sockopt::rcvhwm, 0);
    if (server->options_.curve) {
      // The ZAP handler must be bound before the socket that uses it.
      zmq::socket_t zap(*server->context_, zmq::socket_type::rep);
      zap.bind("inproc://zeromq.zap.01");
      impl.zap = std::thread(&Impl::zapLoop, &impl, std::move(zap));
      impl.router.set(zmq::sockopt::curve_server, 1);
      impl.router.set(zmq::sockopt::curve_secretkey,
                      server->options_.curve->serverSecret);
      impl.router.set(zmq::sockopt::zap_domain, "wooly");
    }
    impl.router.bind(server->options_.listen);
    server->endpoint_ = impl.router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t &e) {
    impl.stopping = true;
    impl.stopZap(*server->context_);
    std::string hint =
        e.num() == ENODEV
            ? " (ZeroMQ binds an IP address, an interface name or *, not a "
              "host name: e.g. tcp://127.0.0.1:7701, tcp://[::1]:7701, "
              "tcp://*:7701)"
            : "";
    return exec::Status::error(exec::ErrorCode::InvalidValue,
                               "cannot listen on '" +
                                   server->options_.listen + "': " + e.what() +
                                   hint);
  }
  executor.busyFraction(); // the first interval starts here
  impl.io = std::thread(&Impl::ioLoop, &impl);
  impl.telemetry = std::thread(&Impl::telemetryLoop, &impl);
  out = std::move(server);
  return exec::Status::ok();
}

Server::~Server() {
  if (!impl_)
    return;
  impl_->stopping = true;
  impl_->telemetryWake.notify_all();
  if (impl_->io.joinable())
    impl_->io.join();
  if (impl_->telemetry.joinable())
    impl_->telemetry.join();
  impl_->stopZap(*context_);
}

void Server::Impl::stopZap(zmq::context_t &context) {
  if (!zap.joinable())
    return;
  // The REP socket belongs to its thread: wake it with a dummy request.
  zmq::socket_t poke(context, zmq::socket_type::req);
  poke.set(zmq::sockopt::linger, 0);
  poke.connect("inproc://zeromq.zap.01");
  poke.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  zap.join();
}

void Server::Impl::ioLoop() {
  nameThread("woolyd-io");
  // Workers connect to `replies` from their own threads.
  zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0},
                             {replies.handle(), 0, ZMQ_POLLIN, 0}};
  int64_t lastReap = nowMs();
  while (!stopping) {
    zmq::poll(items, 2, std::chrono::milliseconds(100));
    // Replies first: they unblock clients.
    for (int i = 0; i < 256 && (items[1].revents & ZMQ_POLLIN); ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(replies, std::back_inserter(frames),
                               zmq::recv_flags::dontwait))
        break;
      for (size_t f = 0; f < frames.size(); ++f)
        router.send(frames[f], f + 1 < frames.size() ? zmq::send_flags::sndmore
                                                     : zmq::send_flags::none);
    }
    for (int i = 0; i < 256 && (items[0].revents & ZMQ_POLLIN); ++i) {
      std::vector<zmq::message_t> frames;
      try {
        if (!zmq::recv_multipart(router, std::back_inserter(frames),
                                 zmq::recv_flags::dontwait))
          break;
      } catch (const zmq::error_t &) {
        break;
      }
      onRequest(frames);
    }
    if (nowMs() - lastReap > 250) {
      reap();
      lastReap = nowMs();
    }
  }
  // Shutdown: stop every worker, wait for each to free its session.
  std::vector<std::shared_ptr<Worker>> all;
  {
    std::lock_guard lock(sessionsMutex);
    for (auto &[rid, w] : workers)
      all.push_back(w);
    workers.clear();
    for (auto &w : dying)
      all.push_back(w);
    dying.clear();
  }
  for (auto &w : all) {
    Request stop;
    stop.stop = true;
    w->push(std::move(stop));
  }
  for (auto &w : all)
    if (w->thread.joinable())
      w->thread.join();
  router.close();
  replies.close();
}

void Server::Impl::onRequest(std::vector<zmq::message_t> &frames) {
  if (frames.empty())
    return;
  std::string rid = frames[0].to_string();
  proto::Header header;
  try {
    if (frames.size() < 2)
      throw proto::DecodeError("empty message");
    header = proto::Header::decode(
        {static_cast<const uint8_t *>(frames[1].data()), frames[1].size()});
    if (header.reply)
      throw proto::DecodeError("a reply sent to the server");
    if (header.bulkFrames > 1 || frames.size() != 3u + header.bulkFrames)
      throw proto::DecodeError(
          "malformed message: " + std::to_string(frames.size() - 1) +
          " frames (expected header, payload and at most one bulk frame, as "
          "the header says)");
    if (frames[2].size() != header.payloadLength)
      throw proto::DecodeError("payload is " + std::to_string(frames[2].size()) +
                               " bytes, the header says " +
                               std::to_string(header.payloadLength));
  } catch (const proto::DecodeError &e) {
    // Garbage or another protocol version: say so, then drop the session.
    replyError(rid, proto::Header{.type = uint16_t(MsgType::Error)},
               WireCode::ProtocolError, e.what());
    retire(rid, "protocol error");
    return;
  }
  std::shared_ptr<Worker> worker;
  {
    std::lock_guard lock(sessionsMutex);
    auto it = workers.find(rid);
    if (it != workers.end())
      worker = it->second;
  }
  if (worker)
    worker->lastSeen = nowMs();
  auto type = static_cast<MsgType>(header.type);
  proto::ByteReader payload(
      {static_cast<const uint8_t *>(frames[2].data()), frames[2].size()});
  try {
    switch (type) {
    case MsgType::Hello:
      hello(rid, header, payload, peerUser(frames[1]));
      return;
    case MsgType::Status: {
      Reply reply;
      StatusReport report = server.statusReport();
      if (!isAdmin(frames[1])) {
        // Other tenants' programs, pids and usage are not a tenant's to see.
        // Without CURVE (a peer elsewhere on the network) nobody's sessions
        // can be told apart, so none are shown.
        std::string me = peerUser(frames[1]);
        bool known = server.options_.curve.has_value();
        std::lock_guard lock(sessionsMutex);
        std::erase_if(report.sessions, [&](const SessionUsage &u) {
          for (auto &[id, w] : workers)
            if (w->session && w->session->id() == u.id)
              return !known || w->owner != me;
          return true;
        });
        std::erase_if(report.tenants, [&](const TenantStatus &t) {
          return std::none_of(
              report.sessions.begin(), report.sessions.end(),
              [&](const SessionUsage &u) { return u.tenant == t.name; });
        });
      }
      reply.fields.putString(formatStatusJson(report));
      sendReply(router, rid, header, reply);
      return;
    }
    case MsgType::SetShareAdmin:
      setShareAdmin(rid, header, payload, isAdmin(frames[1]));
      return;
    case MsgType::SetQuotaAdmin:
      setQuotaAdmin(rid, header, payload, isAdmin(frames[1]));
      return;
    case MsgType::RestartAdmin:
      restartAdmin(rid, header, payload, isAdmin(frames[1]));
      return;
    case MsgType::Heartbeat:
      if (!(header.flags & proto::FlagAsync)) {
        Reply reply = worker ? Reply{}
                             : Reply::error(WireCode::NoSession,
                                            "no session: the server may have "
                                            "restarted; restart the program");
        sendReply(router, rid, header, reply);
      }
      return;
    case MsgType::Goodbye: {
      retire(rid, "goodbye");
      if (!(header.flags & proto::FlagAsync)) {
        Reply reply;
        sendReply(router, rid, header, reply);
      }
      return;
    }
    default:
      break;
    }
  } catch (const proto::DecodeError &e) {
    replyError(rid, header, WireCode::ProtocolError,
               std::string("malformed ") + proto::msgTypeName(header.type) +
                   ": " + e.what());
    return;
  }
  if (!worker) {
    if (!(header.flags & proto::FlagAsync))
      replyError(rid, header, WireCode::NoSession,
                 "no session for this client (the server restarted or the "
                 "session expired): restart the program");
    return;
  }
  Request req;
  req.header = header;
  req.payload = std::make_shared<zmq::message_t>(std::move(frames[2]));
  if (frames.size() == 4)
    req.bulk = std::make_shared<zmq::message_t>(std::move(frames[3]));
  worker->push(std::move(req));
}

void Server::Impl::hello(const std::string &rid, const proto::Header &h,
                         proto::ByteReader &r, const std::string &owner) {
  uint32_t pid = r.get<uint32_t>("pid");
  std::string name = r.getString("client", 256);
  uint64_t wantGuaranteed = r.get<uint64_t>("memoryGuaranteed");
  uint64_t wantLimit = r.get<uint64_t>("memoryLimit");
  uint32_t weight = r.get<uint32_t>("weight");
  uint32_t cls = r.get<uint32_t>("priority");
  std::string tenant = r.getString("tenant", 256);
  r.expectEnd();
  if (tenant.empty())
    tenant = "default";
  if (draining)
    return replyError(rid, h, WireCode::DeviceUnavailable,
                      "this server is draining and takes no new sessions; "
                      "try another (or ask the controller)");
  // The device is gone until woolyd replaces itself (daemon/Restart.h):
  // the client asks again and gets a session of the new process.
  if (std::string why = server.executor_->lost(); !why.empty())
    return replyError(rid, h, WireCode::Restarting,
                      why + " (this server is restarting: ask again)");
  // Likewise while an operator's restart waits for the sessions to end.
  if (restartAskedAt)
    return replyError(rid, h, WireCode::Restarting,
                      "an operator asked for a restart once the open "
                      "sessions end; ask again");
  if (weight == 0 || weight > 1000 || cls > 2)
    return replyError(rid, h, WireCode::InvalidValue,
                      "share must have weight 1..1000 and priority 0..2");
  retire(rid, "new hello"); // a reconnecting client starts afresh
  const uint32_t askedWeight = weight;
  const auto askedPriority = static_cast<exec::PriorityClass>(cls);
  {
    std::lock_guard lock(sessionsMutex);
    if (workers.size() >= server.options_.maxSessions)
      return replyError(rid, h, WireCode::OutOfMemory,
                        "server is full (" +
                            std::to_string(server.options_.maxSessions) +
                            " sessions)");
    // An operator's share for this tenant wins over the client's request.
    if (auto it = tenantShares.find(tenant); it != tenantShares.end()) {
      weight = it->second.weight;
      if (it->second.priority)
        cls = static_cast<uint32_t>(*it->second.priority);
    }
  }
  const exec::DeviceInfo &dev = server.executor_->info();
  uint64_t limit = wantLimit ? wantLimit : server.options_.defaultMemoryLimit;
  if (limit == 0 || limit > dev.totalMemory)
    limit = dev.totalMemory;
  uint64_t id = nextSession++;
  std::string why;
  if (!quota->open(id, wantGuaranteed, limit, why, tenant))
    return replyError(rid, h, WireCode::OutOfMemory, why);
  exec::ContextOptions options;
  options.memoryLimit = limit;
  options.memoryGuaranteed = wantGuaranteed;
  options.weight = weight;
  options.priority = static_cast<exec::PriorityClass>(cls);
  options.addressFencing = server.options_.addressFencing;
  auto worker = std::make_shared<Worker>();
  worker->rid = rid;
  worker->owner = owner;
  worker->askedWeight = askedWeight;
  worker->askedPriority = askedPriority;
  std::string client = name + " (pid " + std::to_string(pid) + ")";
  exec::Status status =
      Session::create(id, client, *server.executor_, *quota, modules, options,
                      server.options_.limits, worker->session);
  if (!status) {
    quota->close(id);
    return replyError(rid, h, toWire(status.code), status.message);
  }
  worker->session->setTenant(tenant);
  worker->lastSeen = nowMs();
  worker->thread = std::thread(&Worker::run, worker.get(),
                               std::ref(*server.context_), replyEndpoint,
                               server.options_.verbose);
  {
    std::lock_guard lock(sessionsMutex);
    workers[rid] = worker;
    // An operator may have set this tenant's share since we looked.
    if (auto it = tenantShares.find(tenant); it != tenantShares.end()) {
      auto p = it->second.priority.value_or(options.priority);
      if (it->second.weight != options.weight || p != options.priority)
        worker->session->setShare(it->second.weight, p);
    }
  }
  if (server.options_.verbose)
    fprintf(stderr, "woolyd: session %llu opened for %s\n",
            (unsigned long long)id, client.c_str());
  proto::DeviceDescription d = describeDevice(dev);
  d.memoryLimit = limit;
  d.memoryGuaranteed = wantGuaranteed;
  Reply reply;
  reply.fields.put<uint64_t>(id);
  reply.fields.put<uint32_t>(server.options_.sessionTimeoutMs / 4);
  d.encode(reply.fields);
  reply.fields.put<uint32_t>(proto::FeatureBatch | proto::FeatureLimits);
  sendReply(router, rid, h, reply);
}

void Server::Impl::retire(const std::string &rid, const char *why) {
  std::shared_ptr<Worker> worker;
  {
    std::lock_guard lock(sessionsMutex);
    auto it = workers.find(rid);
    if (it == workers.end())
      return;
    worker = it->second;
    workers.erase(it);
    dying.push_back(worker);
  }
  if (server.options_.verbose)
    fprintf(stderr, "woolyd: closing session %llu (%s)\n",
            (unsigned long long)worker->session->id(), why);
  Request stop;
  stop.stop = true;
  worker->push(std::move(stop));
}

void Server::Impl::reap() {
  int64_t now = nowMs();
  std::vector<std::string> silent;
  {
    std::lock_guard lock(sessionsMutex);
    // A busy worker may wait for a kernel on behalf of a client that died
    // meanwhile: a live client waiting for its reply keeps probing (every
    // heartbeat interval), so silence means gone here too. Its kernels are
    // stopped, or the wait (and the session's memory) could last forever.
    for (auto &[rid, w] : workers)
      if (now - w->lastSeen > server.options_.sessionTimeoutMs) {
        if (w->busy)
          w->session->abandon();
        silent.push_back(rid);
      }
  }
  for (auto &rid : silent)
    retire(rid, "client silent: gone or dead");
  std::lock_guard lock(sessionsMutex);
  std::erase_if(dying, [](const std::shared_ptr<Worker> &w) {
    if (!w->finished)
      return false;
    w->thread.join();
    return true;
  });
}

void Server::Impl::zapLoop(zmq::socket_t socket) {
  nameThread("woolyd-zap");
  const auto &allowed = server.options_.curve->allowedKeys;
  const auto &admins = server.options_.curve->adminKeys;
  while (!stopping) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(socket, std::back_inserter(frames)))
        continue;
    } catch (const zmq::error_t &) {
      return;
    }
    if (stopping || frames.size() < 6) {
      if (!stopping)
        socket.send(zmq::str_buffer(""), zmq::send_flags::none);
      else
        return;
      continue;
    }
    bool ok = false, admin = false;
    char z85[41] = "";
    if (frames[5].to_string() == "CURVE" && frames.size() >= 7 &&
        frames[6].size() == 32) {
      zmq_z85_encode(z85, static_cast<const uint8_t *>(frames[6].data()), 32);
      for (const std::string &k : admins)
        admin = admin || k == z85;
      for (const std::string &k : allowed)
        ok = ok || k == z85;
      ok = ok || admin;
    }
    socket.send(frames[0], zmq::send_flags::sndmore); // version
    socket.send(frames[1], zmq::send_flags::sndmore); // request id
    socket.send(zmq::buffer(std::string(ok ? "200" : "400")),
                zmq::send_flags::sndmore);
    socket.send(zmq::buffer(std::string(ok ? "OK" : "client key not allowed")),
                zmq::send_flags::sndmore);
    // The user id rides on every message of the connection (peerUser()):
    // operators are one user, each client key its own.
    socket.send(zmq::buffer(admin ? std::string(kAdminUser)
                            : ok  ? std::string("key:") + z85
                                  : std::string()),
                zmq::send_flags::sndmore);
    socket.send(zmq::str_buffer(""), zmq::send_flags::none);
    if (!ok && server.options_.verbose)
      fprintf(stderr, "woolyd: refused a client whose key is not allowed\n");
  }
}

void Server::Impl::telemetryLoop() {
  nameThread("woolyd-telem");
  std::unique_lock lock(telemetryMutex);
  auto interval =
      std::chrono::milliseconds(server.options_.telemetryIntervalMs);
  auto tick = std::chrono::steady_clock::now() + interval;
  while (!stopping) {
    // A spurious wake-up must not end the interval early.
    if (telemetryWake.wait_until(lock, tick) != std::cv_status::timeout)
      continue;
    tick += interval;
    server.sampleBusy();
    if (server.options_.telemetrySink)
      server.options_.telemetrySink(server.statusJson());
  }
}

void Server::sampleBusy() {
  std::lock_guard<std::mutex> lock(impl_->busyMutex);
  impl_->busy.store(executor_->busyFraction());
}

std::string Server::statusJson() const {
  return formatStatusJson(statusReport());
}

StatusReport Server::statusReport() const {
  StatusReport report;
  report.endpoint = endpoint_;
  report.device = executor_->info();
  report.memoryUsed = impl_->quota->totalUsed();
  report.busyFraction = impl_->busy.load();
  report.draining = impl_->draining;
  report.restarting = impl_->restartAskedAt != 0;
  report.startedAtMs = impl_->startedAtMs;
  report.scheduling = executor_->schedulingNote();
  ModuleCache::Counters c = impl_->modules.counters();
  report.moduleCompiles = c.compiles;
  report.moduleHits = c.hits;
  // What operators set (taken before the sessions' lock, which it takes).
  for (OperatorState::Tenant &setting : operatorState().tenants) {
    TenantStatus t;
    static_cast<OperatorState::Tenant &>(t) = std::move(setting);
    t.memoryUsed = impl_->quota->tenantUsed(t.name);
    report.tenants.push_back(std::move(t));
  }
  std::lock_guard lock(impl_->sessionsMutex);
  for (auto &[rid, w] : impl_->workers)
    if (w->session)
      report.sessions.push_back(w->session->usage());
  return report;
}

size_t Server::sessionCount() const {
  std::lock_guard lock(impl_->sessionsMutex);
  return impl_->workers.size();
}

uint64_t Server::memoryInUse() const { return impl_->quota->totalUsed(); }

ModuleCache::Counters Server::moduleCounters() const {
  return impl_->modules.counters();
}

} // namespace wooly::daemon
