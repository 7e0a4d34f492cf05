//===- OperatorStateTest.cpp - What operators set, across a restart -------===//

#include "daemon/OperatorState.h"

#include <catch2/catch.hpp>

using namespace wooly::daemon;
using wooly::exec::PriorityClass;

TEST_CASE("operators' settings survive their one-line form", "[restart]") {
  OperatorState state;
  state.draining = true;
  state.tenants = {{"team a (ml)", 3, PriorityClass::LatencySensitive, 0},
                   {"b=c,d", std::nullopt, std::nullopt, 4ull << 30},
                   {"\xc3\xa9t\xc3\xa9", 1000, PriorityClass::BestEffort, 1}};
  std::string text = encodeOperatorState(state);
  CHECK(text.find(' ', text.find("t=")) != std::string::npos);
  CHECK(text.find("team a") == std::string::npos); // names travel as hex
  std::string error;
  auto back = decodeOperatorState(text, error);
  REQUIRE(back);
  CHECK(*back == state);
  CHECK(decodeOperatorState(encodeOperatorState({}), error) == OperatorState{});
}

TEST_CASE("a damaged operator state is refused, saying why", "[restart]") {
  std::string error;
  for (const char *bad :
       {"", "wooly-operator-state", "wooly-operator-state 2 d=0",
        "something-else 1 d=0", "wooly-operator-state 1",
        "wooly-operator-state 1 d=2", "wooly-operator-state 1 d=0 x=1",
        "wooly-operator-state 1 d=0 t=61,1,1", "wooly-operator-state 1 d=0 t=,1,1,0",
        "wooly-operator-state 1 d=0 t=6,1,1,0", "wooly-operator-state 1 d=0 t=zz,1,1,0",
        "wooly-operator-state 1 d=0 t=61,1001,1,0",
        "wooly-operator-state 1 d=0 t=61,1,3,0",
        "wooly-operator-state 1 d=0 t=61,1,1,-5",
        "wooly-operator-state 1 d=0 t=61,1,1,99999999999999999999"}) {
    error.clear();
    CHECK_FALSE(decodeOperatorState(bad, error));
    CHECK_FALSE(error.empty());
  }
}
