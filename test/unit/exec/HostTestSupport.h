//===- HostTestSupport.h - Helpers for host executor tests ------*- C++ -*-===//
#ifndef WOOLY_TEST_UNIT_EXEC_HOSTTESTSUPPORT_H
#define WOOLY_TEST_UNIT_EXEC_HOSTTESTSUPPORT_H

#include "runtime/exec/Executor.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace wooly::test {

/// One executor (two workers, a private cache folder) shared by the tests of
/// a binary: starting the JIT once keeps the suite fast.
exec::Executor &hostExecutor();

/// A fresh context of the shared executor.
std::unique_ptr<exec::Context> newContext(bool fencing = true);

inline std::span<const uint8_t> bytesOf(const std::string &text) {
  return {reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

/// Packs kernel arguments by the layout the executor reports.
class Args {
public:
  explicit Args(const exec::KernelInfo &info) : info(info), buffer(info.argBufferSize) {}
  template <typename T> Args &set(size_t index, T value) {
    REQUIRE(index < info.params.size());
    REQUIRE(sizeof(T) == info.params[index].size);
    std::memcpy(buffer.data() + info.params[index].offset, &value, sizeof(T));
    return *this;
  }
  std::span<const uint8_t> bytes() const { return buffer; }

private:
  exec::KernelInfo info;
  std::vector<uint8_t> buffer;
};

/// Loads `wis` and returns kernel `name` of it (REQUIREs success).
exec::FunctionId loadKernel(exec::Context &ctx, const std::string &wis,
                            const std::string &name, exec::KernelInfo &info);

template <typename T>
exec::DevicePtr upload(exec::Context &ctx, const std::vector<T> &data) {
  exec::DevicePtr p = 0;
  REQUIRE(ctx.allocate(data.size() * sizeof(T), p));
  REQUIRE(ctx.copyToDevice(p, data.data(), data.size() * sizeof(T), 0));
  // Copies are asynchronous and `data` may be a temporary.
  REQUIRE(ctx.synchronize(0));
  return p;
}

template <typename T>
std::vector<T> download(exec::Context &ctx, exec::DevicePtr p, size_t count) {
  std::vector<T> out(count);
  REQUIRE(ctx.copyToHost(out.data(), p, count * sizeof(T), 0));
  exec::Status s = ctx.synchronize(0);
  INFO(s.message);
  REQUIRE(s);
  return out;
}

exec::Status launch(exec::Context &ctx, exec::FunctionId fn, exec::Dim3 grid,
                    exec::Dim3 block, const Args &args, uint32_t shared = 0);

} // namespace wooly::test

#endif
