// The fault records the nvptx lowering writes must be the records the GPU
// contexts read back, and its loop polls must stop a thread once the record
// is claimed. Without a GPU the device code still runs: the lowering of a
// trapping kernel (with FaultPolls added, as the pipeline does) is compiled
// for the host with the C calling convention and run by ORC; the PTX
// special registers it reads become host functions returning a thread's
// place, and PTX `exit` one that leaves the kernel by longjmp.

#include "compiler/target/gpu/GpuFaultABI.h"
#include "compiler/target/nvptx/FaultPolls.h"
#include "runtime/exec/gpu/FaultRecord.h"
#include "test/unit/target/gpu/NvptxOnHost.h"


#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/Module.h"

#include <catch2/catch.hpp>

#include <csetjmp>
#include <cstring>
#include <vector>

using namespace wooly;
namespace abi = wooly::gpu::fault_abi;

namespace {

// @check asserts x > 0; @spin waits for a flag, trapping on a negative one.
const char *kKernels = R"(
wooly.global @msg : 6 x i8 in global = "x > 0\00"
wooly.global @file : 5 x i8 in global = "a.cu\00"
wooly.global @fn : 6 x i8 in global = "check\00"
wooly.kernel @check(%x: i32) {
  %z = arith.constant 0 : i32
  %ok = arith.cmpi sgt, %x, %z : i32
  cf.cond_br %ok, ^done, ^fail
^fail:
  %m = wooly.addressof @msg : !wooly.ptr<generic>
  %f = wooly.addressof @file : !wooly.ptr<generic>
  %n = wooly.addressof @fn : !wooly.ptr<generic>
  %line = arith.constant 12 : i32
  wooly.assert_fail %m, %f, %line, %n : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  cf.br ^done
^done:
  wooly.return
}
wooly.kernel @spin(%flag: !wooly.ptr<global>) {
  cf.br ^wait
^wait:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %z = arith.constant 0 : i32
  %bad = arith.cmpi slt, %v, %z : i32
  cf.cond_br %bad, ^trap, ^check
^trap:
  wooly.trap
^check:
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^wait
^done:
  wooly.return
}
)";

// The running thread's place and its way out.
uint32_t gPlace[6] = {0, 0, 0, 0, 0, 0}; // ctaid x y z, tid x y z
std::jmp_buf gExit;
int gExits = 0;

int gDriverAsserts = 0; // calls of the driver's __assertfail

template <int I> uint32_t place() { return gPlace[I]; }
void driverAssertFail(const char *, const char *, int32_t, const char *,
                      int64_t) {
  ++gDriverAsserts;
}
[[noreturn]] void exitThread() {
  ++gExits;
  std::longjmp(gExit, 1);
}

using CheckFn = void (*)(int32_t);
using SpinFn = void (*)(volatile int32_t *);

/// Replaces the GPU-only intrinsics by calls of host functions and
/// defines the driver's __assertfail.
void onHost(llvm::Module &ir, llvm::orc::LLJIT &jit) {
  const std::pair<const char *, void *> hosts[] = {
      {"llvm.nvvm.read.ptx.sreg.ctaid.x", (void *)&place<0>},
      {"llvm.nvvm.read.ptx.sreg.ctaid.y", (void *)&place<1>},
      {"llvm.nvvm.read.ptx.sreg.ctaid.z", (void *)&place<2>},
      {"llvm.nvvm.read.ptx.sreg.tid.x", (void *)&place<3>},
      {"llvm.nvvm.read.ptx.sreg.tid.y", (void *)&place<4>},
      {"llvm.nvvm.read.ptx.sreg.tid.z", (void *)&place<5>},
      {"llvm.nvvm.exit", (void *)&exitThread}};
  llvm::orc::SymbolMap symbols;
  int n = 0;
  for (auto [name, address] : hosts) {
    llvm::Function *intrinsic = ir.getFunction(name);
    if (!intrinsic)
      continue;
    std::string hostName = "wooly_test_host_" + std::to_string(n++);
    llvm::Function *host =
        llvm::Function::Create(intrinsic->getFunctionType(),
                               llvm::GlobalValue::ExternalLinkage, hostName, ir);
    intrinsic->replaceAllUsesWith(host);
    intrinsic->eraseFromParent();
    symbols[jit.mangleAndIntern(hostName)] = {
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported};
  }
  symbols[jit.mangleAndIntern("__assertfail")] = {
      llvm::orc::ExecutorAddr::fromPtr(&driverAssertFail),
      llvm::JITSymbolFlags::Exported};
  if (llvm::Error e =
          jit.getMainJITDylib().define(llvm::orc::absoluteSymbols(symbols)))
    FAIL(llvm::toString(std::move(e)));
}

