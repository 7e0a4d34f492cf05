//===- ServerTest.cpp - The server core against the real host executor ----===//
//
// Each test starts a Server on a loopback TCP port with the host executor and
// talks to it through real DEALER sockets (RawClient.h).
//
//===----------------------------------------------------------------------===//
#include "daemon/ControllerLink.h"
#include "daemon/OperatorState.h"
#include "daemon/Server.h"
#include "runtime/protocol/Keys.h"
#include "runtime/protocol/daemon/Batch.h"
#include "test/unit/daemon/LosableExecutor.h"
#include "test/unit/daemon/RawClient.h"

#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <cstring>
#include <ifaddrs.h>
#include <net/if.h>
#include <random>
#include <thread>

using namespace wooly;
using wooly::test::RawClient;
using wooly::test::RawReply;
namespace proto = wooly::protocol::daemon;
using proto::MsgType;
using proto::WireCode;

namespace {

struct Fixture {
  std::unique_ptr<exec::Executor> executor;
  std::shared_ptr<zmq::context_t> context = std::make_shared<zmq::context_t>();
  std::unique_ptr<daemon::Server> server;
  std::string url;

  explicit Fixture(daemon::ServerOptions options = {}) {
    exec::ExecutorOptions eo;
    eo.workerThreads = 2;
    exec::Status s = exec::createExecutor("host", eo, executor);
    REQUIRE(s.isOk());
    if (options.listen.empty())
      options.listen = "tcp://127.0.0.1:*";
    s = daemon::Server::start(context, *executor, options, server);
    REQUIRE(s.isOk());
    url = server->endpoint();
  }
};

/// A fresh CURVE key pair.
protocol::KeyPair newKeyPair() {
  auto pair = protocol::generateKeyPair();
  REQUIRE(pair);
  return *pair;
}

/// Until the host executor is registered, say so instead of failing.
bool haveHost() {
  static bool have = [] {
    std::unique_ptr<exec::Executor> e;
    exec::Status s = exec::createExecutor("host", {}, e);
    if (!s)
      WARN("no host executor in this build: " << s.message);
    return s.isOk();
  }();
  return have;
}

#define REQUIRE_HOST()                                                         \
  if (!haveHost())                                                             \
  return

bool waitFor(const std::function<bool()> &condition, int ms) {
  for (int i = 0; i < ms / 10; ++i) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

proto::ByteWriter u64s(std::initializer_list<uint64_t> values) {
  proto::ByteWriter w;
  for (uint64_t v : values)
    w.put(v);
  return w;
}

} // namespace

TEST_CASE("a session allocates, copies and frees with exact accounting",
          "[server]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  RawReply hello = c.hello();
  REQUIRE(hello.ok());
  uint64_t p = c.alloc(4096);
  REQUIRE(p != 0);
  CHECK(f.server->memoryInUse() == 4096);

  std::vector<uint8_t> data(4096);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = uint8_t(i * 7);
  c.send(MsgType::MemcpyHtoD, u64s({p, 0}), &data, /*async=*/true);
  RawReply back = c.call(MsgType::MemcpyDtoH, u64s({p, 4096, 0}));
  REQUIRE(back.ok());
  CHECK(back.bulk == data);

  CHECK(c.call(MsgType::MemFree, u64s({p})).ok());
  CHECK(f.server->memoryInUse() == 0);
}

TEST_CASE("handles and pointers outside the session are errors, not "
          "dereferences",
          "[server]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient a(*f.context, f.url), b(*f.context, f.url);
  REQUIRE(a.hello().ok());
  REQUIRE(b.hello().ok());
  uint64_t pa = a.alloc(256);
  REQUIRE(pa);

  // B names A's memory: refused.
  RawReply r = b.call(MsgType::MemcpyDtoH, u64s({pa, 16, 0}));
  CHECK(r.code == WireCode::InvalidAddress);
  CHECK(b.call(MsgType::MemFree, u64s({pa})).code == WireCode::InvalidAddress);
  // Out of bounds of A's own allocation.
  CHECK(a.call(MsgType::MemcpyDtoH, u64s({pa + 200, 100, 0})).code ==
        WireCode::InvalidAddress);
  // Unknown stream, event, module, function.
  CHECK(a.call(MsgType::StreamSync, u64s({77})).code == WireCode::InvalidHandle);
  CHECK(a.call(MsgType::EventQuery, u64s({5})).code == WireCode::InvalidHandle);
  proto::ByteWriter gf;
  gf.put<uint64_t>(9);
  gf.putString("k");
  CHECK(a.call(MsgType::GetFunction, gf).code == WireCode::InvalidHandle);

  // An asynchronous launch of an unknown function: no reply, the error
  // comes back at the next synchronization, once.
  proto::ByteWriter launch;
  launch.put<uint64_t>(12345);
  for (uint32_t v : {1u, 1u, 1u, 1u, 1u, 1u, 0u})
    launch.put(v);
  launch.put<uint64_t>(0);
  std::vector<uint8_t> noArgs;
  a.send(MsgType::Launch, launch, &noArgs, /*async=*/true);
  r = a.call(MsgType::DeviceSync);
  CHECK(r.code == WireCode::InvalidHandle);
  CHECK(a.call(MsgType::DeviceSync).ok());
  // A's data is untouched by all of this.
  CHECK(f.server->memoryInUse() == 256);
}

TEST_CASE("requests before hello get a no-session error", "[server]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  CHECK(c.call(MsgType::MemAlloc, u64s({16})).code == WireCode::NoSession);
}

TEST_CASE("memory over a session's quota fails for that session only",
          "[server][quota]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient small(*f.context, f.url), other(*f.context, f.url);
  REQUIRE(small.hello(0, 1 << 20).ok());
  REQUIRE(other.hello().ok());
  REQUIRE(small.alloc(768 << 10));
  RawReply r;
  CHECK(small.alloc(512 << 10, &r) == 0);
  CHECK(r.code == WireCode::OutOfMemory);
  CHECK(r.message.find("limit") != std::string::npos);
  CHECK(other.alloc(4 << 20) != 0);
}

TEST_CASE("a session that goes silent is freed within its timeout",
          "[server]") {
  REQUIRE_HOST();
  daemon::ServerOptions options;
  options.sessionTimeoutMs = 300;
  Fixture f(options);
  {
    RawClient c(*f.context, f.url);
    REQUIRE(c.hello().ok());
    REQUIRE(c.alloc(1 << 20));
    CHECK(f.server->sessionCount() == 1);
  } // the client vanishes without a goodbye
  CHECK(waitFor([&] { return f.server->sessionCount() == 0; }, 3000));
  CHECK(waitFor([&] { return f.server->memoryInUse() == 0; }, 3000));
}

TEST_CASE("goodbye frees the session at once", "[server]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  REQUIRE(c.hello().ok());
  REQUIRE(c.alloc(1 << 16));
  CHECK(c.call(MsgType::Goodbye).ok());
  CHECK(waitFor([&] { return f.server->memoryInUse() == 0; }, 2000));
}

TEST_CASE("garbage and truncated messages get errors and the server lives",
          "[server][fuzz]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient good(*f.context, f.url);
  REQUIRE(good.hello().ok());
  uint64_t p = good.alloc(64);
  REQUIRE(p);

  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    zmq::socket_t bad(*f.context, zmq::socket_type::dealer);
    bad.set(zmq::sockopt::linger, 0);
    bad.connect(f.url);
    int frames = 1 + int(rng() % 4);
    for (int k = 0; k < frames; ++k) {
      std::vector<uint8_t> junk(rng() % 64);
      for (auto &b : junk)
        b = uint8_t(rng());
      // Sometimes a valid header with a lying body, to reach the decoders.
      if (k == 0 && i % 2 == 0) {
        proto::Header h;
        h.type = uint16_t(rng() % 90);
        h.payloadLength = uint32_t(junk.size());
        h.bulkFrames = frames > 2 ? 1 : 0;
        junk.resize(proto::kHeaderSize);
        h.encode(junk.data());
      }
      bad.send(zmq::buffer(junk), k + 1 < frames ? zmq::send_flags::sndmore
                                                 : zmq::send_flags::none);
    }
  }
  // Truncated hello from a client that then behaves.
  RawClient trunc(*f.context, f.url);
  proto::ByteWriter half;
  half.put<uint32_t>(1);
  RawReply r = trunc.call(MsgType::Hello, half);
  CHECK(r.code == WireCode::ProtocolError);
  CHECK(r.message.find("too short") != std::string::npos);

