// GpuContext's side of trap and assert containment (FaultRecord.h) over a
// driver table that keeps device memory in host memory: a module that can
// fault gets its context's record in its __wooly_fault slot; what a kernel
// writes there (put in place here as GpuFaultABI.h lays it out) reaches the
// session that launched it at its next synchronization, and only it; the
// session is over from then on. Records are read back only after a launch
// of such a module, and never with WOOLY_GPU_TRAPS=driver.

#include "test/unit/target/gpu/HostMemoryApi.h"

#include "compiler/target/gpu/GpuFaultABI.h"
#include "runtime/exec/gpu/FaultRecord.h"
#include "runtime/exec/gpu/GpuContext.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using wooly::exec::gpu::testing::HostMemoryApi;
namespace abi = wooly::gpu::fault_abi;

namespace {

/// Writes a record the way a faulting thread does.
void writeRecord(uint8_t *record, uint32_t kind, bool complete,
                 const char *message = "", const char *file = "",
                 uint32_t line = 0, const char *function = "") {
  std::memcpy(record + abi::kKindOffset, &kind, 4);
  const uint32_t place[6] = {4, 0, 0, 17, 1, 0};
  std::memcpy(record + abi::kBlockOffset, place, sizeof place);
  std::memcpy(record + abi::kLineOffset, &line, 4);
  std::strncpy(reinterpret_cast<char *>(record + abi::kMessageOffset), message,
               abi::kTextBytes - 1);
  std::strncpy(reinterpret_cast<char *>(record + abi::kFileOffset), file,
               abi::kTextBytes - 1);
  std::strncpy(reinterpret_cast<char *>(record + abi::kFunctionOffset),
               function, abi::kTextBytes - 1);
  uint32_t done = complete ? 1 : 0;
  std::memcpy(record + abi::kCompleteOffset, &done, 4);
}

/// Sessions over one emulated device whose modules can fault.
struct Fixture {
  HostMemoryApi api;
  DeviceInfo device;
  bool canFault = true;

  Fixture() {
    api.modulesPrint = false;
    device.totalMemory = 1 << 30;
  }

  std::unique_ptr<Context> session() {
    ContextOptions options;
    options.addressFencing = false; // no arena in host memory
    ModuleCompiler compiler = [this](std::span<const uint8_t>, bool,
                                     CompiledModule &out) {
      out.image = {0};
      KernelInfo kernel;
      kernel.name = "k";
      kernel.maxThreadsPerBlock = 1024;
      out.kernels = {kernel};
      out.canFault = canFault;
      return Status::ok();
    };
    std::unique_ptr<Context> context;
    REQUIRE(GpuContext::create(api, device, options, compiler, context));
    return context;
  }

  /// Loads a module into `context`; its kernel k, and the record its slot
  /// points at (null for none).
  std::pair<FunctionId, uint8_t *> load(Context &context) {
    ModuleId module = 0;
    uint8_t wis[1] = {1};
    REQUIRE(context.loadModule(wis, module));
    FunctionId fn = 0;
    KernelInfo info;
    REQUIRE(context.getFunction(module, "k", fn, info));
    uint64_t *slot = api.loaded.back() + 2;
    CHECK(slot[1] == 0); // the polls' zero word
    return {fn, reinterpret_cast<uint8_t *>(slot[0])};
  }
};

Status launch(Context &context, FunctionId fn) {
  return context.launch(fn, LaunchConfig{}, {}, 0);
}

} // namespace

TEST_CASE("a trap or assert is reported to its own session only",
          "[gpu][fault]") {
  Fixture f;
  std::unique_ptr<Context> a = f.session(), b = f.session();
  auto [fnA, recordA] = f.load(*a);
  auto [fnB, recordB] = f.load(*b);
  REQUIRE(recordA != nullptr);
  REQUIRE(recordB != nullptr);
  CHECK(recordA != recordB); // a record per session
  for (uint64_t i = 0; i < abi::kRecordBytes; ++i)
    REQUIRE(recordA[i] == 0); // zeroed (device memory starts as garbage)
  // Outside the session's memory and quota, like the printf buffer.
  CHECK(a->memoryUsage().allocatedBytes == 0);
  DevicePtr base = 0;
  uint64_t size = 0;
  CHECK(a->lookup(reinterpret_cast<DevicePtr>(recordA), base, size).code ==
        ErrorCode::InvalidAddress);

  REQUIRE(launch(*a, fnA));
  REQUIRE(launch(*b, fnB));
  writeRecord(recordA, abi::kAssert, true, "n < 64", "scan.cu", 41, "scan");
  Status synced = a->synchronize(0);
  CHECK(synced.code == ErrorCode::Assert);
  CHECK(synced.message ==
        "device-side assert triggered: scan.cu:41: scan: block (4,0,0) "
        "thread (17,1,0) Assertion `n < 64` failed.");
  // Every later synchronization says so again, and nothing more of A runs.
  CHECK(a->synchronizeAll().code == ErrorCode::Assert);
  CHECK(a->queryStream(0).code == ErrorCode::Assert);
  int launches = f.api.launches;
  CHECK(launch(*a, fnA).code == ErrorCode::Assert);
  CHECK(f.api.launches == launches);
  // B, on the same device, goes on.
  CHECK(b->synchronize(0));
  CHECK(launch(*b, fnB));
  CHECK(b->synchronizeAll());
  CHECK(f.api.launches == launches + 1);
}

