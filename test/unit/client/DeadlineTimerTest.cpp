//===- DeadlineTimerTest.cpp - The batch flusher's timer ------------------===//
//
// What the connection relies on: an armed timer fires once, after its
// deadline and on its own thread; arming again replaces the deadline;
// a disarmed or destroyed timer does not fire. Nothing is timed against a
// bound except "not before the deadline" (steady_clock) and a generous
// upper bound that only turns a hang into a failure.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/core/DeadlineTimer.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

using wooly::client::DeadlineTimer;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

bool eventually(const std::function<bool()> &happened) {
  for (int i = 0; i < 30000 && !happened(); ++i)
    std::this_thread::sleep_for(1ms);
  return happened();
}

} // namespace

TEST_CASE("an armed timer fires once, after its deadline, on its own thread",
          "[client][timer]") {
  std::atomic<int> fired{0};
  std::atomic<int64_t> firedAt{0};
  std::thread::id callbackThread;
  DeadlineTimer timer(
      [&] {
        callbackThread = std::this_thread::get_id();
        firedAt = Clock::now().time_since_epoch().count();
        fired++;
      },
      "test-timer");
  REQUIRE(timer.ok());
  auto deadline = Clock::now() + 20ms;
  timer.arm(deadline);
  REQUIRE(eventually([&] { return fired.load() == 1; }));
  CHECK(firedAt.load() >= deadline.time_since_epoch().count());
  CHECK(callbackThread != std::this_thread::get_id());
  std::this_thread::sleep_for(50ms);
  CHECK(fired.load() == 1); // one-shot
  // A deadline already past fires at once.
  timer.arm(Clock::now() - 1s);
  REQUIRE(eventually([&] { return fired.load() == 2; }));
}

TEST_CASE("arming again replaces the deadline; a disarmed timer stays quiet",
          "[client][timer]") {
  std::atomic<int> fired{0};
  std::atomic<int64_t> firedAt{0};
  DeadlineTimer timer(
      [&] {
        firedAt = Clock::now().time_since_epoch().count();
        fired++;
      },
      "test-timer");
  REQUIRE(timer.ok());
  // Deadlines far enough ahead that a descheduled test thread (a loaded
  // CI machine) does not see the first one pass before it is replaced.
  timer.arm(Clock::now() + 300ms);
  auto later = Clock::now() + 600ms;
  timer.arm(later); // replaces the first deadline
  REQUIRE(eventually([&] { return fired.load() == 1; }));
  CHECK(firedAt.load() >= later.time_since_epoch().count());

  timer.arm(Clock::now() + 300ms);
  timer.disarm();
  std::this_thread::sleep_for(500ms);
  CHECK(fired.load() == 1);
}

TEST_CASE("a destroyed timer never calls back", "[client][timer]") {
  std::atomic<int> fired{0};
  {
    DeadlineTimer timer([&] { fired++; }, "test-timer");
    REQUIRE(timer.ok());
    timer.arm(Clock::now() + 300ms);
  }
  std::this_thread::sleep_for(500ms);
  CHECK(fired.load() == 0);
}
