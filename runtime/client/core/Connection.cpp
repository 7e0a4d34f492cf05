//===- Connection.cpp - The one connection of a process to its server ----===//
#include "runtime/client/core/Connection.h"
#include "runtime/client/core/Embedded.h"
#include "runtime/client/core/Placement.h"
#include "runtime/protocol/Keys.h"
#include "runtime/protocol/Ipv6.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <zmq_addon.hpp>

namespace wooly::client {

using proto::MsgType;

static std::string env(const char *name) {
  const char *v = getenv(name);
  return v ? v : "";
}

static std::string programName() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name.empty() ? "cuda-program" : name;
}

std::unique_ptr<Connection> Connection::open(std::string &error) {
  std::unique_ptr<Connection> c(new Connection);
  c->context_ = std::make_shared<zmq::context_t>();
  std::string server = env("WOOLY_SERVER");
  std::string controller = env("WOOLY_CONTROLLER");
  Placement placement; // when the controller chose the server
  try {
    if (server.empty() && !controller.empty()) {
      if (!placeWithController(*c->context_, controller, placement, error))
        return nullptr;
      server = placement.endpoint;
    }
    if (server.empty()) {
      c->embeddedServer_ = startEmbeddedServer(c->context_, server, error);
      if (!c->embeddedServer_)
        return nullptr;
      c->embedded_ = true;
    }
  } catch (const zmq::error_t &e) {
    error = "cannot start the embedded Wooly server: " + std::string(e.what());
    return nullptr;
  }

  // Hello: who we are and what share we ask for.
  proto::ByteWriter hello;
  hello.put<uint32_t>(uint32_t(getpid()));
  hello.putString(programName());
  hello.put<uint64_t>(strtoull(env("WOOLY_MEMORY_GUARANTEED").c_str(), nullptr, 10));
  hello.put<uint64_t>(strtoull(env("WOOLY_MEMORY_LIMIT").c_str(), nullptr, 10));
  uint32_t weight = uint32_t(strtoul(env("WOOLY_WEIGHT").c_str(), nullptr, 10));
  hello.put<uint32_t>(weight ? weight : 1);
  std::string prio = env("WOOLY_PRIORITY");
  hello.put<uint32_t>(prio == "best-effort" ? 0
                      : prio == "latency-sensitive" ? 2
                                                    : 1);
  hello.putString(env("WOOLY_TENANT"));
  {
    std::lock_guard lock(c->mutex_);
    if (!c->connectLocked(server, placement.serverPublicKey, error))
      return nullptr;
    int timeoutMs = atoi(env("WOOLY_CONNECT_TIMEOUT_MS").c_str());
    int restartMs = atoi(env("WOOLY_RESTART_WAIT_MS").c_str());
    auto timeout = std::chrono::milliseconds(timeoutMs > 0 ? timeoutMs : 10000);
    auto restartWait = std::chrono::milliseconds(restartMs > 0 ? restartMs : 60000);
    bool placed = !placement.serverName.empty();
    ClientReply r;
    HelloOutcome outcome = c->helloLocked(
        hello, timeout, placed ? std::chrono::milliseconds(0) : restartWait, r,
        error);
    if (placed && (outcome == HelloOutcome::Restarting ||
                   outcome == HelloOutcome::NoAnswer)) {
      if (!c->placeElsewhereLocked(controller, placement,
                                   outcome == HelloOutcome::Restarting, error))
        return nullptr;
      error.clear();
      outcome = c->helloLocked(hello, timeout, restartWait, r, error);
    }
    if (outcome != HelloOutcome::Session)
      return nullptr;
    proto::ByteReader f = r.fields();
    try {
      c->sessionId_ = f.get<uint64_t>("session");
      c->heartbeatMs_ = f.get<uint32_t>("heartbeatMs");
      c->device_ = proto::DeviceDescription::decode(f);
      // Servers before batching end the reply here.
      uint32_t features = f.remaining() >= 4 ? f.get<uint32_t>("features") : 0;
      c->batching_ = (features & proto::FeatureBatch) &&
                     env("WOOLY_BATCH") != "0";
      c->limits_ = features & proto::FeatureLimits;
    } catch (const proto::DecodeError &e) {
      error = std::string("malformed answer from the server: ") + e.what();
      return nullptr;
    }
  }
  if (c->heartbeatMs_ == 0)
    c->heartbeatMs_ = 500;
  c->heartbeat_ = std::thread(&Connection::heartbeatLoop, c.get());
  if (c->batching_) {
    Connection *self = c.get();
    c->batchTimer_ = std::make_unique<DeadlineTimer>(
        [self] { self->flushIfDue(); }, "wooly-flush");
    if (!c->batchTimer_->ok())
      c->batching_ = false; // no timer: one message per request
  }
  return c;
}