TEST_CASE("a fault record is reported once it is completely written",
          "[gpu][fault]") {
  Fixture f;
  std::unique_ptr<Context> a = f.session();
  auto [fn, record] = f.load(*a);
  REQUIRE(launch(*a, fn));
  f.api.busy = true; // the kernel still runs
  writeRecord(record, abi::kTrap, false);
  CHECK(a->queryStream(0).code == ErrorCode::NotReady);
  f.api.busy = false;
  CHECK(a->synchronize(0)); // claimed, not yet written
  writeRecord(record, abi::kTrap, true);
  Status synced = a->synchronize(0);
  CHECK(synced.code == ErrorCode::Trap);
  CHECK(synced.message ==
        "the kernel executed trap in block (4,0,0) thread (17,1,0)");
}

TEST_CASE("fault records are read back only after a launch that can fault",
          "[gpu][fault]") {
  Fixture f;
  std::unique_ptr<Context> a = f.session();
  auto [fn, record] = f.load(*a);
  int readBacks = f.api.readBacks;
  CHECK(a->synchronize(0)); // nothing launched
  CHECK(f.api.readBacks == readBacks);
  REQUIRE(launch(*a, fn));
  CHECK(a->synchronize(0));
  CHECK(f.api.readBacks == readBacks + 1);
  // Every stream was idle then: a clean record needs no second look.
  CHECK(a->synchronize(0));
  CHECK(f.api.readBacks == readBacks + 1);
  // A stream still busy keeps the record under watch.
  REQUIRE(launch(*a, fn));
  f.api.busy = true;
  CHECK(a->synchronize(0));
  CHECK(a->synchronize(0));
  CHECK(f.api.readBacks == readBacks + 3);
  f.api.busy = false;
}

TEST_CASE("modules that cannot fault, or a server that leaves traps to the "
          "driver, keep the slot empty",
          "[gpu][fault]") {
  {
    Fixture f;
    f.canFault = false;
    std::unique_ptr<Context> a = f.session();
    auto [fn, record] = f.load(*a);
    CHECK(record == nullptr);
    CHECK(f.api.allocations.empty()); // no record made
    REQUIRE(launch(*a, fn));
    int readBacks = f.api.readBacks;
    CHECK(a->synchronize(0));
    CHECK(f.api.readBacks == readBacks);
  }
  {
    setenv("WOOLY_GPU_TRAPS", "driver", 1);
    Fixture f;
    std::unique_ptr<Context> a = f.session();
    auto [fn, record] = f.load(*a);
    unsetenv("WOOLY_GPU_TRAPS");
    CHECK(record == nullptr);
    CHECK(f.api.allocations.empty());
  }
  {
    // A backend without fault records (HIP): no slot, nothing attached.
    Fixture f;
    f.api.modulesFault = false;
    std::unique_ptr<Context> a = f.session();
    f.load(*a);
    CHECK(f.api.allocations.empty());
  }
}

TEST_CASE("a fault record's text is bounded and printable", "[gpu][fault]") {
  std::vector<uint8_t> bytes(abi::kRecordBytes, 0);
  writeRecord(bytes.data(), abi::kAssert, true, "", "f.cu", 3, "g");
  // A message filling its field with no NUL, and a control byte.
  std::memset(bytes.data() + abi::kMessageOffset, 'm', abi::kTextBytes);
  bytes[abi::kMessageOffset] = 0x1b;
  Status status = decodeFaultRecord(bytes);
  std::string expected = "\\x1b" + std::string(abi::kTextBytes - 2, 'm');
  CHECK(status.message.find("Assertion `" + expected + "` failed.") !=
        std::string::npos);
  // Short and empty buffers decode without reading past them: missing
  // bytes read as 0 (here: not complete, then no text and no place).
  CHECK(decodeFaultRecord(std::span<const uint8_t>(bytes.data(), 4)));
  CHECK(decodeFaultRecord(std::span<const uint8_t>(bytes.data(), 5)).message ==
        "device-side assert triggered: :0: : block (0,0,0) thread (0,0,0) "
        "Assertion `` failed.");
  CHECK(decodeFaultRecord({}));
  // An unknown kind is still a fault.
  uint32_t kind = 9;
  std::memcpy(bytes.data(), &kind, 4);
  CHECK(decodeFaultRecord(bytes).code == ErrorCode::Trap);
}
