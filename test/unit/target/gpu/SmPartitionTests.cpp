// Best-effort sessions on an SM partition (SmPartition.h): how many SMs the
// partition gets, and which of a GpuContext's streams use it (over a
// host-memory driver table that counts the streams it makes).

#include "test/unit/target/gpu/HostMemoryApi.h"

#include "runtime/exec/gpu/GpuContext.h"
#include "runtime/exec/gpu/SmPartition.h"

#include <catch2/catch.hpp>

using namespace wooly::exec;
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
