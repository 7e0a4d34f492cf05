//===- WakeSignalTests.cpp - Futex wake-ups of the host executor ----------===//
//
// WakeSignal is what idle workers and waiting callers sleep on. What must
// hold: a notify reaches a sleeper, notifyAll reaches every one, and no
// notify between a waiter's check (under the mutex) and its sleep is lost.
// A lost wake-up shows as a hang; the futures below turn it into a failure.
//
//===----------------------------------------------------------------------===//
#include "runtime/exec/host/WakeSignal.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using wooly::exec::host::WakeSignal;

namespace {

/// Whether `f` finished within a bound generous enough for a loaded CI
/// machine (a lost wake-up never finishes).
bool finishes(std::future<void> &f) {
  return f.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
}

} // namespace

TEST_CASE("notifyOne wakes a sleeping waiter, notifyAll every one",
          "[host][wakesignal]") {
  std::mutex mutex;
  WakeSignal signal;
  int turn = 0;
  constexpr int kWaiters = 4;
  std::vector<std::future<void>> waiters;
  std::atomic<int> asleep{0};
  for (int i = 0; i < kWaiters; ++i)
    waiters.push_back(std::async(std::launch::async, [&] {
      std::unique_lock<std::mutex> lock(mutex);
      asleep++;
      signal.wait(lock, [&] { return turn > 0; });
      turn--; // each waiter consumes one turn
    }));
  while (asleep < kWaiters)
    std::this_thread::yield();
  // One turn and one notify: one waiter leaves, the rest sleep on.
  {
    std::lock_guard<std::mutex> lock(mutex);
    turn = 1;
  }
  signal.notifyOne();
  auto leftOne = [&] {
    int done = 0;
    for (auto &w : waiters)
      done += w.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
    return done;
  };
  for (int i = 0; i < 60000 && leftOne() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(leftOne() == 1);
  // Turns for everyone else and one notifyAll.
  {
    std::lock_guard<std::mutex> lock(mutex);
    turn = kWaiters - 1;
  }
  signal.notifyAll();
  for (auto &w : waiters)
    CHECK(finishes(w));
  CHECK(turn == 0);
}

TEST_CASE("no wake-up is lost between a waiter's check and its sleep",
          "[host][wakesignal]") {
  // Two threads hand a token back and forth, each notifying right after
  // its change, so notifies keep landing in the other's window between
  // unlocking and sleeping.
  std::mutex mutex;
  WakeSignal pingSignal, pongSignal;
  int token = 0; // even: ping's turn, odd: pong's turn
  constexpr int kRounds = 20000;
  auto player = [&](int parity, WakeSignal &mine, WakeSignal &theirs) {
    for (int i = 0; i < kRounds; ++i) {
      std::unique_lock<std::mutex> lock(mutex);
      mine.wait(lock, [&] { return token % 2 == parity; });
      token++;
      lock.unlock();
      theirs.notifyOne();
    }
  };
  auto ping = std::async(std::launch::async, player, 0, std::ref(pingSignal),
                         std::ref(pongSignal));
  auto pong = std::async(std::launch::async, player, 1, std::ref(pongSignal),
                         std::ref(pingSignal));
  REQUIRE(finishes(ping));
  REQUIRE(finishes(pong));
  CHECK(token == 2 * kRounds);
}
