// Placement policy on constructed fleets: filters, spread vs binpack, ties,
// affinity, and the explanations of refusals.
#include "controller/Placement.h"

#include <catch2/catch.hpp>

using namespace wooly::controller;
using namespace wooly::protocol;

namespace {

constexpr uint64_t GiB = 1ull << 30;

ServerView server(std::string name, uint64_t totalGiB, uint64_t usedGiB,
                  double busy, std::string vendor = "nvidia",
                  std::string arch = "sm_90") {
  ServerView s;
  s.name = name;
  s.endpoint = "tcp://" + name + ":7701";
  s.publicKey = "key-" + name;
  s.devices = {{vendor, arch, totalGiB * GiB, usedGiB * GiB, busy}};
  return s;
}

PlacementRequestMsg need(uint64_t gib, std::string tenant = "alice") {
  PlacementRequestMsg r;
  r.memoryBytes = gib * GiB;
  r.tenant = tenant;
  return r;
}

} // namespace

TEST_CASE("spread picks the least loaded server", "[controller][placement]") {
  std::vector<ServerView> fleet = {server("a", 80, 60, 0.9),
                                   server("b", 80, 10, 0.1),
                                   server("c", 80, 40, 0.5)};
  Decision d = decidePlacement(fleet, need(4), Policy::Spread);
  REQUIRE(d.placed);
  CHECK(d.server == "b");
  CHECK(d.endpoint == "tcp://b:7701");
  CHECK(d.publicKey == "key-b");
  REQUIRE(d.candidates.size() == 3);
  CHECK(d.candidates[0].server == "b");
  CHECK(d.candidates[1].server == "c");
  CHECK(d.candidates[2].server == "a");
  CHECK(d.candidates[0].score > d.candidates[1].score);
  CHECK_THAT(d.explanation,
             Catch::Contains("spread") && Catch::Contains("runner-up c"));
}

TEST_CASE("binpack fills the fullest server that still fits",
          "[controller][placement]") {
  std::vector<ServerView> fleet = {server("a", 80, 60, 0.2),
                                   server("b", 80, 10, 0.2),
                                   server("c", 80, 78, 0.2)};
  Decision d = decidePlacement(fleet, need(4), Policy::Binpack);
  REQUIRE(d.placed);
  CHECK(d.server == "a"); // c has only 2 GiB free
  CHECK(d.policy == Policy::Binpack);
  SECTION("the request may override the controller's policy") {
    auto r = need(4);
    r.policy = "spread";
    CHECK(decidePlacement(fleet, r, Policy::Binpack).server == "b");
  }
}

TEST_CASE("filters: down, draining, restarting, vendor, arch, memory",
          "[controller][placement]") {
  auto down = server("down", 80, 0, 0);
  down.up = false;
  down.msSinceHeartbeat = 2100;
  auto draining = server("draining", 80, 0, 0);
  draining.draining = true;
  auto restarting = server("restarting", 80, 0, 0);
  restarting.restarting = true;
  auto amd = server("amd", 192, 0, 0, "amd", "gfx942");
  auto ampere = server("ampere", 40, 0, 0, "nvidia", "sm_80");
  auto full = server("full", 80, 79, 0);
  auto ok = server("ok", 80, 70, 0.9);
  std::vector<ServerView> fleet = {down,   draining, restarting, amd,
                                   ampere, full,     ok};

  auto r = need(8);
  r.vendor = "nvidia";
  r.arch = "sm_90";
  Decision d = decidePlacement(fleet, r, Policy::Spread);
  REQUIRE(d.placed);
  CHECK(d.server == "ok");
  auto reason = [&](const std::string &name) {
    for (auto &c : d.candidates)
      if (c.server == name)
        return c.reason;
    return std::string("?");
  };
  CHECK(reason("down") == "down (no heartbeat for 2.1 s)");
  CHECK(reason("draining") == "draining");
  CHECK(reason("restarting") == "restarting (an operator's woolyd --restart "
                                "waits for its sessions to end)");
  CHECK(reason("amd") == "no nvidia device (has amd)");
  CHECK(reason("ampere") == "no device of arch sm_90 (has sm_80)");
  CHECK(reason("full") ==
        "not enough free memory (needs 8.0 GiB, has 1.0 GiB)");
  CHECK_THAT(d.explanation, Catch::Contains("filtered out"));
}