  // The server still serves the good client, whose data is intact.
  RawReply back = good.call(MsgType::MemcpyDtoH, u64s({p, 64, 0}));
  CHECK(back.ok());
  CHECK(good.call(MsgType::Status).ok());
}

namespace {
/// Options for a server with CURVE on: its secret key, the client keys it
/// lets in and the operators' keys.
daemon::ServerOptions curveOptions(const protocol::KeyPair &server,
                                   std::vector<std::string> allowed,
                                   std::vector<std::string> admins = {}) {
  daemon::ServerOptions options;
  options.curve =
      daemon::CurveKeys{server.secretKey, std::move(allowed), std::move(admins)};
  return options;
}

/// A raw client of `f`'s server presenting `key`.
std::unique_ptr<RawClient> curveClient(Fixture &f,
                                       const protocol::KeyPair &server,
                                       const protocol::KeyPair &key) {
  return std::make_unique<RawClient>(*f.context, f.url,
                                     server.publicKey.c_str(),
                                     key.publicKey.c_str(),
                                     key.secretKey.c_str());
}
} // namespace

TEST_CASE("with CURVE, only clients whose key is allowed get in",
          "[server][auth]") {
  REQUIRE_HOST();
  protocol::KeyPair server = newKeyPair();
  protocol::KeyPair allowed = newKeyPair();
  protocol::KeyPair stranger = newKeyPair();
  Fixture f(curveOptions(server, {allowed.publicKey}));
  auto ok = curveClient(f, server, allowed);
  CHECK(ok->hello().ok());
  auto refused = curveClient(f, server, stranger);
  refused->send(MsgType::Status, {});
  // The handshake never completes: no answer, no session.
  CHECK_FALSE(refused->receive(1000).has_value());
  CHECK(f.server->sessionCount() == 1);
  RawClient plain(*f.context, f.url);
  plain.send(MsgType::Status, {});
  CHECK_FALSE(plain.receive(500).has_value());
}

TEST_CASE("eight concurrent clients each get their own data back",
          "[server][concurrency]") {
  REQUIRE_HOST();
  Fixture f;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      RawClient c(*f.context, f.url);
      if (!c.hello().ok())
        return;
      bool all = true;
      for (int round = 0; round < 20; ++round) {
        uint64_t p = c.alloc(1024);
        std::vector<uint8_t> data(1024, uint8_t(t * 31 + round));
        c.send(MsgType::MemcpyHtoD, u64s({p, 0}), &data, true);
        RawReply back = c.call(MsgType::MemcpyDtoH, u64s({p, 1024, 0}));
        all = all && back.ok() && back.bulk == data;
        all = all && c.call(MsgType::MemFree, u64s({p})).ok();
      }
      if (all)
        ++good;
    });
  for (auto &t : threads)
    t.join();
  CHECK(good == 8);
  CHECK(f.server->memoryInUse() == 0);
}

