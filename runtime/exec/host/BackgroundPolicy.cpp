//===- BackgroundPolicy.cpp - Best-effort work under SCHED_IDLE ----------===//
#include "runtime/exec/host/BackgroundPolicy.h"

#include <cerrno>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace wooly::exec::host {

static int tid() { return static_cast<int>(syscall(SYS_gettid)); }

bool BackgroundPolicy::usableHere() {
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, tid());
  // Entering SCHED_IDLE is always allowed; leaving it needs root or an
  // RLIMIT_NICE whose ceiling (20 - limit) reaches the thread's nice.
  struct rlimit limit;
  bool mayReturn = geteuid() == 0 ||
                   (getrlimit(RLIMIT_NICE, &limit) == 0 &&
                    20 - static_cast<long>(limit.rlim_cur) <= nice);
  return errno == 0 && mayReturn && sched_getscheduler(0) == SCHED_OTHER;
}

bool BackgroundPolicy::entryAllowed() {
  bool allowed = false;
  std::thread probe([&] {
    sched_param none{};
    allowed = pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) == 0;
  });
  probe.join();
  return allowed;
}

void BackgroundPolicy::enterForGood() {
  sched_param none{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
  setpriority(PRIO_PROCESS, tid(), 19);
}

BackgroundPolicy::BackgroundPolicy(bool usable) : usable(usable) {
  errno = 0;
  int n = getpriority(PRIO_PROCESS, tid());
  if (errno == 0)
    normalNice = n;
}

void BackgroundPolicy::forClass(PriorityClass priority) {
  if (usable)
    set(priority == PriorityClass::BestEffort);
}

void BackgroundPolicy::set(bool idle) {
  if (idle == background)
    return;
  sched_param none{};
  if (idle) {
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) != 0)
      return;
    background = true;
    setpriority(PRIO_PROCESS, tid(), 19); // reschedules this core now
    return;
  }
  setpriority(PRIO_PROCESS, tid(), normalNice);
  if (pthread_setschedparam(pthread_self(), SCHED_OTHER, &none) == 0)
    background = false;
}

} // namespace wooly::exec::host
