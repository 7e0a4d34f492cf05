// The busy fraction woolyd reports over a GPU executor whose device clock is
// the test's (TimedHostApi): the telemetry to the controller, the telemetry
// sink and `woolyd --status` all show the sample of the last telemetry tick.
// Executor::busyFraction() starts a new interval at each call, so a report
// that sampled it itself would take a part of the interval from the others.

#include "test/unit/target/gpu/EmulatedExecutor.h"

#include "daemon/ControllerLink.h"
#include "daemon/Server.h"
#include "daemon/StatusJson.h"

#include <catch2/catch.hpp>

using namespace wooly;
using namespace wooly::exec;
using namespace wooly::exec::gpu::testing;

TEST_CASE("every woolyd report shows the busy sample of the last tick",
          "[gpu][telemetry][server]") {
  TimedHostApi *api = nullptr;
  std::unique_ptr<exec::gpu::GpuExecutor> executor = emulatedExecutor(api);
  daemon::ServerOptions options;
  options.listen = "inproc://wooly-busy-sample-test";
  options.telemetryIntervalMs = 3'600'000; // the test takes the ticks
  std::unique_ptr<daemon::Server> server;
  REQUIRE(daemon::Server::start(std::make_shared<zmq::context_t>(), *executor,
                                options, server));
  uint64_t t0 = api->now; // the first interval starts with the server

  FunctionId fn = 0;
  std::unique_ptr<Context> context = sessionWithEmptyKernel(*executor, fn);
  api->kernelNs.push_back(6000);
  REQUIRE(context->launch(fn, LaunchConfig{}, {}, 0));
  api->now = t0 + 10000;
  CHECK(server->statusReport().busyFraction == 0.0); // no tick yet

  server->sampleBusy(); // a tick: 6 of 10 µs busy
  // The controller link, then `woolyd --status`, then the link again.
  CHECK(daemon::toTelemetry(server->statusReport(), "s", 1)
            .devices.at(0)
            .busyFraction == Approx(0.6));
  CHECK(server->statusJson().find("\"busy\":0.6000") != std::string::npos);
  CHECK(server->statusReport().busyFraction == Approx(0.6));

  api->now = t0 + 20000;
  server->sampleBusy(); // the next tick: idle
  CHECK(server->statusReport().busyFraction == 0.0);
  CHECK(server->statusJson().find("\"busy\":0.0000") != std::string::npos);
}