TEST_CASE("a refusal says why for every server", "[controller][placement]") {
  auto a = server("a", 16, 15, 0);
  auto b = server("b", 16, 0, 0);
  b.draining = true;
  Decision d = decidePlacement({a, b}, need(4), Policy::Spread);
  CHECK_FALSE(d.placed);
  CHECK(d.explanation ==
        "no server can take this: a: not enough free memory (needs 4.0 GiB, "
        "has 1.0 GiB); b: draining");
  Decision none =
      decidePlacement(std::vector<ServerView>{}, need(1), Policy::Spread);
  CHECK_FALSE(none.placed);
  CHECK_THAT(none.explanation, Catch::StartsWith("no server can take this: no "
                                                 "servers are registered"));
}

TEST_CASE("ties go to the smaller name", "[controller][placement]") {
  std::vector<ServerView> fleet = {server("zeta", 80, 10, 0.3),
                                   server("alpha", 80, 10, 0.3),
                                   server("mid", 80, 10, 0.3)};
  for (Policy p : {Policy::Spread, Policy::Binpack}) {
    Decision d = decidePlacement(fleet, need(1), p);
    CHECK(d.server == "alpha");
    CHECK(d.candidates[1].server == "mid");
  }
}

TEST_CASE("tenant affinity breaks near-ties", "[controller][placement]") {
  auto a = server("a", 80, 10, 0.3);
  auto b = server("b", 80, 10, 0.3);
  b.sessions = 1;
  b.tenants = {"alice"};
  a.sessions = 1;
  a.tenants = {"bob"};
  CHECK(decidePlacement({a, b}, need(1, "alice"), Policy::Spread).server ==
        "b");
  CHECK(decidePlacement({a, b}, need(1, "bob"), Policy::Spread).server == "a");
  CHECK(decidePlacement({a, b}, need(1, "carol"), Policy::Spread).server ==
        "a");
}

TEST_CASE("reserved memory counts against free memory",
          "[controller][placement]") {
  auto a = server("a", 16, 0, 0);
  a.reservedBytes = 14 * GiB;
  auto b = server("b", 16, 8, 0.5);
  Decision d = decidePlacement({a, b}, need(4), Policy::Spread);
  CHECK(d.server == "b");
}

TEST_CASE("interactive work avoids busy servers more than batch",
          "[controller][placement]") {
  // a: lots of free memory but busy; b: less memory, idle.
  auto a = server("a", 80, 0, 0.7);
  auto b = server("b", 80, 50, 0.0);
  auto r = need(1);
  r.priority = PriorityClass::Interactive;
  CHECK(decidePlacement({a, b}, r, Policy::Spread).server == "b");
  r.priority = PriorityClass::Batch;
  a.queueDepth = 0;
  Decision batch = decidePlacement({a, b}, r, Policy::Spread);
  // Batch ranks the two closer together than interactive does.
  Decision inter = decidePlacement(
      {a, b},
      [&] {
        auto x = r;
        x.priority = PriorityClass::Interactive;
        return x;
      }(),
      Policy::Spread);
  double batchGap = batch.candidates[0].score - batch.candidates[1].score;
  double interGap = inter.candidates[0].score - inter.candidates[1].score;
  CHECK(std::abs(batchGap) < std::abs(interGap));
}

TEST_CASE("policy names", "[controller][placement]") {
  CHECK(parsePolicy("spread") == Policy::Spread);
  CHECK(parsePolicy("binpack") == Policy::Binpack);
  CHECK_FALSE(parsePolicy("random"));
}

TEST_CASE("a request may avoid a server, which says why it was left out",
          "[controller][placement]") {
  std::vector<ServerView> fleet = {server("a", 80, 0, 0.0),
                                   server("b", 80, 40, 0.5)};
  CHECK(decidePlacement(fleet, need(4), Policy::Spread).server == "a");
  auto r = need(4);
  r.avoid = "a";
  Decision d = decidePlacement(fleet, r, Policy::Spread);
  REQUIRE(d.placed);
  CHECK(d.server == "b");
  REQUIRE(d.candidates.size() == 2);
  CHECK(d.candidates[1].server == "a");
  CHECK_FALSE(d.candidates[1].eligible);
  CHECK_THAT(d.candidates[1].reason, Catch::Contains("restarting"));
  SECTION("avoiding the only server refuses, naming it") {
    std::vector<ServerView> one = {server("a", 80, 0, 0.0)};
    Decision none = decidePlacement(one, r, Policy::Spread);
    CHECK_FALSE(none.placed);
    CHECK_THAT(none.explanation,
               Catch::Contains("no server can take this") &&
                   Catch::Contains("a: avoided by the client"));
  }
}