/// The kernels with the pipeline's polls, run on the host.
struct HostRun {
  unsigned polls = 0;
  testing::NvptxOnHost code{kKernels, {},
                            [this](llvm::Module &ir, llvm::orc::LLJIT &jit) {
                              polls = nvptx::insertFaultPolls(ir);
                              onHost(ir, jit);
                            }};
  CheckFn check = code.lookup<CheckFn>("check");
  SpinFn spin = code.lookup<SpinFn>("spin");
  uint64_t *slot = code.lookup<uint64_t *>(abi::kGlobalName); // {record, zero}
};

/// Runs one thread of a kernel; whether it left by `exit`.
template <typename Call> bool runThread(Call &&call) {
  int before = gExits;
  if (setjmp(gExit) == 0)
    call();
  return gExits != before;
}

struct Record {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(abi::kRecordBytes, 0);
  uint64_t address() { return reinterpret_cast<uint64_t>(bytes.data()); }
  uint32_t word(uint64_t at) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  }
};

} // namespace

TEST_CASE("an assert in device code fills the fault record the context "
          "reads back, and exits the thread",
          "[gpu][fault]") {
  HostRun run;
  Record record;
  run.slot[0] = record.address();
  gPlace[0] = 5, gPlace[1] = 1, gPlace[3] = 33, gPlace[5] = 2;
  CHECK_FALSE(runThread([&] { run.check(1); })); // x > 0 holds
  CHECK(record.word(abi::kKindOffset) == abi::kNone);
  CHECK(runThread([&] { run.check(0); }));
  CHECK(record.word(abi::kKindOffset) == abi::kAssert);
  CHECK(record.word(abi::kCompleteOffset) == 1);
  exec::Status status = exec::gpu::decodeFaultRecord(record.bytes);
  CHECK(status.code == exec::ErrorCode::Assert);
  CHECK(status.message ==
        "device-side assert triggered: a.cu:12: check: block (5,1,0) thread "
        "(33,0,2) Assertion `x > 0` failed.");

  // A second fault (another thread) exits too but keeps the first record.
  gPlace[3] = 7;
  CHECK(runThread([&] { run.check(-3); }));
  CHECK(exec::gpu::decodeFaultRecord(record.bytes).message == status.message);
}

TEST_CASE("a trap in device code records where it happened", "[gpu][fault]") {
  HostRun run;
  Record record;
  run.slot[0] = record.address();
  gPlace[0] = 2, gPlace[1] = 0, gPlace[2] = 0;
  gPlace[3] = 9, gPlace[4] = 0, gPlace[5] = 0;
  volatile int32_t flag = -1;
  CHECK(runThread([&] { run.spin(&flag); }));
  exec::Status status = exec::gpu::decodeFaultRecord(record.bytes);
  CHECK(status.code == exec::ErrorCode::Trap);
  CHECK(status.message ==
        "the kernel executed trap in block (2,0,0) thread (9,0,0)");
}

TEST_CASE("loops of a module that can fault stop once the record is claimed",
          "[gpu][fault]") {
  HostRun run;
  CHECK(run.polls >= 1);
  Record record;
  run.slot[0] = record.address();
  volatile int32_t flag = 1;
  CHECK_FALSE(runThread([&] { run.spin(&flag); })); // nothing claimed
  // Another thread faulted: the waiting thread, whose flag never comes,
  // leaves at its loop header instead of spinning forever.
  uint32_t trap = abi::kTrap;
  std::memcpy(record.bytes.data() + abi::kKindOffset, &trap, 4);
  flag = 0;
  CHECK(runThread([&] { run.spin(&flag); }));
  CHECK(record.word(abi::kCompleteOffset) == 0); // it wrote nothing
}

TEST_CASE("without a record an assert goes to the driver and the polls read "
          "the slot's zero word",
          "[gpu][fault]") {
  HostRun run;
  REQUIRE(run.slot[0] == 0); // what the executor leaves for driver traps
  int before = gDriverAsserts;
  CHECK_FALSE(runThread([&] { run.check(0); }));
  CHECK(gDriverAsserts == before + 1);
  volatile int32_t flag = 1;
  CHECK_FALSE(runThread([&] { run.spin(&flag); }));
}