bool Connection::connectLocked(const std::string &server,
                               const std::string &serverKey,
                               std::string &error) {
  try {
    if (socket_) {
      // A server we leave (it was restarting): nothing of ours must wait
      // to reach it.
      socket_->set(zmq::sockopt::linger, 0);
      socket_.reset();
    }
    url_ = server;
    socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
    socket_->set(zmq::sockopt::linger, 1000);
    socket_->set(zmq::sockopt::ipv6, protocol::endpointUsesIpv6(server));
    socket_->set(zmq::sockopt::sndhwm, 0);
    socket_->set(zmq::sockopt::rcvhwm, 0);
    // A DEALER blocks on send while no connection is up (server down, or a
    // CURVE handshake refused): bound that instead of hanging the program.
    socket_->set(zmq::sockopt::sndtimeo, 10000);
    std::string keys = env("WOOLY_KEYS");
    if (!keys.empty() && !embedded_) {
      // The keys dir's format: runtime/protocol/Keys.h.
      auto identity = protocol::loadKeyPair(keys + "/client.key");
      if (!identity) {
        error = "WOOLY_KEYS=" + keys + ": " + identity.error().message;
        return false;
      }
      // A placement names the chosen server's key.
      std::string srv = serverKey;
      if (srv.empty()) {
        auto pub = protocol::loadPublicKey(keys + "/server.pub");
        if (!pub) {
          error = "WOOLY_KEYS=" + keys + ": " + pub.error().message;
          return false;
        }
        srv = *pub;
      }
      socket_->set(zmq::sockopt::curve_serverkey, srv);
      socket_->set(zmq::sockopt::curve_publickey, identity->publicKey);
      socket_->set(zmq::sockopt::curve_secretkey, identity->secretKey);
    }
    socket_->connect(server);
  } catch (const zmq::error_t &e) {
    error = "cannot connect to '" + server + "': " + e.what();
    return false;
  }
  return true;
}

bool Connection::placeElsewhereLocked(const std::string &controller,
                                     const Placement &placed, bool restarting,
                                     std::string &error) {
  // The controller placed us on a woolyd that is replacing itself after a
  // lost device, or that does not answer (gone since its last telemetry):
  // another server may take us now, without the wait.
  Placement other;
  std::string whyNot;
  if (!placeWithController(*context_, controller, other, whyNot,
                           placed.serverName) ||
      other.endpoint == placed.endpoint) {
    if (!whyNot.empty())
      fprintf(stderr, "wooly: no other server for this program (%s)\n",
              whyNot.c_str());
    // A restart may still end in time; a silent server is given up.
    return restarting;
  }
  fprintf(stderr,
          "wooly: %s (%s) %s; the controller placed this program on %s (%s) "
          "instead\n",
          placed.serverName.c_str(), placed.endpoint.c_str(),
          restarting ? ("is restarting (" + error + ")").c_str()
                     : "did not answer",
          other.serverName.c_str(), other.endpoint.c_str());
  return connectLocked(other.endpoint, other.serverPublicKey, error);
}

