//===- DeadlineTimer.cpp - A one-shot timer with a thread of its own -----===//
#include "runtime/client/core/DeadlineTimer.h"

#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace wooly::client {

static_assert(std::chrono::steady_clock::is_steady);

DeadlineTimer::DeadlineTimer(std::function<void()> onExpiry,
                             const char *threadName)
    : onExpiry_(std::move(onExpiry)) {
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  stop_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (ok())
    thread_ = std::thread(&DeadlineTimer::loop, this, std::string(threadName));
}

DeadlineTimer::~DeadlineTimer() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_, &one, sizeof one);
    thread_.join();
  }
  if (timer_ >= 0)
    close(timer_);
  if (stop_ >= 0)
    close(stop_);
}

void DeadlineTimer::arm(std::chrono::steady_clock::time_point when) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                when.time_since_epoch())
                .count();
  if (ns <= 0)
    ns = 1; // an all-zero value would disarm
  itimerspec spec{};
  spec.it_value.tv_sec = ns / 1'000'000'000;
  spec.it_value.tv_nsec = ns % 1'000'000'000;
  arms_.fetch_add(1, std::memory_order_release);
  timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void DeadlineTimer::disarm() {
  itimerspec none{};
  timerfd_settime(timer_, 0, &none, nullptr);
}

void DeadlineTimer::loop(std::string threadName) {
  pthread_setname_np(pthread_self(), threadName.substr(0, 15).c_str());
  pollfd fds[] = {{timer_, POLLIN, 0}, {stop_, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if (fds[1].revents)
      return;
    uint64_t expirations = 0;
    // Re-arming between the expiry and this read clears it (EAGAIN): then
    // the new deadline has not passed and nothing is due.
    if (read(timer_, &expirations, sizeof expirations) ==
            static_cast<ssize_t>(sizeof expirations) &&
        expirations) {
      (void)arms_.load(std::memory_order_acquire);
      onExpiry_();
    }
  }
}

} // namespace wooly::client
