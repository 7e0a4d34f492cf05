// Registry: registration rules, health transitions on a driven clock,
// operator commands delivered with telemetry replies.
#include "controller/Registry.h"

#include <catch2/catch.hpp>

using namespace wooly::controller;
using namespace wooly::protocol;
using namespace std::chrono_literals;

namespace {

RegisterServerMsg reg(std::string name, std::string endpoint = "") {
  RegisterServerMsg m;
  m.serverName = name;
  m.endpoint = endpoint.empty() ? "tcp://127.0.0.1:7701" : endpoint;
  m.devices = {{"cpu", "host", "x86_64", 16ull << 30, 8}};
  return m;
}

TelemetryMsg beat(std::string name, double busy = 0.2) {
  TelemetryMsg t;
  t.serverName = name;
  t.devices = {{"cpu", "host", "x86_64", 16ull << 30, 1ull << 30, busy}};
  return t;
}

} // namespace

TEST_CASE("registration is validated", "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  CHECK(r.registerServer(reg("a"), t0).accepted);
  CHECK_FALSE(r.registerServer(reg(""), t0).accepted);
  CHECK_FALSE(r.registerServer(reg("bad\nname"), t0).accepted);
  CHECK(r.registerServer(reg("host/tcp://10.0.0.1:7701", "tcp://10.0.0.1:7701"),
                         t0)
            .accepted); // woolyd's naming
  auto noDevices = reg("x");
  noDevices.devices.clear();
  CHECK_THAT(r.registerServer(noDevices, t0).message,
             Catch::Contains("at least one device"));
  auto badUrl = reg("y", "localhost");
  CHECK_FALSE(r.registerServer(badUrl, t0).accepted);
  // Same name from another live endpoint: refused; same endpoint: fine.
  auto clash = r.registerServer(reg("a", "tcp://10.0.0.9:1"), t0);
  CHECK_FALSE(clash.accepted);
  CHECK_THAT(clash.message, Catch::Contains("already registered"));
  CHECK(r.registerServer(reg("a"), t0).accepted);
  CHECK(r.registerServer(reg("a"), t0).heartbeatIntervalMs == 500);
  CHECK(r.servers().size() == 2);
}

TEST_CASE("three missed heartbeats mark a server down and telemetry brings it "
          "back",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  r.applyTelemetry(beat("a"), t0 + 400ms);
  CHECK(r.checkHealth(t0 + 1400ms).empty()); // 1000 ms since telemetry
  CHECK(r.checkHealth(t0 + 1900ms).empty()); // exactly 3 intervals: still up
  auto down = r.checkHealth(t0 + 1901ms);
  REQUIRE(down == std::vector<std::string>{"a"});
  CHECK_FALSE(r.find("a")->up);
  CHECK(r.checkHealth(t0 + 5s).empty()); // reported once
  auto views = r.placementViews(t0 + 5s);
  CHECK_FALSE(views[0]->up);
  r.applyTelemetry(beat("a"), t0 + 6s);
  CHECK(r.find("a")->up);
  CHECK(r.find("a")->timesMarkedDown == 1);
}

TEST_CASE("unknown servers are told to register", "[controller][registry]") {
  Registry r(500ms);
  auto reply = r.applyTelemetry(beat("ghost"), Clock::now());
  CHECK(reply.status == TelemetryStatus::UnknownServer);
}

TEST_CASE("drain and tenant weights travel with the next telemetry reply",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  r.registerServer(reg("b", "tcp://127.0.0.1:7702"), t0);
  CHECK(r.setDraining("a", true));
  CHECK_FALSE(r.setDraining("nope", true));
  CHECK(r.setTenantWeight("", "alice", {2.0, 4ull << 30}));
  CHECK_FALSE(r.setTenantWeight("nope", "alice", {2.0, 0}));

  auto replyA = r.applyTelemetry(beat("a"), t0);
  REQUIRE(replyA.commands.size() == 2);
  CHECK(replyA.commands[0].kind == OperatorCommandKind::Drain);
  CHECK(replyA.commands[1].kind == OperatorCommandKind::SetTenantWeight);
  CHECK(replyA.commands[1].tenant == "alice");
  CHECK(replyA.commands[1].weight == 2.0);
  CHECK(r.applyTelemetry(beat("a"), t0).commands.empty()); // delivered once
  auto replyB = r.applyTelemetry(beat("b"), t0);
  REQUIRE(replyB.commands.size() == 1);
  CHECK(r.find("a")->draining);

  // A server that joins later still gets the fleet-wide tenant setting.
  r.registerServer(reg("c", "tcp://127.0.0.1:7703"), t0);
  auto replyC = r.applyTelemetry(beat("c"), t0);
  REQUIRE(replyC.commands.size() == 1);
  CHECK(replyC.commands[0].tenant == "alice");
}

TEST_CASE("a restarted controller learns a drain from the server",
          "[controller][registry]") {
  Registry fresh(500ms);
  auto t0 = Clock::now();
  fresh.registerServer(reg("a"), t0);
  auto t = beat("a");
  t.draining = true;
  fresh.applyTelemetry(t, t0);
  CHECK(fresh.find("a")->draining);
}

TEST_CASE("reservations expire and count as pending sessions",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  r.applyTelemetry(beat("a"), t0);
  r.reserve("a", 2ull << 30, t0);
  auto v = r.placementViews(t0 + 100ms);
  CHECK(v[0]->reservedBytes == (2ull << 30));
  CHECK(v[0]->sessions == 1);
  v = r.placementViews(t0 + 1600ms);
  CHECK(v[0]->reservedBytes == 0);
  CHECK(r.find("a")->placements == 1);
}

TEST_CASE("history keeps the newest samples", "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  for (int i = 0; i < 200; ++i)
    r.applyTelemetry(beat("a", i % 2 ? 0.9 : 0.1), t0 + i * 10ms);
  CHECK(r.find("a")->history.size() == Registry::kHistoryLength);
  CHECK(r.find("a")->history.back().busyFraction == 0.9);
}

TEST_CASE("the registry has a size limit", "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  for (size_t i = 0; i < Registry::kMaxServers; ++i)
    REQUIRE(r.registerServer(reg("s" + std::to_string(i)), t0).accepted);
  auto refused = r.registerServer(reg("one-too-many"), t0);
  CHECK_FALSE(refused.accepted);
  CHECK_THAT(refused.message, Catch::Contains("deregister"));
  CHECK(r.registerServer(reg("s7"), t0).accepted); // known names still may
}
