//===- HelloRetryTest.cpp - opening a session while woolyd restarts -------===//
//
// A client that connects while woolyd's device is lost (it is about to
// replace itself: daemon/Restart.h) is told Restarting and asks again until
// the server serves or its connect timeout ends. The server here is the
// real one on a loopback port, over a host executor lost on demand.
//
//===----------------------------------------------------------------------===//
#include "daemon/Server.h"
#include "runtime/client/core/Connection.h"
#include "test/unit/daemon/LosableExecutor.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

using namespace wooly;
using Clock = std::chrono::steady_clock;

namespace {

struct LosableServer {
  test::LosableExecutor *executor = nullptr;
  std::unique_ptr<exec::Executor> owned;
  std::shared_ptr<zmq::context_t> context = std::make_shared<zmq::context_t>();
  std::unique_ptr<daemon::Server> server;

  LosableServer() {
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
    setenv("WOOLY_SERVER", server->endpoint().c_str(), 1);
  }
  ~LosableServer() { unsetenv("WOOLY_SERVER"); }
};

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