Connection::HelloOutcome
Connection::helloLocked(proto::ByteWriter &hello,
                        std::chrono::milliseconds timeout,
                        std::chrono::milliseconds restartWait, ClientReply &r,
                        std::string &error) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + timeout;
  // While woolyd restarts after a lost device (Restarting), the hello is
  // sent again until the new process answers: a hello sent just before
  // the old one went may never be read, so each later try waits a slice,
  // not the whole timeout. Replies to earlier tries are told apart by seq.
  const auto retryAfter = std::chrono::milliseconds(200);
  const auto retrySlice = std::chrono::milliseconds(1000);
  std::string restarting;
  for (;;) {
    uint32_t seq = nextSeq_++;
    if (!sendLocked(MsgType::Hello, 0, seq, hello, {})) {
      error = "cannot reach the Wooly server at " + url_;
      return HelloOutcome::NoAnswer;
    }
    auto until = restarting.empty() ? deadline
                                    : std::min(deadline, Clock::now() + retrySlice);
    bool answered = false;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - Clock::now());
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      if (left.count() <= 0 ||
          zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0))) == 0)
        break;
      proto::Header h;
      r = ClientReply{};
      if (!readReplyLocked(h, r) || h.seq == seq ||
          h.type == uint16_t(MsgType::Error)) {
        answered = true;
        break;
      }
      // A reply to an earlier try: skipped.
    }
    if (answered && r.code != proto::WireCode::Restarting) {
      if (!r.ok()) {
        error = "the Wooly server at " + url_ + " refused the session: " +
                r.message;
        return HelloOutcome::Failed;
      }
      return HelloOutcome::Session;
    }
    if (answered && restartWait.count() == 0) {
      error = r.message;
      return HelloOutcome::Restarting;
    }
    if (answered && restarting.empty()) {
      // A server is there and coming back: a new CUDA process can take
      // many seconds (the driver tears the faulted context down first).
      restarting = r.message;
      deadline = std::max(deadline, Clock::now() + restartWait);
      fprintf(stderr,
              "wooly: the Wooly server at %s is restarting (%s); waiting up "
              "to %.0f s for it\n",
              url_.c_str(), restarting.c_str(),
              std::chrono::duration<double>(deadline - Clock::now()).count());
    }
    if (Clock::now() + retryAfter >= deadline) {
      if (!restarting.empty()) {
        error = "the Wooly server at " + url_ +
                " did not come back in time from a restart: " + restarting;
        return HelloOutcome::Failed;
      }
      error = "no answer from the Wooly server at " + url_ +
              " (is woolyd running there? with CURVE, are WOOLY_KEYS "
              "right and is this client's key in the server's "
              "authorized_keys?)";
      return HelloOutcome::NoAnswer;
    }
    if (answered)
      std::this_thread::sleep_for(retryAfter);
  }
}

Connection::~Connection() {
  {
    std::lock_guard lock(heartbeatMutex_);
    stopping_ = true;
  }
  heartbeatWake_.notify_all();
  if (heartbeat_.joinable())
    heartbeat_.join();
  batchTimer_.reset(); // its callback takes mutex_
  if (socket_) {
    std::lock_guard lock(mutex_);
    proto::ByteWriter empty;
    try {
      flushLocked(); // work nobody synchronized still runs
      socket_->set(zmq::sockopt::sndtimeo, 0); // best effort: never block
      socket_->set(zmq::sockopt::linger, 200);
      sendLocked(MsgType::Goodbye, proto::FlagAsync, nextSeq_++, empty, {});
    } catch (const zmq::error_t &) {
    }
    socket_.reset();
  }
  embeddedServer_.reset(); // joins the server's threads, frees the session
}

void Connection::heartbeatLoop() {
  std::unique_lock lock(heartbeatMutex_);
  while (!stopping_) {
    heartbeatWake_.wait_for(lock, std::chrono::milliseconds(heartbeatMs_));
    if (stopping_)
      break;
    // A busy socket is traffic the server sees anyway.
    std::unique_lock socketLock(mutex_, std::try_to_lock);
    if (!socketLock.owns_lock())
      continue;
    proto::ByteWriter empty;
    try {
      socket_->set(zmq::sockopt::sndtimeo, 0); // a heartbeat never blocks
      sendLocked(MsgType::Heartbeat, proto::FlagAsync, nextSeq_++, empty, {});
      socket_->set(zmq::sockopt::sndtimeo, 10000);
    } catch (const zmq::error_t &) {
    }
  }
}

