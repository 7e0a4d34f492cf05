//===- AdvertiseTest.cpp - the endpoint woolyd registers with its controller ===//
#include "daemon/Advertise.h"

#include <catch2/catch.hpp>

using namespace wooly::daemon;

TEST_CASE("wildcard binds are told apart from addresses", "[daemon][advertise]") {
  CHECK(isWildcardTcp("tcp://0.0.0.0:7701"));
  CHECK(isWildcardTcp("tcp://*:7701"));
  CHECK(isWildcardTcp("tcp://[::]:7701"));
  CHECK_FALSE(isWildcardTcp("tcp://127.0.0.1:7701"));
  CHECK_FALSE(isWildcardTcp("tcp://[::1]:7701"));
  CHECK_FALSE(isWildcardTcp("ipc:///run/wooly/woolyd.sock"));
  CHECK_FALSE(isWildcardTcp("tcp://0.0.0.0"));
}

TEST_CASE("a wildcard bind registers the address toward the controller",
          "[daemon][advertise]") {
  std::string asked, why;
  auto toward = [&](const std::string &url) {
    asked = url;
    return std::string("10.0.0.5");
  };
  CHECK(advertisedEndpoint("tcp://0.0.0.0:7701", "", "tcp://ctl:7700", why,
                           toward) == "tcp://10.0.0.5:7701");
  CHECK(asked == "tcp://ctl:7700");
  CHECK_THAT(why, Catch::Contains("every interface"));
  CHECK(advertisedEndpoint("tcp://[::]:7701", "", "tcp://ctl:7700", why,
                           [](const std::string &) {
                             return std::string("fd00::2");
                           }) == "tcp://[fd00::2]:7701");
  // No route to the controller: the bound endpoint, and what to do.
  CHECK(advertisedEndpoint("tcp://0.0.0.0:7701", "", "tcp://ctl:7700", why,
                           [](const std::string &) { return std::string(); }) ==
        "tcp://0.0.0.0:7701");
  CHECK_THAT(why, Catch::Contains("--advertise"));
}

TEST_CASE("what --advertise says wins, and a specific bind is registered as it is",
          "[daemon][advertise]") {
  std::string why;
  auto never = [](const std::string &) -> std::string {
    FAIL("no address lookup expected");
    return "";
  };
  CHECK(advertisedEndpoint("tcp://0.0.0.0:7701", "tcp://gpu-7.example:7701",
                           "tcp://ctl:7700", why,
                           never) == "tcp://gpu-7.example:7701");
  CHECK_THAT(why, Catch::Contains("--advertise"));
  CHECK(advertisedEndpoint("tcp://10.1.2.3:7701", "", "tcp://ctl:7700", why,
                           never) == "tcp://10.1.2.3:7701");
}

TEST_CASE("the local address toward a host is the one the route picks",
          "[daemon][advertise]") {
  CHECK(localAddressToward("tcp://127.0.0.1:7700") == "127.0.0.1");
  CHECK(localAddressToward("ipc:///run/wooly/ctl.sock").empty());
  CHECK(localAddressToward("tcp://no-such-host.invalid:7700").empty());
}
