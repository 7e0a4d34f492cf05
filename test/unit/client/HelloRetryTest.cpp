//===- HelloRetryTest.cpp - opening a session while woolyd restarts -------===//
//
// A client that connects while woolyd's device is lost (it is about to
// replace itself: daemon/Restart.h) is told Restarting and asks again until
// the server serves or its connect timeout ends; one the controller placed
// there asks the controller for another server first. The servers here are
// the real one on loopback ports, over host executors lost on demand, and
// the controller is the real one, in process.
//
//===----------------------------------------------------------------------===//
#include "controller/Controller.h"
#include "daemon/Server.h"
#include "runtime/client/core/Connection.h"
#include "runtime/protocol/ControllerClient.h"
#include "test/unit/daemon/LosableExecutor.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

using namespace wooly;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct LosableServer {
  test::LosableExecutor *executor = nullptr;
  std::unique_ptr<exec::Executor> owned;
  std::shared_ptr<zmq::context_t> context = std::make_shared<zmq::context_t>();
  std::unique_ptr<daemon::Server> server;

  explicit LosableServer(bool asWoolyServer = true) {
    std::unique_ptr<exec::Executor> host;
    exec::ExecutorOptions eo;
    eo.workerThreads = 1;
    REQUIRE(exec::createExecutor("host", eo, host).isOk());
    auto losable = std::make_unique<test::LosableExecutor>(std::move(host));
    executor = losable.get();
    owned = std::move(losable);
    daemon::ServerOptions options;
    options.listen = "tcp://127.0.0.1:*";
    REQUIRE(daemon::Server::start(context, *owned, options, server).isOk());
    if (asWoolyServer)
      setenv("WOOLY_SERVER", server->endpoint().c_str(), 1);
  }
  ~LosableServer() { unsetenv("WOOLY_SERVER"); }
};

/// The controller serving on its own thread at a loopback port.
struct RunningController {
  zmq::context_t context;
  std::unique_ptr<controller::Controller> controller;
  std::atomic<bool> stop{false};
  std::thread thread;

  RunningController() {
    controller::ControllerOptions o;
    o.listenUrl = "tcp://127.0.0.1:*";
    o.heartbeat = 100ms;
    o.log = [](const std::string &) {};
    auto c = controller::Controller::create(context, o);
    REQUIRE(c.isOk());
    controller = std::move(*c);
    thread = std::thread([this] { controller->serve(stop); });
    setenv("WOOLY_CONTROLLER", controller->endpoint().c_str(), 1);
  }
  ~RunningController() {
    unsetenv("WOOLY_CONTROLLER");
    stop = true;
    thread.join();
  }
};

/// Registers `server` with the controller as `name`, idle, as woolyd's
/// ControllerLink would (equal scores go to the smaller name).
std::unique_ptr<protocol::ServerAgent> registerServer(zmq::context_t &context,
                                                      RunningController &rc,
                                                      const std::string &name,
                                                      const std::string &endpoint) {
  protocol::RegisterServerMsg reg;
  reg.serverName = name;
  reg.endpoint = endpoint;
  reg.executors = {"host"};
  reg.devices = {{"cpu", "host", "x86_64", 16ull << 30, 2}};
  auto agent = std::make_unique<protocol::ServerAgent>(
      context,
      protocol::ControllerEndpoint{rc.controller->endpoint(),
                                   protocol::ClientSecurity::insecure()},
      reg,
      [name] {
        protocol::TelemetryMsg t;
        t.devices = {{"cpu", "host", "x86_64", 16ull << 30, 0, 0.0}};
        return t;
      },
      nullptr);
  agent->start();
  return agent;
}

bool eventually(const std::function<bool()> &f) {
  auto end = Clock::now() + 3s;
  while (Clock::now() < end && !f())
    std::this_thread::sleep_for(10ms);
  return f();
}

/// Whether every agent's telemetry reached the controller within 3 s.
bool reporting(std::initializer_list<protocol::ServerAgent *> agents) {
  return eventually([&] {
    return std::all_of(agents.begin(), agents.end(), [](auto *a) {
      return a->heartbeatsAcknowledged() > 0;
    });
  });
}

} // namespace

TEST_CASE("a client that connects while woolyd restarts waits for the new "
          "process",
          "[client][restart]") {
  LosableServer s;
  s.executor->setLost("the GPU context was lost to a fatal fault in a kernel");
  // A connect timeout shorter than the restart: the wait for a restart
  // (WOOLY_RESTART_WAIT_MS, 60 s by default) applies once the server says so.
  setenv("WOOLY_CONNECT_TIMEOUT_MS", "300", 1);
  auto t0 = Clock::now();
  std::thread back([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    s.executor->setLost("");
  });
  std::string error;
  std::unique_ptr<client::Connection> c = client::Connection::open(error);
  back.join();
  INFO(error);
  REQUIRE(c);
  // It could not have had a session before the device came back.
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(600));
  CHECK(c->sessionId() != 0);
  CHECK(s.server->sessionCount() == 1);
  unsetenv("WOOLY_CONNECT_TIMEOUT_MS");
}