bool Connection::sendLocked(MsgType type, uint32_t flags, uint32_t seq,
                            proto::ByteWriter &payload, BulkRef bulk) {
  std::vector<uint8_t> &bytes = payload.bytes();
  bool hasBulk = bulk.data || bulk.size;
  proto::Header h;
  h.type = uint16_t(type);
  h.seq = seq;
  h.flags = flags;
  h.payloadLength = uint32_t(bytes.size());
  h.bulkFrames = hasBulk ? 1 : 0;
  uint8_t header[proto::kHeaderSize];
  h.encode(header);
  // Only the first frame can time out: the rest of a multipart message is
  // queued with it.
  if (!socket_->send(zmq::buffer(header, sizeof header),
                     zmq::send_flags::sndmore))
    return false;
  if (!hasBulk) {
    socket_->send(zmq::buffer(bytes), zmq::send_flags::none);
    return true;
  }
  socket_->send(zmq::buffer(bytes), zmq::send_flags::sndmore);
  if (bulk.size < 64 * 1024) {
    // Small: copying is cheaper than tracking the buffer's release.
    socket_->send(zmq::buffer(bulk.data, bulk.size), zmq::send_flags::none);
    return true;
  }
  // Large: zero-copy; ZeroMQ tells us when it is done with the buffer.
  auto *counter = new std::shared_ptr<std::atomic<int64_t>>(bulkInFlight_);
  ++**counter;
  zmq::message_t msg(
      const_cast<void *>(bulk.data), bulk.size,
      [](void *, void *hint) {
        auto *c = static_cast<std::shared_ptr<std::atomic<int64_t>> *>(hint);
        --**c;
        delete c;
      },
      counter);
  socket_->send(msg, zmq::send_flags::none);
  return true;
}

void Connection::waitBulkReleased() {
  // Released by ZeroMQ's I/O thread (tcp/ipc: written to the socket) or by
  // the server (inproc: once the device copy has read it).
  while (bulkInFlight_->load() > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(20));
}

bool Connection::readReplyLocked(proto::Header &h, ClientReply &r) {
  std::vector<zmq::message_t> frames;
  (void)zmq::recv_multipart(*socket_, std::back_inserter(frames));
  if (frames.size() < 2) {
    r.code = proto::WireCode::ProtocolError;
    r.message = "malformed reply from the server";
    return false;
  }
  try {
    h = proto::Header::decode(
        {static_cast<const uint8_t *>(frames[0].data()), frames[0].size()});
  } catch (const proto::DecodeError &e) {
    r.code = proto::WireCode::ProtocolError;
    r.message = std::string("server reply: ") + e.what();
    return false;
  }
  try {
    r.payload = std::move(frames[1]);
    proto::ByteReader f(std::span<const uint8_t>(
        static_cast<const uint8_t *>(r.payload.data()), r.payload.size()));
    r.code = static_cast<proto::WireCode>(f.get<uint32_t>("code"));
    r.message = f.getString("message");
    r.fieldsOffset = r.payload.size() - f.remaining();
  } catch (const proto::DecodeError &e) {
    r.code = proto::WireCode::ProtocolError;
    r.message = std::string("server reply: ") + e.what();
  }
  if (frames.size() > 2) {
    r.bulk = std::move(frames[2]);
    r.hasBulk = true;
  }
  return true;
}

ClientReply Connection::receiveLocked(uint32_t seq) {
  // While waiting (a long kernel is fine), probe a silent server with a
  // heartbeat, which its I/O thread answers at once: no answer means it is
  // gone, "no session" means it restarted. Either is an error, not a hang.
  // The probes come as often as heartbeats would (the heartbeat thread
  // cannot send while this holds the socket): they are what tells the
  // server that a client waiting for a long kernel is alive, where one
  // silent for its session timeout is taken for dead and its kernels are
  // stopped.
  using Clock = std::chrono::steady_clock;
  const auto probeAfter =
      std::chrono::milliseconds(std::max<uint32_t>(heartbeatMs_, 100));
  auto lastHeard = Clock::now(), probeSent = Clock::now();
  uint32_t probeSeq = 0;
  bool probing = false;
  auto fail = [&](proto::WireCode code, std::string message) {
    ClientReply r;
    r.code = code;
    r.message = std::move(message);
    return r;
  };
  for (;;) {
    zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::min(probeAfter, std::chrono::milliseconds(1000))) == 0) {
      if (embedded_)
        continue;
      auto now = Clock::now();
      if (probing && now - probeSent > std::chrono::seconds(10))
        return fail(proto::WireCode::DeviceUnavailable,
                    "the Wooly server at " + url_ +
                        " stopped answering (it died or the network is down)");
      if (!probing && now - lastHeard > probeAfter) {
        probeSeq = nextSeq_++;
        proto::ByteWriter empty;
        sendLocked(MsgType::Heartbeat, 0, probeSeq, empty, {});
        probing = true;
        probeSent = now;
      }
      continue;
    }
    lastHeard = Clock::now();
    proto::Header h;
    ClientReply r;
    if (!readReplyLocked(h, r))
      return r;
    if (probing && h.seq == probeSeq) {
      probing = false;
      if (r.code == proto::WireCode::NoSession)
        return fail(proto::WireCode::ServerRestarted,
                    "the Wooly server at " + url_ +
                        " restarted: this program's device memory and "
                        "modules are gone; run it again");
      continue;
    }
    bool protocolError = h.type == uint16_t(MsgType::Error);
    if (h.seq != seq && !protocolError)
      continue; // a stale reply to a request we gave up on
    if (r.code == proto::WireCode::NoSession)
      r.code = proto::WireCode::ServerRestarted;
    return r;
  }
}

