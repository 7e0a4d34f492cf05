//===- LosableExecutor.h - the host executor, lost when a test says -*- C++ -*-===//
//
// A GPU executor is lost when a kernel's fault poisons its context, and
// woolyd then replaces itself (daemon/Restart.h). The host executor never
// is; this one forwards everything to a real host executor and answers
// lost() with what the test set, so the server's and the client's side of
// a restart run without a GPU.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_DAEMON_LOSABLEEXECUTOR_H
#define WOOLY_TEST_UNIT_DAEMON_LOSABLEEXECUTOR_H

#include "runtime/exec/Executor.h"

#include <mutex>

namespace wooly::test {

class LosableExecutor : public exec::Executor {
public:
  explicit LosableExecutor(std::unique_ptr<exec::Executor> host)
      : host_(std::move(host)) {}
  const exec::DeviceInfo &info() const override { return host_->info(); }
  exec::Status createContext(const exec::ContextOptions &options,
                             std::unique_ptr<exec::Context> &out) override {
    return host_->createContext(options, out);
  }
  double busyFraction() override { return host_->busyFraction(); }
  uint64_t memoryUsed() const override { return host_->memoryUsed(); }
  std::string lost() const override {
    std::lock_guard lock(mutex_);
    return why_;
  }
  /// `why` empty: serving again.
  void setLost(std::string why) {
    std::lock_guard lock(mutex_);
    why_ = std::move(why);
  }

private:
  std::unique_ptr<exec::Executor> host_;
  mutable std::mutex mutex_;
  std::string why_;
};

} // namespace wooly::test

#endif // WOOLY_TEST_UNIT_DAEMON_LOSABLEEXECUTOR_H