TEST_CASE("a module that fails to compile is compiled once, however many ask",
          "[server][modules]") {
  REQUIRE_HOST();
  Fixture f;
  std::vector<uint8_t> notWis = {'n', 'o', 't', ' ', 'W', 'I', 'S'};
  std::vector<std::thread> threads;
  std::atomic<int> compileErrors{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      RawClient c(*f.context, f.url);
      if (!c.hello().ok())
        return;
      RawReply r = c.call(MsgType::ModuleLoad, {}, &notWis);
      if (r.code == WireCode::CompileError)
        ++compileErrors;
    });
  for (auto &t : threads)
    t.join();
  CHECK(compileErrors == 4);
  CHECK(f.server->moduleCounters().compiles == 1);
}

TEST_CASE("status JSON lists the sessions", "[server][telemetry]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  REQUIRE(c.hello().ok());
  REQUIRE(c.alloc(1000));
  RawReply r = c.call(MsgType::Status);
  REQUIRE(r.ok());
  std::string json = r.reader().getString("json");
  CHECK(json.find("\"sessions\":[{") != std::string::npos);
  CHECK(json.find("\"memory\":1000") != std::string::npos);
  CHECK(json.find("raw-client") != std::string::npos);
}

TEST_CASE("operators drain a server and set a tenant's weight",
          "[server][scheduling]") {
  REQUIRE_HOST();
  Fixture f;
  f.server->setDraining(true);
  // The drain is in the report the controller gets, so it survives a
  // controller restart.
  CHECK(f.server->statusReport().draining);
  CHECK(toTelemetry(f.server->statusReport(), "s", 1).draining);
  RawClient refused(*f.context, f.url);
  RawReply r = refused.hello();
  CHECK(r.code == WireCode::DeviceUnavailable);
  CHECK(r.message.find("draining") != std::string::npos);
  f.server->setDraining(false);
  CHECK_FALSE(f.server->statusReport().draining);
  CHECK_FALSE(toTelemetry(f.server->statusReport(), "s", 2).draining);
  RawClient a(*f.context, f.url), b(*f.context, f.url);
  REQUIRE(a.hello(0, 0, 1, 1, "team-a").ok());
  REQUIRE(b.hello(0, 0, 1, 1, "team-b").ok());
  CHECK(f.server->setTenantShare("team-a", 5) == 1);
  std::string json = f.server->statusJson();
  CHECK(json.find("\"tenant\":\"team-a\",\"memory\"") != std::string::npos);
  CHECK(json.find("\"weight\":5") != std::string::npos);
  // A later session of the tenant gets the operator's weight.
  RawClient a2(*f.context, f.url);
  REQUIRE(a2.hello(0, 0, 1, 1, "team-a").ok());
  CHECK(f.server->setTenantShare("team-a", 2) == 2);

  // A memory quota caps the tenant's sessions together, not the others.
  f.server->setTenantMemoryQuota("team-a", 8192);
  CHECK(a.alloc(4096) != 0);
  CHECK(a2.alloc(4096) != 0);
  RawReply over = a2.call(MsgType::MemAlloc, u64s({1}));
  CHECK(over.code == WireCode::OutOfMemory);
  CHECK(over.message.find("memory quota of tenant 'team-a'") !=
        std::string::npos);
  CHECK(b.alloc(16384) != 0);
  CHECK(f.server->statusJson().find(
            "{\"tenant\":\"team-a\",\"weight\":2,\"priority\":null,"
            "\"memoryQuota\":8192,\"memoryUsed\":8192}") !=
        std::string::npos);
  f.server->setTenantMemoryQuota("team-a", 0);
  CHECK(a2.alloc(4096) != 0);
}

namespace {
/// SetShareAdmin's payload (Messages.h).
proto::ByteWriter shareRequest(const std::string &tenant, uint64_t session,
                               uint32_t weight, uint32_t priority) {
  proto::ByteWriter w;
  w.put<uint8_t>(tenant.empty() ? 1 : 0);
  w.putString(tenant);
  w.put<uint64_t>(session);
  w.put<uint32_t>(weight);
  w.put<uint32_t>(priority);
  return w;
}

std::string sessionJson(daemon::Server &server, const std::string &tenant) {
  std::string json = server.statusJson();
  size_t at = json.find("\"tenant\":\"" + tenant + "\"");
  REQUIRE(at != std::string::npos);
  size_t start = json.rfind('{', at), end = json.find('}', at);
  return json.substr(start, end - start);
}
} // namespace