bool Connection::flushLocked() {
  if (batch_.empty())
    return true;
  proto::ByteWriter w;
  w.bytes().swap(batch_.payload());
  bool sent = sendLocked(MsgType::Batch, proto::FlagAsync, nextSeq_++, w, {});
  // Give the buffer back: its capacity serves the next batch.
  batch_.payload().swap(w.bytes());
  batch_.clear();
  if (batchTimerArmed_ && batchTimer_) {
    // Nothing is due any more: the timer's thread need not wake.
    batchTimer_->disarm();
    batchTimerArmed_ = false;
  }
  return sent;
}

bool Connection::flush() {
  std::lock_guard lock(mutex_);
  return flushLocked();
}

uint32_t Connection::pendingRequests() {
  std::lock_guard lock(mutex_);
  return batch_.count();
}

void Connection::flushIfDue() {
  // A batch waits at most kBatchIdle for more requests, whatever the
  // application does.
  std::lock_guard lock(mutex_);
  if (batch_.empty() || std::chrono::steady_clock::now() < batchDeadline_)
    return; // sent already, or a later batch whose timer is armed
  try {
    (void)flushLocked(); // a failure shows at the next call
  } catch (const zmq::error_t &) {
  }
}

ClientReply Connection::call(MsgType type, proto::ByteWriter &payload,
                             BulkRef bulk) {
  std::lock_guard lock(mutex_);
  if (!flushLocked())
    return unreachable();
  uint32_t seq = nextSeq_++;
  if (!sendLocked(type, 0, seq, payload, bulk))
    return unreachable();
  return receiveLocked(seq);
}

ClientReply Connection::unreachable() const {
  ClientReply r;
  r.code = proto::WireCode::DeviceUnavailable;
  r.message = "cannot send to the Wooly server at " + url_ +
              " (it is down, or refused this client's key)";
  return r;
}

bool Connection::post(MsgType type, proto::ByteWriter &payload, BulkRef bulk) {
  std::lock_guard lock(mutex_);
  if (!batching_ || bulk.size > kBatchInlineBulk) {
    // Too big to batch (or no batching): earlier requests go first.
    if (!flushLocked())
      return false;
    return sendLocked(type, proto::FlagAsync, nextSeq_++, payload, bulk);
  }
  bool first = batch_.empty();
  bool hasBulk = bulk.data || bulk.size;
  batch_.add(uint16_t(type), payload.bytes(), hasBulk,
             {static_cast<const uint8_t *>(bulk.data), bulk.size});
  if (batch_.count() >= kBatchMaxRequests || batch_.bytes() >= kBatchMaxBytes)
    return flushLocked();
  if (first) {
    batchDeadline_ = std::chrono::steady_clock::now() + kBatchIdle;
    batchTimer_->arm(batchDeadline_);
    batchTimerArmed_ = true;
  }
  return true;
}

void Connection::callEach(
    MsgType type, std::vector<proto::ByteWriter> &payloads,
    const std::function<void(size_t, ClientReply &)> &onReply) {
  std::lock_guard lock(mutex_);
  size_t sent = 0;
  bool flushed = flushLocked();
  uint32_t first = nextSeq_;
  for (auto &p : payloads) {
    if (!flushed || !sendLocked(type, 0, nextSeq_++, p, {}))
      break;
    ++sent;
  }
  for (size_t i = 0; i < payloads.size(); ++i) {
    ClientReply r = i < sent ? receiveLocked(first + uint32_t(i)) : unreachable();
    onReply(i, r);
  }
}

std::vector<ClientReply>
Connection::callMany(MsgType type, std::vector<proto::ByteWriter> &payloads) {
  std::vector<ClientReply> replies;
  callEach(type, payloads,
           [&](size_t, ClientReply &r) { replies.push_back(std::move(r)); });
  return replies;
}

} // namespace wooly::client
