// GpuContext's side of device printf over a driver table that keeps device
// memory in host memory: the buffer is made when a module that prints is
// loaded and its address and tag are written into the module's
// __wooly_printf; takePrintfOutput reads what kernels wrote (records put in
// place here as GpuPrintfABI.h lays them out), resets the buffer, waits
// while a stream is busy, and keeps an unloaded module's formats until its
// records are read.

#include "test/unit/target/gpu/HostMemoryApi.h"

#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/gpu/GpuContext.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <memory>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using wooly::exec::gpu::testing::HostMemoryApi;
namespace abi = wooly::gpu::printf_abi;

namespace {

/// Appends a record the way a kernel does: reserve, then write.
void printRecord(uint8_t *buffer, uint32_t tag, uint32_t format,
                 std::vector<int32_t> ints) {
  uint64_t reserved = 0;
  uint32_t capacity = 0;
  std::memcpy(&reserved, buffer + abi::kReservedOffset, 8);
  std::memcpy(&capacity, buffer + abi::kCapacityOffset, 4);
  uint32_t argBytes = static_cast<uint32_t>(ints.size() * 4);
  uint32_t size =
      static_cast<uint32_t>(abi::kRecordHeaderBytes + (argBytes + 7) / 8 * 8);
  REQUIRE(reserved + size <= capacity);
  uint8_t *record = buffer + abi::kHeaderBytes + reserved;
  uint32_t header[4] = {size, tag, format, argBytes};
  std::memcpy(record, header, sizeof header);
  std::memcpy(record + abi::kRecordHeaderBytes, ints.data(), argBytes);
  reserved += size;
  std::memcpy(buffer + abi::kReservedOffset, &reserved, 8);
}

struct Fixture {
  HostMemoryApi api;
  DeviceInfo device;
  std::unique_ptr<Context> context;
  std::vector<std::string> formats = {"a=%d\n", "b=%d c=%d\n"};

  Fixture() {
    device.totalMemory = 1 << 30;
    ContextOptions options;
    options.addressFencing = false; // no arena in host memory
    ModuleCompiler compiler = [this](std::span<const uint8_t>, bool,
                                     CompiledModule &out) {
      out.image = {0};
      KernelInfo kernel;
      kernel.name = "k";
      kernel.maxThreadsPerBlock = 1024;
      out.kernels = {kernel};
      out.printfFormats = formats;
      return Status::ok();
    };
    REQUIRE(GpuContext::create(api, device, options, compiler, context));
  }

  ModuleId load() {
    ModuleId id = 0;
    uint8_t wis[1] = {1};
    REQUIRE(context->loadModule(wis, id));
    return id;
  }

  /// Launches kernel `k` of `module` (a kernel that may print).
  void launch(ModuleId module) {
    FunctionId fn = 0;
    KernelInfo info;
    REQUIRE(context->getFunction(module, "k", fn, info));
    REQUIRE(context->launch(fn, LaunchConfig{}, {}, 0));
  }

  /// The buffer and tag the context wrote into the index-th loaded module.
  std::pair<uint8_t *, uint32_t> slotOf(size_t index) {
    REQUIRE(index < api.loaded.size());
    uint64_t *slot = api.loaded[index];
    return {reinterpret_cast<uint8_t *>(slot[0]),
            static_cast<uint32_t>(slot[1])};
  }
};

} // namespace

