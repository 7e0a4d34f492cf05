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
  CHECK(r.checkHealth(t0 + 1400ms).markedDown.empty()); // 1000 ms silent
  CHECK(r.checkHealth(t0 + 1900ms).markedDown.empty()); // 3 intervals: up
  auto down = r.checkHealth(t0 + 1901ms);
  REQUIRE(down.markedDown == std::vector<std::string>{"a"});
  CHECK_FALSE(r.find("a")->up);
  CHECK(r.checkHealth(t0 + 5s).markedDown.empty()); // reported once
  CHECK(r.checkHealth(t0 + 24h).forgotten.empty()); // kept: no forgetAfter
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
  TenantSetting alice{2.0, 4ull << 30, 2};
  CHECK(r.setTenantWeight("", "alice", alice));
  TenantSetting nope{2.0, 0};
  CHECK_FALSE(r.setTenantWeight("nope", "alice", nope));

  auto replyA = r.applyTelemetry(beat("a"), t0);
  REQUIRE(replyA.commands.size() == 2);
  CHECK(replyA.commands[0].kind == OperatorCommandKind::Drain);
  CHECK(replyA.commands[1].kind == OperatorCommandKind::SetTenantWeight);
  CHECK(replyA.commands[1].tenant == "alice");
  CHECK(replyA.commands[1].weight == 2.0);
  CHECK(replyA.commands[1].memoryQuotaBytes == 4ull << 30);
  CHECK(replyA.commands[1].priority == 2); // latency-sensitive
  CHECK(r.applyTelemetry(beat("a"), t0).commands.empty()); // delivered once
  auto replyB = r.applyTelemetry(beat("b"), t0);
  REQUIRE(replyB.commands.size() == 1);
  CHECK(r.find("a")->draining);

  // A server that joins later still gets the fleet-wide tenant setting.
  r.registerServer(reg("c", "tcp://127.0.0.1:7703"), t0);
  auto replyC = r.applyTelemetry(beat("c"), t0);
  REQUIRE(replyC.commands.size() == 1);
  CHECK(replyC.commands[0].tenant == "alice");
  CHECK(replyC.commands[0].priority == 2);
  CHECK(replyC.commands[0].memoryQuotaBytes == 4ull << 30);
  // Without a class, the servers keep whatever the sessions ask for...
  TenantSetting bob{1.0, 0};
  CHECK(r.setTenantWeight("c", "bob", bob));
  auto replyC2 = r.applyTelemetry(beat("c"), t0);
  REQUIRE(replyC2.commands.size() == 1);
  CHECK(replyC2.commands[0].priority == wooly::protocol::kKeepPriority);
  // ...or the class set before: a new weight alone does not drop it.
  TenantSetting alice2{5.0, 0};
  CHECK(r.setTenantWeight("", "alice", alice2));
  CHECK(alice2.priority == 2);
  CHECK(r.fleetTenantSettings().at("alice").priority == 2);
  auto replyC3 = r.applyTelemetry(beat("c"), t0);
  REQUIRE(replyC3.commands.size() == 1);
  CHECK(replyC3.commands[0].priority == 2);
  CHECK(replyC3.commands[0].weight == 5.0);

  // Cleared: every server is told, and a later one gets nothing for alice.
  CHECK(r.clearTenant("", "alice"));
  CHECK_FALSE(r.clearTenant("nope", "alice"));
  CHECK(r.fleetTenantSettings().count("alice") == 0);
  auto replyC4 = r.applyTelemetry(beat("c"), t0);
  REQUIRE(replyC4.commands.size() == 1);
  CHECK(replyC4.commands[0].kind == OperatorCommandKind::ClearTenant);
  CHECK(replyC4.commands[0].tenant == "alice");
  CHECK(r.find("c")->tenantSettings.count("alice") == 0);
  r.registerServer(reg("d", "tcp://127.0.0.1:7704"), t0);
  CHECK(r.applyTelemetry(beat("d"), t0).commands.empty());
}