TEST_CASE("an operator changes a tenant's or a session's share over the "
          "socket",
          "[server][scheduling][admin]") {
  REQUIRE_HOST();
  Fixture f; // no CURVE: whoever reaches the endpoint is trusted
  RawClient a(*f.context, f.url), b(*f.context, f.url);
  REQUIRE(a.hello(0, 0, 1, 1, "team-a").ok());
  RawReply hb = b.hello(0, 0, 1, 1, "team-b");
  REQUIRE(hb.ok());
  uint64_t sessionB = hb.reader().get<uint64_t>("session");

  RawClient op(*f.context, f.url); // needs no session
  RawReply r = op.call(MsgType::SetShareAdmin,
                       shareRequest("team-a", 0, 7, 2)); // latency-sensitive
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("changed") == 1);
  CHECK(sessionJson(*f.server, "team-a").find("\"weight\":7,\"priority\":"
                                              "\"latency-sensitive\"") !=
        std::string::npos);
  // A later session of the tenant gets it too, whatever it asks for.
  RawClient a2(*f.context, f.url);
  REQUIRE(a2.hello(0, 0, 3, 0, "team-a").ok());
  r = op.call(MsgType::SetShareAdmin,
              shareRequest("team-a", 0, 4, proto::kKeepPriority));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("changed") == 2);
  std::string json = f.server->statusJson();
  CHECK(json.find("\"weight\":7") == std::string::npos);

  // One session, priority kept.
  r = op.call(MsgType::SetShareAdmin,
              shareRequest("", sessionB, 9, proto::kKeepPriority));
  REQUIRE(r.ok());
  CHECK(sessionJson(*f.server, "team-b").find("\"weight\":9,\"priority\":"
                                              "\"normal\"") !=
        std::string::npos);
  r = op.call(MsgType::SetShareAdmin, shareRequest("", 999999, 1, 0));
  CHECK(r.code == WireCode::NotFound);
  CHECK(r.message.find("--status") != std::string::npos);
  for (auto bad : {shareRequest("team-a", 0, 1001, 1),
                   shareRequest("team-a", 0, 1, 3), shareRequest("", 0, 1, 1)})
    CHECK(op.call(MsgType::SetShareAdmin, bad).code == WireCode::InvalidValue);
  proto::ByteWriter truncated;
  truncated.put<uint8_t>(0);
  CHECK(op.call(MsgType::SetShareAdmin, truncated).code ==
        WireCode::ProtocolError);

  // Weight 0 clears a tenant's share: its sessions get back what they
  // asked for at Hello, and later ones keep theirs. Not for one session.
  r = op.call(MsgType::SetShareAdmin, shareRequest("team-a", 0, 0, 0));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("changed") == 2);
  CHECK(sessionJson(*f.server, "team-a").find("\"weight\":1,\"priority\":"
                                              "\"normal\"") !=
        std::string::npos); // a: 1, normal
  CHECK(f.server->statusJson().find("\"weight\":3,\"priority\":"
                                    "\"best-effort\"") !=
        std::string::npos); // a2: 3, best-effort
  CHECK(f.server->statusJson().find("{\"tenant\":\"team-a\"") ==
        std::string::npos);
  CHECK(op.call(MsgType::SetShareAdmin, shareRequest("", sessionB, 0, 0))
            .code == WireCode::InvalidValue);
}

namespace {
/// SetQuotaAdmin's payload (Messages.h).
proto::ByteWriter quotaRequest(const std::string &tenant, uint64_t bytes) {
  proto::ByteWriter w;
  w.putString(tenant);
  w.put<uint64_t>(bytes);
  return w;
}
} // namespace

TEST_CASE("an operator caps a tenant's memory over the socket",
          "[server][admin][quota]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient a(*f.context, f.url), b(*f.context, f.url), op(*f.context, f.url);
  REQUIRE(a.hello(0, 0, 1, 1, "team-a").ok());
  REQUIRE(b.hello(0, 0, 1, 1, "team-b").ok());
  REQUIRE(a.alloc(4096) != 0);
  RawReply r = op.call(MsgType::SetQuotaAdmin, quotaRequest("team-a", 8192));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint64_t>("used") == 4096);
  CHECK(a.alloc(4096) != 0);
  RawReply over;
  CHECK(a.alloc(1, &over) == 0);
  CHECK(over.code == WireCode::OutOfMemory);
  CHECK(b.alloc(65536) != 0); // another tenant
  // 0 lifts it; an empty tenant or a truncated request is refused.
  REQUIRE(op.call(MsgType::SetQuotaAdmin, quotaRequest("team-a", 0)).ok());
  CHECK(a.alloc(1) != 0);
  CHECK(op.call(MsgType::SetQuotaAdmin, quotaRequest("", 1)).code ==
        WireCode::InvalidValue);
  proto::ByteWriter truncated;
  truncated.putString("team-a");
  CHECK(op.call(MsgType::SetQuotaAdmin, truncated).code ==
        WireCode::ProtocolError);
}

namespace {
/// RestartAdmin's payload (Messages.h).
proto::ByteWriter restartRequest(uint32_t graceMs) {
  proto::ByteWriter w;
  w.put<uint32_t>(graceMs);
  return w;
}

/// A server whose process could restart ("" from the check) or not.
daemon::ServerOptions restartable(std::string problem = "") {
  daemon::ServerOptions options;
  options.restartCheck = [problem] { return problem; };
  return options;
}
} // namespace

TEST_CASE("an operator's restart waits for the open sessions and turns new "
          "ones away",
          "[server][admin][restart]") {
  REQUIRE_HOST();
  Fixture f(restartable());
  RawClient a(*f.context, f.url), b(*f.context, f.url), op(*f.context, f.url);
  REQUIRE(a.hello().ok());
  REQUIRE(b.hello().ok());
  CHECK(f.server->restartDue().empty()); // nobody asked
  RawReply r = op.call(MsgType::RestartAdmin, restartRequest(60000));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("open") == 2);
  CHECK(f.server->statusJson().find("\"restarting\":true") !=
        std::string::npos);
  // The open sessions go on; a new one is told to ask again.
  CHECK(a.alloc(4096) != 0);
  RawClient late(*f.context, f.url);
  r = late.hello();
  CHECK(r.code == WireCode::Restarting);
  CHECK(r.message.find("operator") != std::string::npos);
  CHECK(f.server->restartDue().empty());
  REQUIRE(a.call(MsgType::Goodbye).ok());
  CHECK(f.server->restartDue().empty()); // b still runs
  REQUIRE(b.call(MsgType::Goodbye).ok());
  CHECK(f.server->restartDue().find("every session has ended") !=
        std::string::npos);
}