TEST_CASE("a GPU context drains its printf buffer at synchronization",
          "[gpu][printf]") {
  Fixture f;
  CHECK(f.context->takePrintfOutput().empty()); // nothing loaded yet
  ModuleId module = f.load();
  REQUIRE(f.api.allocations.size() == 1); // the buffer, outside the quota
  CHECK(f.context->memoryUsage().allocatedBytes == 0);
  auto [buffer, tag] = f.slotOf(0);
  REQUIRE(buffer != nullptr);
  CHECK(tag == module);
  // Header: nothing reserved, the capacity behind it; records zeroed.
  uint32_t capacity = 0;
  std::memcpy(&capacity, buffer + abi::kCapacityOffset, 4);
  CHECK(capacity == (4u << 20) - abi::kHeaderBytes);
  CHECK(buffer[abi::kHeaderBytes] == 0);
  CHECK(f.context->takePrintfOutput().empty());

  f.launch(module);
  printRecord(buffer, tag, 0, {5});
  printRecord(buffer, tag, 1, {6, 7});
  CHECK(f.context->takePrintfOutput() == "a=5\nb=6 c=7\n");
  // Reset: the next drain is empty, and records start at the beginning.
  uint64_t reserved = 1;
  std::memcpy(&reserved, buffer + abi::kReservedOffset, 8);
  CHECK(reserved == 0);
  // Without a launch since, a synchronization does not read the buffer.
  int readBacks = f.api.readBacks;
  CHECK(f.context->takePrintfOutput().empty());
  CHECK(f.api.readBacks == readBacks);
  f.launch(module);
  printRecord(buffer, tag, 0, {8});
  CHECK(f.context->takePrintfOutput() == "a=8\n");

  // Dropped records are reported once.
  f.launch(module);
  uint32_t dropped = 4;
  std::memcpy(buffer + abi::kDroppedOffset, &dropped, 4);
  CHECK(f.context->takePrintfOutput() ==
        "printf buffer full, 4 records lost\n");
  CHECK(f.context->takePrintfOutput().empty());
}

TEST_CASE("a GPU context reads back no more than its printf buffer",
          "[gpu][printf]") {
  // With fencing off a kernel can overwrite the buffer's header: a huge
  // capacity and reservation must not make the server allocate or copy
  // gigabytes (or read device memory past the buffer).
  Fixture f;
  ModuleId module = f.load();
  auto [buffer, tag] = f.slotOf(0);
  f.launch(module);
  printRecord(buffer, tag, 0, {5});
  uint32_t capacity = 0xffffffffu;
  uint64_t reserved = uint64_t(1) << 40;
  std::memcpy(buffer + abi::kCapacityOffset, &capacity, 4);
  std::memcpy(buffer + abi::kReservedOffset, &reserved, 8);
  std::string out = f.context->takePrintfOutput();
  CHECK(out.rfind("a=5\n", 0) == 0);
  CHECK(out.find("never completed") != std::string::npos);
  CHECK(f.api.largestReadBack <= (4u << 20) - abi::kHeaderBytes);
}

TEST_CASE("a GPU context keeps printf output while a stream is busy",
          "[gpu][printf]") {
  Fixture f;
  ModuleId module = f.load();
  auto [buffer, tag] = f.slotOf(0);
  f.launch(module);
  printRecord(buffer, tag, 0, {1});
  f.api.busy = true;
  CHECK(f.context->takePrintfOutput().empty());
  f.api.busy = false;
  printRecord(buffer, tag, 0, {2});
  CHECK(f.context->takePrintfOutput() == "a=1\na=2\n");

  // Two modules share the buffer, each with its tag; a module unloaded
  // before its records were read still has its formats.
  ModuleId second = f.load();
  auto [same, tag2] = f.slotOf(1);
  CHECK(same == buffer);
  CHECK(tag2 == second);
  CHECK(f.api.allocations.size() == 1);
  f.launch(second);
  f.launch(module);
  printRecord(buffer, tag2, 1, {3, 4});
  printRecord(buffer, tag, 0, {5});
  CHECK(f.context->unloadModule(second));
  CHECK(f.context->takePrintfOutput() == "b=3 c=4\na=5\n");
  CHECK(f.context->unloadModule(module));
}

TEST_CASE("a module that prints without its printf slot fails to load",
          "[gpu][printf]") {
  Fixture f;
  f.api.modulesPrint = false;
  ModuleId id = 0;
  uint8_t wis[1] = {1};
  Status status = f.context->loadModule(wis, id);
  CHECK(status.code == ErrorCode::Internal);
  CHECK(status.message.find("__wooly_printf") != std::string::npos);
  CHECK(f.api.modules.empty()); // unloaded again
}