TEST_CASE("a restart travels with the next telemetry reply, with its grace "
          "period",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  CHECK(r.requestRestart("a", 45000));
  CHECK_FALSE(r.requestRestart("nope", 1000));
  auto reply = r.applyTelemetry(beat("a"), t0);
  REQUIRE(reply.commands.size() == 1);
  CHECK(reply.commands[0].kind == OperatorCommandKind::Restart);
  CHECK(reply.commands[0].graceMs == 45000);
  CHECK(r.applyTelemetry(beat("a"), t0).commands.empty()); // sent once
  CHECK_FALSE(r.find("a")->draining); // not a drain
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

TEST_CASE("a placement its client did not take gives its reservation back",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  r.registerServer(reg("a"), t0);
  r.applyTelemetry(beat("a"), t0);
  r.reserve("a", 1ull << 30, t0);
  r.reserve("a", 2ull << 30, t0);
  r.release("a", 2ull << 30);
  auto v = r.placementViews(t0 + 100ms);
  CHECK(v[0]->reservedBytes == (1ull << 30));
  CHECK(v[0]->sessions == 1);
  // Nothing of that size, or an unknown server: nothing changes.
  r.release("a", 5);
  r.release("nobody", 1ull << 30);
  CHECK(r.placementViews(t0 + 100ms)[0]->reservedBytes == (1ull << 30));
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

TEST_CASE("a down server silent for forgetAfter is forgotten",
          "[controller][registry]") {
  Registry r(500ms, 3, 60s);
  auto t0 = Clock::now();
  r.registerServer(reg("gone"), t0);
  r.registerServer(reg("alive", "tcp://127.0.0.1:7702"), t0);
  r.applyTelemetry(beat("gone"), t0 + 1s);
  for (auto t = t0; t <= t0 + 61s; t += 500ms) { // 60 s silent at 61 s
    r.applyTelemetry(beat("alive"), t);
    auto changes = r.checkHealth(t);
    CHECK(changes.forgotten.empty());
  }
  CHECK_FALSE(r.find("gone")->up); // down, kept for operators to see
  auto changes = r.checkHealth(t0 + 61s + 1ms);
  CHECK(changes.forgotten == std::vector<std::string>{"gone"});
  CHECK(r.find("gone") == nullptr);
  CHECK(r.find("alive") != nullptr);
  // It comes back: told to register, as after a controller restart.
  CHECK(r.applyTelemetry(beat("gone"), t0 + 70s).status ==
        TelemetryStatus::UnknownServer);
  CHECK(r.registerServer(reg("gone"), t0 + 70s).accepted);
  CHECK(r.find("gone")->up);
}

TEST_CASE("a full registry makes room by forgetting the server silent longest",
          "[controller][registry]") {
  Registry r(500ms);
  auto t0 = Clock::now();
  for (size_t i = 0; i < Registry::kMaxServers; ++i)
    REQUIRE(r.registerServer(reg("s" + std::to_string(i)), t0).accepted);
  // s5 and s9 fall silent, s9 first; everyone else keeps beating.
  r.applyTelemetry(beat("s5"), t0 + 2s);
  for (size_t i = 0; i < Registry::kMaxServers; ++i)
    if (i != 5 && i != 9)
      r.applyTelemetry(beat("s" + std::to_string(i)), t0 + 10s);
  auto changes = r.checkHealth(t0 + 10s);
  CHECK(changes.markedDown == std::vector<std::string>{"s5", "s9"});
  CHECK(r.registerServer(reg("new1"), t0 + 10s).accepted);
  CHECK(r.find("s9") == nullptr);
  CHECK(r.find("s5") != nullptr);
  CHECK(r.registerServer(reg("new2"), t0 + 10s).accepted);
  CHECK(r.find("s5") == nullptr);
  auto refused = r.registerServer(reg("new3"), t0 + 10s);
  CHECK_FALSE(refused.accepted); // only live servers left
  CHECK(r.servers().size() == Registry::kMaxServers);
}