TEST_CASE("an operator's restart ends the sessions left after its grace "
          "period",
          "[server][admin][restart]") {
  REQUIRE_HOST();
  Fixture f(restartable());
  RawClient a(*f.context, f.url), op(*f.context, f.url);
  REQUIRE(a.hello().ok());
  REQUIRE(op.call(MsgType::RestartAdmin, restartRequest(60000)).ok());
  // A second request may shorten the wait, not lengthen it.
  RawReply r = op.call(MsgType::RestartAdmin, restartRequest(200));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("open") == 1);
  REQUIRE(op.call(MsgType::RestartAdmin, restartRequest(60000)).ok());
  CHECK(waitFor([&] { return !f.server->restartDue().empty(); }, 5000));
  CHECK(f.server->restartDue().find("grace period ended (1 session still "
                                    "open") != std::string::npos);
  // Bad requests: over an hour, or truncated.
  CHECK(op.call(MsgType::RestartAdmin, restartRequest(3600 * 1000 + 1)).code ==
        WireCode::InvalidValue);
  RawReply truncated = op.call(MsgType::RestartAdmin);
  CHECK(truncated.code == WireCode::ProtocolError);
  CHECK(truncated.message.find("malformed RestartAdmin") != std::string::npos);
}

TEST_CASE("a server that cannot restart refuses an operator's restart and "
          "serves on",
          "[server][admin][restart]") {
  REQUIRE_HOST();
  {
    Fixture embedded; // inside a program: no restart check
    RawClient op(*embedded.context, embedded.url);
    RawReply r = op.call(MsgType::RestartAdmin, restartRequest(0));
    CHECK(r.code == WireCode::NotSupported);
    CHECK(r.message.find("inside a program") != std::string::npos);
  }
  Fixture f(restartable("/usr/bin/woolyd: No such file or directory"));
  RawClient op(*f.context, f.url), late(*f.context, f.url);
  RawReply r = op.call(MsgType::RestartAdmin, restartRequest(0));
  CHECK(r.code == WireCode::NotSupported);
  CHECK(r.message == "cannot restart: /usr/bin/woolyd: No such file or "
                     "directory (still serving)");
  CHECK(f.server->restartDue().empty());
  CHECK(late.hello().ok());
}

TEST_CASE("a cancelled restart takes new sessions again",
          "[server][admin][restart]") {
  REQUIRE_HOST();
  Fixture f(restartable());
  RawClient op(*f.context, f.url), a(*f.context, f.url), b(*f.context, f.url);
  REQUIRE(op.call(MsgType::RestartAdmin, restartRequest(0)).ok());
  CHECK(a.hello().code == WireCode::Restarting);
  CHECK_FALSE(f.server->restartDue().empty());
  f.server->cancelRestart(); // woolyd found its file gone
  CHECK(f.server->restartDue().empty());
  CHECK(b.hello().ok());
  CHECK(f.server->statusJson().find("\"restarting\":false") !=
        std::string::npos);
}

namespace {
/// An IPv4 address of this machine other than loopback, "" if none.
std::string publicAddress() {
  ifaddrs *all = nullptr;
  if (getifaddrs(&all) != 0)
    return "";
  std::string found;
  for (ifaddrs *i = all; i && found.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
        !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
      continue;
    char text[INET_ADDRSTRLEN];
    auto *in = reinterpret_cast<sockaddr_in *>(i->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text))
      found = text;
  }
  freeifaddrs(all);
  return found;
}
} // namespace

TEST_CASE("without CURVE, operator requests come only from this machine",
          "[server][admin]") {
  REQUIRE_HOST();
  std::string address = publicAddress();
  if (address.empty()) {
    WARN("skipped: this machine has no IPv4 address but loopback to come "
         "from");
    return;
  }
  daemon::ServerOptions options;
  options.listen = "tcp://0.0.0.0:*"; // as `woolyd --insecure` on a network
  Fixture f(options);
  std::string port = f.url.substr(f.url.rfind(':'));
  RawClient remote(*f.context, "tcp://" + address + port);
  RawClient local(*f.context, "tcp://127.0.0.1" + port);
  // A peer on the network may run programs...
  REQUIRE(remote.hello(0, 0, 1, 1, "team-a").ok());
  REQUIRE(local.hello(0, 0, 1, 1, "team-b").ok());
  // ...but not change shares or quotas, nor see the sessions.
  RawReply r = remote.call(MsgType::SetShareAdmin,
                           shareRequest("team-b", 0, 1, 0));
  CHECK(r.code == WireCode::NotPermitted);
  CHECK(r.message.find("only from this machine") != std::string::npos);
  CHECK(remote.call(MsgType::SetQuotaAdmin, quotaRequest("team-b", 1)).code ==
        WireCode::NotPermitted);
  CHECK(remote.call(MsgType::RestartAdmin, restartRequest(0)).code ==
        WireCode::NotPermitted);
  CHECK(sessionJson(*f.server, "team-b").find("\"weight\":1,\"priority\":"
                                              "\"normal\"") !=
        std::string::npos);
  r = remote.call(MsgType::Status);
  REQUIRE(r.ok());
  std::string seen = r.reader().getString("json");
  CHECK(seen.find("team-a") == std::string::npos);
  CHECK(seen.find("team-b") == std::string::npos);
  // From loopback: an operator.
  r = local.call(MsgType::SetShareAdmin, shareRequest("team-a", 0, 6, 0));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("changed") == 1);
  r = local.call(MsgType::Status);
  REQUIRE(r.ok());
  seen = r.reader().getString("json");
  CHECK(seen.find("team-a") != std::string::npos);
  CHECK(seen.find("team-b") != std::string::npos);
}

