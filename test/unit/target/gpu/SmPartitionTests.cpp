// Best-effort sessions on an SM partition (SmPartition.h): how many SMs the
// partition gets, which of a GpuContext's streams use it (over a
// host-memory driver table that counts the streams it makes), and, on an
// NVIDIA device, that kernels run correctly on it.

#include "test/unit/target/gpu/DeviceTestSupport.h"
#include "test/unit/target/gpu/HostMemoryApi.h"

#include "runtime/exec/Executor.h"
#include "runtime/exec/gpu/GpuContext.h"
#include "runtime/exec/gpu/SmPartition.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>

using namespace wooly::exec;
using wooly::exec::gpu::testing::deviceExecutor;
using namespace wooly::exec::gpu;

TEST_CASE("the best-effort SM partition is a share the hardware can split",
          "[gpu][exec][partition]") {
  // H100: 132 SMs, partitions of 8 aligned to 8 (compute capability 9.x).
  CHECK(bestEffortSmCount(132, 8, 8, 50) == 64);
  CHECK(bestEffortSmCount(132, 8, 8, 25) == 32);
  CHECK(bestEffortSmCount(132, 8, 8, 1) == 8); // at least the minimum
  // The others must keep at least a minimum partition.
  CHECK(bestEffortSmCount(132, 8, 8, 95) == 120);
  CHECK(bestEffortSmCount(132, 8, 8, 99) == 0);
  CHECK(bestEffortSmCount(12, 8, 8, 50) == 0);  // too small to split
  CHECK(bestEffortSmCount(80, 4, 2, 30) == 24); // A100-like
  CHECK(bestEffortSmCount(80, 4, 0, 30) == 24); // no alignment given
  // Off.
  CHECK(bestEffortSmCount(132, 8, 8, 0) == 0);
  CHECK(bestEffortSmCount(132, 8, 8, 100) == 0);
  CHECK(bestEffortSmCount(0, 8, 8, 50) == 0);
}

namespace {

/// Counts the streams made on and off the partition; the partition can be
/// missing (NotSupported) or failing.
class PartitionApi final : public testing::HostMemoryApi {
public:
  Status partition = Status::ok();
  int whole = 0, partitioned = 0;
  std::vector<int> priorities;

  Status streamCreate(int priority, DriverStream &out) override {
    ++whole;
    priorities.push_back(priority);
    return HostMemoryApi::streamCreate(priority, out);
  }
  Status streamCreateBestEffort(int priority, DriverStream &out) override {
    if (!partition)
      return partition;
    ++partitioned;
    priorities.push_back(priority);
    return HostMemoryApi::streamCreate(priority, out);
  }
};

std::unique_ptr<Context> contextOn(PartitionApi &api, const DeviceInfo &device,
                                   PriorityClass priority) {
  ContextOptions options;
  options.addressFencing = false;
  options.priority = priority;
  std::unique_ptr<Context> context;
  REQUIRE(GpuContext::create(
      api, device, options,
      [](std::span<const uint8_t>, bool, CompiledModule &) {
        return Status::error(ErrorCode::NotSupported, "no modules here");
      },
      context));
  return context;
}

} // namespace

TEST_CASE("best-effort sessions' streams run on the SM partition where "
          "there is one",
          "[gpu][exec][partition]") {
  DeviceInfo device;
  device.totalMemory = 1 << 30;
  PartitionApi api;
  auto lazy = contextOn(api, device, PriorityClass::BestEffort);
  StreamId stream = 0;
  REQUIRE(lazy->createStream(0, stream));
  CHECK(api.partitioned == 2); // stream 0 and the new one
  CHECK(api.whole == 0);
  // At the least urgent priority (the test driver's range is 0 .. -5).
  CHECK(api.priorities == std::vector<int>{0, 0});

  auto normal = contextOn(api, device, PriorityClass::Normal);
  REQUIRE(normal->createStream(-3, stream));
  auto urgent = contextOn(api, device, PriorityClass::LatencySensitive);
  CHECK(api.partitioned == 2);
  CHECK(api.whole == 3);

  // A session that becomes best-effort moves its new streams.
  normal->setShare(1, PriorityClass::BestEffort);
  REQUIRE(normal->createStream(0, stream));
  CHECK(api.partitioned == 3);
}

TEST_CASE("without an SM partition best-effort sessions use the whole "
          "device, and a failing partition is an error",
          "[gpu][exec][partition]") {
  DeviceInfo device;
  device.totalMemory = 1 << 30;
  PartitionApi api;
  api.partition = Status::error(ErrorCode::NotSupported, "no green contexts");
  auto lazy = contextOn(api, device, PriorityClass::BestEffort);
  CHECK(api.whole == 1);
  CHECK(api.partitioned == 0);

  api.partition = Status::error(ErrorCode::OutOfMemory, "no streams left");
  StreamId stream = 0;
  CHECK(lazy->createStream(0, stream).code == ErrorCode::OutOfMemory);
  CHECK(api.whole == 1);
}

namespace {

const char *kIncrement = R"(
wooly.kernel @increment(%p: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %i = arith.addi %base, %tid : i32
  %inside = arith.cmpi slt, %i, %n : i32
  cf.cond_br %inside, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %offset = arith.muli %i64, %c4 : i64
  %q = wooly.ptradd %p, %offset : !wooly.ptr<global>, i64
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %one = arith.constant 1 : i32
  %w = arith.addi %v, %one : i32
  wooly.store %w, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.return
}
)";

} // namespace

TEST_CASE("best-effort kernels run on the cuda executor's SM partition",
          "[gpu][exec][device][partition]") {
  // The partition is opt-in; this device test turns it on for its process.
  setenv("WOOLY_CUDA_BEST_EFFORT_SM_PERCENT", "50", 1);
  std::unique_ptr<Executor> executor = deviceExecutor("cuda");
  if (!executor)
    return;
  ContextOptions options;
  options.memoryLimit = 64 << 20;
  options.priority = PriorityClass::BestEffort;
  std::unique_ptr<Context> context;
  REQUIRE(executor->createContext(options, context));
  std::string text = kIncrement;
  ModuleId module = 0;
  REQUIRE(context->loadModule(
      {reinterpret_cast<const uint8_t *>(text.data()), text.size()}, module));
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context->getFunction(module, "increment", fn, info));
  const int n = 1 << 20;
  std::vector<int32_t> values(n, 41);
  DevicePtr data = 0;
  REQUIRE(context->allocate(n * 4, data));
  StreamId stream = 0;
  REQUIRE(context->createStream(0, stream));
  for (StreamId s : {StreamId(0), stream}) {
    REQUIRE(context->copyToDevice(data, values.data(), n * 4, s));
    std::vector<uint8_t> args(info.argBufferSize);
    std::memcpy(args.data() + info.params[0].offset, &data, 8);
    std::memcpy(args.data() + info.params[1].offset, &n, 4);
    LaunchConfig config;
    config.grid = {n / 256, 1, 1};
    config.block = {256, 1, 1};
    // Kernels of a module loaded in the primary context, launched on a
    // green context's stream.
    REQUIRE(context->launch(fn, config, args, s));
    std::vector<int32_t> out(n, 0);
    REQUIRE(context->copyToHost(out.data(), data, n * 4, s));
    REQUIRE(context->synchronize(s));
    CHECK(
        std::all_of(out.begin(), out.end(), [](int32_t v) { return v == 42; }));
  }
  CHECK(context->free(data));
}