TEST_CASE("a client gives up on a restart that outlasts its wait, saying why",
          "[client][restart]") {
  LosableServer s;
  s.executor->setLost("the GPU context was lost to a fatal fault in a kernel");
  setenv("WOOLY_CONNECT_TIMEOUT_MS", "300", 1);
  setenv("WOOLY_RESTART_WAIT_MS", "800", 1);
  auto t0 = Clock::now();
  std::string error;
  std::unique_ptr<client::Connection> c = client::Connection::open(error);
  CHECK_FALSE(c);
  CHECK(error.find("did not come back in time from a restart") !=
        std::string::npos);
  CHECK(error.find("fatal fault in a kernel") != std::string::npos);
  CHECK(s.server->sessionCount() == 0);
  // The restart wait (less its last retry interval, 200 ms), not the
  // shorter connect timeout, bounded it.
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(550));
  unsetenv("WOOLY_CONNECT_TIMEOUT_MS");
  unsetenv("WOOLY_RESTART_WAIT_MS");
}

TEST_CASE("a client the controller placed on a restarting woolyd is placed "
          "on another server",
          "[client][restart][controller]") {
  RunningController rc;
  LosableServer restarting(false), healthy(false);
  zmq::context_t agents;
  auto a = registerServer(agents, rc, "a-restarting", restarting.server->endpoint());
  auto b = registerServer(agents, rc, "b-healthy", healthy.server->endpoint());
  REQUIRE(reporting({a.get(), b.get()}));
  // Before woolyd deregisters, the controller still places on it.
  restarting.executor->setLost("the GPU context was lost to a fatal fault");
  std::string error;
  std::unique_ptr<client::Connection> c = client::Connection::open(error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->serverUrl() == healthy.server->endpoint());
  CHECK(healthy.server->sessionCount() == 1);
  // It did not wait for the restart (that server never comes back here).
  CHECK(restarting.server->sessionCount() == 0);
  // The controller's log: first the restarting server, then the other one
  // with the first avoided and said why.
  nlohmann::json log = rc.controller->placementsJson(10);
  REQUIRE(log.size() == 2);
  CHECK(log[1]["server"] == "a-restarting");
  CHECK(log[1]["request"]["avoid"].is_null());
  CHECK(log[0]["server"] == "b-healthy");
  CHECK(log[0]["request"]["avoid"] == "a-restarting");
  bool saidWhy = false;
  for (const auto &cand : log[0]["candidates"])
    if (cand["server"] == "a-restarting")
      saidWhy = cand["reason"].get<std::string>().find("restarting") !=
                std::string::npos;
  CHECK(saidWhy);
  c.reset();
  a->stop();
  b->stop();
}

TEST_CASE("a client the controller placed on a restarting woolyd waits for "
          "it when no other server can take it",
          "[client][restart][controller]") {
  RunningController rc;
  LosableServer only(false);
  zmq::context_t agents;
  auto a = registerServer(agents, rc, "only", only.server->endpoint());
  REQUIRE(reporting({a.get()}));
  only.executor->setLost("the GPU context was lost to a fatal fault");
  setenv("WOOLY_CONNECT_TIMEOUT_MS", "300", 1);
  auto t0 = Clock::now();
  std::thread back([&] {
    std::this_thread::sleep_for(600ms);
    only.executor->setLost("");
  });
  std::string error;
  std::unique_ptr<client::Connection> c = client::Connection::open(error);
  back.join();
  INFO(error);
  REQUIRE(c);
  CHECK(Clock::now() - t0 >= 600ms);
  CHECK(c->serverUrl() == only.server->endpoint());
  CHECK(only.server->sessionCount() == 1);
  nlohmann::json log = rc.controller->placementsJson(10);
  REQUIRE(log.size() == 2);
  CHECK(log[0]["placed"] == false);
  CHECK(log[0]["request"]["avoid"] == "only");
  unsetenv("WOOLY_CONNECT_TIMEOUT_MS");
  c.reset();
  a->stop();
}

TEST_CASE("a client the controller placed on a server that does not answer "
          "is placed on another one",
          "[client][controller]") {
  RunningController rc;
  LosableServer healthy(false);
  // A server that still reports but serves nobody: its port bound, never
  // read (a woolyd gone since its last telemetry looks the same).
  zmq::context_t silentContext;
  zmq::socket_t silent(silentContext, zmq::socket_type::router);
  silent.set(zmq::sockopt::linger, 0);
  silent.bind("tcp://127.0.0.1:*");
  std::string silentUrl = silent.get(zmq::sockopt::last_endpoint);
  zmq::context_t agents;
  auto a = registerServer(agents, rc, "a-silent", silentUrl);
  auto b = registerServer(agents, rc, "b-healthy", healthy.server->endpoint());
  REQUIRE(reporting({a.get(), b.get()}));
  setenv("WOOLY_CONNECT_TIMEOUT_MS", "500", 1);
  std::string error;
  std::unique_ptr<client::Connection> c = client::Connection::open(error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->serverUrl() == healthy.server->endpoint());
  CHECK(healthy.server->sessionCount() == 1);
  nlohmann::json log = rc.controller->placementsJson(10);
  REQUIRE(log.size() == 2);
  CHECK(log[1]["server"] == "a-silent");
  CHECK(log[0]["server"] == "b-healthy");
  CHECK(log[0]["request"]["avoid"] == "a-silent");

  SECTION("with no other server it gives up, saying which did not answer") {
    c.reset();
    b->stop();
    REQUIRE(eventually([&] {
      return rc.controller->serversJson().size() == 1;
    }));
    c = client::Connection::open(error);
    CHECK_FALSE(c);
    CHECK(error.find("no answer from the Wooly server at " + silentUrl) !=
          std::string::npos);
  }
  unsetenv("WOOLY_CONNECT_TIMEOUT_MS");
  c.reset();
  a->stop();
  b->stop();
}