TEST_CASE("with CURVE, only operator keys may change shares",
          "[server][auth][admin]") {
  REQUIRE_HOST();
  protocol::KeyPair server = newKeyPair();
  protocol::KeyPair client = newKeyPair();
  protocol::KeyPair admin = newKeyPair();
  Fixture f(curveOptions(server, {client.publicKey}, {admin.publicKey}));
  auto tenant = curveClient(f, server, client);
  REQUIRE(tenant->hello(0, 0, 1, 1, "team-a").ok());
  RawReply r = tenant->call(MsgType::SetShareAdmin,
                            shareRequest("team-a", 0, 1000, 2));
  CHECK(r.code == WireCode::NotPermitted);
  CHECK(r.message.find("admin_keys") != std::string::npos);
  r = tenant->call(MsgType::SetQuotaAdmin, quotaRequest("team-b", 1));
  CHECK(r.code == WireCode::NotPermitted);
  r = tenant->call(MsgType::RestartAdmin, restartRequest(0));
  CHECK(r.code == WireCode::NotPermitted);
  CHECK(f.server->restartDue().empty());
  CHECK(f.server->statusJson().find("\"restarting\":false") !=
        std::string::npos);
  CHECK(sessionJson(*f.server, "team-a").find("\"weight\":1,") !=
        std::string::npos);
  // An operator key connects without being in authorized_keys.
  r = curveClient(f, server, admin)
          ->call(MsgType::SetShareAdmin, shareRequest("team-a", 0, 5, 0));
  REQUIRE(r.ok());
  CHECK(r.reader().get<uint32_t>("changed") == 1);
  CHECK(sessionJson(*f.server, "team-a").find("\"weight\":5,\"priority\":"
                                              "\"best-effort\"") !=
        std::string::npos);
}

TEST_CASE("with CURVE, a tenant's status shows only its own sessions",
          "[server][auth][admin]") {
  REQUIRE_HOST();
  protocol::KeyPair server = newKeyPair();
  protocol::KeyPair keyA = newKeyPair();
  protocol::KeyPair keyB = newKeyPair();
  protocol::KeyPair admin = newKeyPair();
  Fixture f(
      curveOptions(server, {keyA.publicKey, keyB.publicKey}, {admin.publicKey}));
  auto a = curveClient(f, server, keyA), b = curveClient(f, server, keyB);
  REQUIRE(a->hello(0, 0, 1, 1, "team-a").ok());
  REQUIRE(b->hello(0, 0, 1, 1, "team-b").ok());
  // Operators' tenant settings are seen with the tenant's sessions only.
  f.server->setTenantShare("team-b", 4);
  f.server->setTenantMemoryQuota("team-c", 1 << 20);
  auto statusOf = [&](const protocol::KeyPair &k) {
    RawReply r = curveClient(f, server, k)->call(MsgType::Status);
    REQUIRE(r.ok());
    return r.reader().getString("json");
  };
  std::string seenByA = statusOf(keyA);
  CHECK(seenByA.find("team-a") != std::string::npos);
  CHECK(seenByA.find("team-b") == std::string::npos);
  CHECK(seenByA.find("\"device\":") != std::string::npos);
  std::string seenByB = statusOf(keyB);
  CHECK(seenByB.find("team-b") != std::string::npos);
  CHECK(seenByB.find("team-a") == std::string::npos);
  std::string seenByOperator = statusOf(admin);
  CHECK(seenByOperator.find("team-a") != std::string::npos);
  CHECK(seenByOperator.find("team-b") != std::string::npos);
  CHECK(seenByOperator.find("team-c") != std::string::npos);
  CHECK(seenByA.find("team-c") == std::string::npos);
  CHECK(seenByB.find("{\"tenant\":\"team-b\",\"weight\":4") !=
        std::string::npos);
  // What the controller gets is the whole picture too.
  CHECK(f.server->statusReport().sessions.size() == 2);
}

TEST_CASE("a batch runs its requests in order as if sent one by one, and "
          "its first error comes back at the next sync",
          "[server][batch]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  RawReply hello = c.hello();
  REQUIRE(hello.ok());
  // The server says it takes batches: a u32 after the device description.
  {
    proto::ByteReader r = hello.reader();
    (void)r.get<uint64_t>("session");
    (void)r.get<uint32_t>("heartbeatMs");
    (void)proto::DeviceDescription::decode(r);
    REQUIRE(r.remaining() == 4);
    CHECK((r.get<uint32_t>("features") & proto::FeatureBatch) != 0);
  }
  uint64_t p = c.alloc(4096);
  REQUIRE(p != 0);

  auto memset = [](uint64_t dst, uint32_t value, uint64_t bytes) {
    proto::ByteWriter w;
    w.put(dst);
    w.put(value);
    w.put(bytes);
    w.put<uint64_t>(0);
    return w;
  };
  std::vector<uint8_t> data(64);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = uint8_t(i + 1);
  proto::BatchWriter batch;
  proto::ByteWriter set1 = memset(p, 0x11, 4096);
  batch.add(uint16_t(MsgType::Memset), set1.bytes(), false);
  proto::ByteWriter bad = memset(p + 4000, 0x22, 4096); // past the end
  batch.add(uint16_t(MsgType::Memset), bad.bytes(), false);
  proto::ByteWriter htod = u64s({p + 128, 0});
  batch.add(uint16_t(MsgType::MemcpyHtoD), htod.bytes(), true, data);
  proto::ByteWriter bad2 = memset(12345, 0, 8); // a second error: not reported
  batch.add(uint16_t(MsgType::Memset), bad2.bytes(), false);
  proto::ByteWriter set2 = memset(p + 1024, 0x33, 16);
  batch.add(uint16_t(MsgType::Memset), set2.bytes(), false);
  proto::ByteWriter payload;
  payload.bytes() = batch.payload();
  c.send(MsgType::Batch, payload, nullptr, /*async=*/true);

  RawReply sync = c.call(MsgType::DeviceSync);
  CHECK(sync.code == WireCode::InvalidAddress);
  CHECK_THAT(sync.message, Catch::Contains("Memset"));
  CHECK(c.call(MsgType::DeviceSync).ok()); // reported once

  RawReply back = c.call(MsgType::MemcpyDtoH, u64s({p, 4096, 0}));
  REQUIRE(back.ok());
  REQUIRE(back.bulk.size() == 4096);
  CHECK(back.bulk[0] == 0x11);
  CHECK(back.bulk[4095] == 0x11); // the failed set changed nothing
  CHECK(std::equal(data.begin(), data.end(), back.bulk.begin() + 128));
  CHECK(back.bulk[1024] == 0x33); // after the errors, still ran
  CHECK(back.bulk[1040] == 0x11);

  SECTION("a malformed batch is a deferred protocol error; the session "
          "lives") {
    proto::BatchWriter ok;
    proto::ByteWriter set3 = memset(p, 0x44, 8);
    ok.add(uint16_t(MsgType::Memset), set3.bytes(), false);
    proto::ByteWriter broken;
    broken.bytes() = ok.payload();
    broken.bytes().resize(broken.bytes().size() + 3, 0xff); // a cut entry
    std::memcpy(broken.bytes().data(), "\x02\x00\x00\x00", 4); // count 2
    c.send(MsgType::Batch, broken, nullptr, /*async=*/true);
    RawReply r = c.call(MsgType::DeviceSync);
    CHECK(r.code == WireCode::InvalidValue);
    CHECK_THAT(r.message, Catch::Contains("Batch"));
    RawReply after = c.call(MsgType::MemcpyDtoH, u64s({p, 8, 0}));
    REQUIRE(after.ok());
    CHECK(after.bulk[0] == 0x44); // the entry before the break ran
  }
  SECTION("requests that cannot be batched are refused inside a batch") {
    proto::BatchWriter nested;
    nested.add(uint16_t(MsgType::Hello), {}, false);
    proto::ByteWriter w;
    w.bytes() = nested.payload();
    c.send(MsgType::Batch, w, nullptr, /*async=*/true);
    RawReply r = c.call(MsgType::DeviceSync);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.message, Catch::Contains("batch"));
  }
}

TEST_CASE("a session sets its kernels' stack size, and only that limit",
          "[server]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  REQUIRE(c.hello().ok());
  proto::ByteWriter stack;
  stack.put<uint32_t>(uint32_t(proto::DeviceLimit::StackSize));
  stack.put<uint64_t>(8192);
  RawReply set = c.call(MsgType::SetLimit, stack);
  REQUIRE(set.ok());
  // The host executor's kernels run on its workers' own stacks.
  CHECK(set.reader().get<uint64_t>("granted") == 8192);

  proto::ByteWriter other;
  other.put<uint32_t>(7);
  other.put<uint64_t>(1);
  CHECK(c.call(MsgType::SetLimit, other).code == WireCode::NotSupported);
  proto::ByteWriter truncated;
  truncated.put<uint32_t>(0);
  CHECK(c.call(MsgType::SetLimit, truncated).code == WireCode::ProtocolError);
  // The session is still there.
  CHECK(c.alloc(64) != 0);
}

namespace {
// Waits for *flag != 0 (nobody sets it), or traps when *flag < 0.
const char *kWaitOrTrap = R"(
wooly.kernel @wait(%flag: !wooly.ptr<global>) {
  cf.br ^loop
^loop:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %z = arith.constant 0 : i32
  %bad = arith.cmpi slt, %v, %z : i32
  cf.cond_br %bad, ^trap, ^check
^trap:
  wooly.trap
^check:
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^loop
^done:
  wooly.return
}
)";

/// Loads kWaitOrTrap and launches @wait on a 4-byte flag holding `value`
/// (asynchronously); false where a step failed.
bool launchWait(RawClient &c, int32_t value) {
  uint64_t flag = c.alloc(4);
  if (!flag)
    return false;
  std::vector<uint8_t> bytes(4);
  std::memcpy(bytes.data(), &value, 4);
  if (!c.call(MsgType::MemcpyHtoD, u64s({flag, 0}), &bytes).ok())
    return false;
  std::vector<uint8_t> wis(kWaitOrTrap, kWaitOrTrap + std::strlen(kWaitOrTrap));
  RawReply loaded = c.call(MsgType::ModuleLoad, {}, &wis);
  if (!loaded.ok())
    return false;
  proto::ByteWriter gf;
  gf.put<uint64_t>(loaded.reader().get<uint64_t>("module"));
  gf.putString("wait");
  RawReply fn = c.call(MsgType::GetFunction, gf);
  if (!fn.ok())
    return false;
  proto::ByteWriter launch;
  launch.put<uint64_t>(fn.reader().get<uint64_t>("fn"));
  for (uint32_t v : {2u, 1u, 1u, 32u, 1u, 1u, 0u})
    launch.put(v);
  launch.put<uint64_t>(0);
  std::vector<uint8_t> args(8);
  std::memcpy(args.data(), &flag, 8);
  c.send(MsgType::Launch, launch, &args, /*async=*/true);
  return true;
}
} // namespace

TEST_CASE("a session whose client vanishes while the session waits for its "
          "endless kernel is closed, the kernel stopped",
          "[server]") {
  REQUIRE_HOST();
  daemon::ServerOptions options;
  options.sessionTimeoutMs = 300;
  Fixture f(options);
  // Compile the kernel first, in a context of the executor's own: RawClient
  // sends nothing while it waits for a reply, so a compile slower than the
  // 300 ms timeout (a loaded machine, a sanitizer build) would end the
  // session before its kernel started. The session's load is then a hit.
  std::unique_ptr<exec::Context> warm;
  REQUIRE(f.executor->createContext({}, warm));
  exec::ModuleId warmModule;
  REQUIRE(warm->loadModule(
      {reinterpret_cast<const uint8_t *>(kWaitOrTrap), std::strlen(kWaitOrTrap)},
      warmModule));
  {
    RawClient c(*f.context, f.url);
    REQUIRE(c.hello().ok());
    REQUIRE(launchWait(c, 0));
    // The session's worker waits for the kernel on the client's behalf.
    c.send(MsgType::DeviceSync, {}, nullptr);
    CHECK(f.server->sessionCount() == 1);
  } // the client vanishes without a goodbye, and sends nothing more
  CHECK(waitFor([&] { return f.server->sessionCount() == 0; }, 5000));
  CHECK(waitFor([&] { return f.server->memoryInUse() == 0; }, 5000));
  // Both workers are free again: another client's kernel runs.
  RawClient d(*f.context, f.url);
  REQUIRE(d.hello().ok());
  REQUIRE(launchWait(d, 1));
  CHECK(d.call(MsgType::DeviceSync).ok());
}

TEST_CASE("status JSON shows what ended a session's device work",
          "[server][telemetry]") {
  REQUIRE_HOST();
  Fixture f;
  RawClient c(*f.context, f.url);
  REQUIRE(c.hello().ok());
  auto status = [&] {
    RawReply r = c.call(MsgType::Status);
    REQUIRE(r.ok());
    return r.reader().getString("json");
  };
  CHECK(status().find("\"error\"") == std::string::npos);
  REQUIRE(launchWait(c, -1)); // traps
  RawReply sync = c.call(MsgType::DeviceSync);
  CHECK(sync.code == WireCode::Trap);
  CHECK(status().find("\"error\":\"Trap: the kernel executed trap in block") !=
        std::string::npos);
}

TEST_CASE("a hello while the device is lost asks the client to come back "
          "and opens nothing",
          "[server][restart]") {
  REQUIRE_HOST();
  std::unique_ptr<exec::Executor> host;
  REQUIRE(exec::createExecutor("host", {}, host).isOk());
  test::LosableExecutor executor(std::move(host));
  auto context = std::make_shared<zmq::context_t>();
  daemon::ServerOptions options;
  options.listen = "tcp://127.0.0.1:*";
  std::unique_ptr<daemon::Server> server;
  REQUIRE(daemon::Server::start(context, executor, options, server).isOk());
  RawClient before(*context, server->endpoint());
  REQUIRE(before.hello().ok());

  executor.setLost("the GPU context was lost to a fatal fault in a kernel");
  RawClient c(*context, server->endpoint());
  RawReply r = c.hello();
  CHECK(r.code == WireCode::Restarting);
  CHECK(r.message.find("fatal fault in a kernel") != std::string::npos);
  CHECK(r.message.find("restarting") != std::string::npos);
  CHECK(server->sessionCount() == 1);
  CHECK(server->memoryInUse() == 0);

  executor.setLost("");
  CHECK(c.hello().ok());
  CHECK(server->sessionCount() == 2);
}

TEST_CASE("what operators set carries over to another server, as across a "
          "restart",
          "[server][admin][restart]") {
  REQUIRE_HOST();
  Fixture before;
  before.server->setDraining(true);
  before.server->setTenantShare("team-a", 4,
                                exec::PriorityClass::LatencySensitive);
  before.server->setTenantMemoryQuota("team-b", 8192);
  daemon::OperatorState state = before.server->operatorState();
  CHECK(state.draining);
  REQUIRE(state.tenants.size() == 2);

  Fixture after;
  after.server->applyOperatorState(state);
  CHECK(after.server->operatorState() == state);
  RawClient refused(*after.context, after.url);
  CHECK(refused.hello(0, 0, 1, 1, "team-a").code ==
        WireCode::DeviceUnavailable); // still draining
  after.server->setDraining(false);
  RawClient a(*after.context, after.url), b(*after.context, after.url);
  REQUIRE(a.hello(0, 0, 1, 1, "team-a").ok());
  REQUIRE(b.hello(0, 0, 1, 1, "team-b").ok());
  CHECK(sessionJson(*after.server, "team-a")
            .find("\"weight\":4,\"priority\":\"latency-sensitive\"") !=
        std::string::npos);
  CHECK(b.alloc(8192) != 0);
  CHECK(b.alloc(1) == 0); // team-b's quota came along
}
