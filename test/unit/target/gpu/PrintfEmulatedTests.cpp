// Device printf through the whole GPU executor path without a GPU: the
// module compiler (formats annotated, the nvptx lowering), GpuContext
// (printf buffer, the module's __wooly_printf, launch, drain) and the
// kernel's own record-writing code, run on the host: the "driver" below
// keeps device memory in host memory, loads a module by JIT-compiling the
// nvptx lowering's LLVM IR for the host, and launches a kernel by calling
// it once (the kernel reads no thread geometry).

#include "test/unit/target/gpu/HostMemoryApi.h"

#include "compiler/target/common/WoolyToLLVM.h"
#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/target/nvptx/NVPTXTargetInfo.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/gpu/GpuContext.h"
#include "runtime/exec/gpu/GpuModuleCompiler.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <catch2/catch.hpp>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using wooly::exec::gpu::testing::HostMemoryApi;

namespace {

// The argument buffer is in global memory here (a host JIT has no local
// address space); the kernel fills it as nvcc's code fills its local one.
const char *kReport = R"(
wooly.global @fmt : 18 x i8 in global = "%s has %d item%s\0A\00"
wooly.global @name : 5 x i8 in global = "cart\00"
wooly.global @plural : 2 x i8 in global = "s\00"
wooly.kernel @report(%args: !wooly.ptr<global>, %count: i32) {
  %n = wooly.addressof @name : !wooly.ptr<generic>
  %ni = wooly.ptrtoint %n : !wooly.ptr<generic> to i64
  wooly.store %ni, %args {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %c8 = arith.constant 8 : i64
  %p8 = wooly.ptradd %args, %c8 : !wooly.ptr<global>, i64
  wooly.store %count, %p8 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %s = wooly.addressof @plural : !wooly.ptr<generic>
  %si = wooly.ptrtoint %s : !wooly.ptr<generic> to i64
  %c16 = arith.constant 16 : i64
  %p16 = wooly.ptradd %args, %c16 : !wooly.ptr<global>, i64
  wooly.store %si, %p16 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %g = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %r = wooly.printf %g, %args : !wooly.ptr<generic>, !wooly.ptr<global>
  wooly.return
}
)";

/// Modules are JIT-compiled LLVM IR; launches call the kernel once.
class JitDeviceApi final : public HostMemoryApi {
public:
  std::map<DriverModule, std::unique_ptr<llvm::orc::LLJIT>> jits;

  Status moduleLoad(std::span<const uint8_t> image,
                    DriverModule &out) override {
    auto context = std::make_unique<llvm::LLVMContext>();
    llvm::SMDiagnostic error;
    // A copy: the IR parser wants a NUL after the text.
    std::unique_ptr<llvm::MemoryBuffer> text =
        llvm::MemoryBuffer::getMemBufferCopy(
            llvm::StringRef(reinterpret_cast<const char *>(image.data()),
                            image.size()),
            "module");
    std::unique_ptr<llvm::Module> ir =
        llvm::parseIR(text->getMemBufferRef(), error, *context);
    if (!ir)
      return Status::error(ErrorCode::CompileError, error.getMessage().str());
    auto jit = llvm::orc::LLJITBuilder().create();
    if (!jit)
      return Status::error(ErrorCode::Internal,
                           llvm::toString(jit.takeError()));
    ir->setTargetTriple((*jit)->getTargetTriple());
    ir->setDataLayout((*jit)->getDataLayout());
    if (llvm::Error e = (*jit)->addIRModule(
            llvm::orc::ThreadSafeModule(std::move(ir), std::move(context))))
      return Status::error(ErrorCode::Internal, llvm::toString(std::move(e)));
    out = jit->get();
    jits.emplace(out, std::move(*jit));
    return Status::ok();
  }
  Status moduleUnload(DriverModule module) override {
    return jits.erase(module) ? Status::ok() : unsupported();
  }
  Status lookup(DriverModule module, const std::string &name, void *&out) {
    auto symbol = jits.at(module)->lookup(name);
    if (!symbol)
      return Status::error(ErrorCode::NotFound,
                           llvm::toString(symbol.takeError()));
    out = symbol->toPtr<void *>();
    return Status::ok();
  }
  Status moduleGetFunction(DriverModule module, const std::string &name,
                           DriverFunction &out) override {
    return lookup(module, name, out);
  }
  Status moduleGetGlobal(DriverModule module, const std::string &name,
                         DevicePtr &out, uint64_t &bytes) override {
    void *address = nullptr;
    if (Status status = lookup(module, name, address); !status)
      return status;
    out = reinterpret_cast<DevicePtr>(address);
    bytes = 16;
    return Status::ok();
  }
  Status launch(DriverFunction fn, const LaunchConfig &, void **params,
                DriverStream) override {
    // report(args, count): one call is the whole grid.
    auto kernel = reinterpret_cast<void (*)(void *, int32_t)>(fn);
    kernel(*static_cast<void **>(params[0]),
           *static_cast<int32_t *>(params[1]));
    ++launches;
    return Status::ok();
  }
};

/// The nvptx lowering as a host module: LLVM IR text with C calls.
bool lowerForHost(mlir::ModuleOp module, std::vector<uint8_t> &image,
                  std::string &error) {
  wooly::nvptx::NVPTXTargetInfo target(90);
  if (mlir::failed(wooly::lowerWISToLLVMDialect(module, target))) {
    error = "lowering failed";
    return false;
  }
  // As the nvptx pipeline does: module variables reachable by name.
  wooly::gpu::exposeModuleVariables(module);
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> ir = wooly::translateToLLVMIR(module, context);
  if (!ir) {
    error = "translation failed";
    return false;
  }
  for (llvm::Function &fn : *ir)
    fn.setCallingConv(llvm::CallingConv::C);
  std::string text;
  llvm::raw_string_ostream os(text);
  ir->print(os, nullptr);
  image.assign(text.begin(), text.end());
  return true;
}

/// GPU contexts over the JIT driver table: the module compiler's device code
/// runs on this CPU.
struct EmulatedGpu {
  JitDeviceApi api;
  DeviceInfo device;
  GpuModuleCompiler compiler{"host-emulated", lowerForHost};

  EmulatedGpu() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    device.totalMemory = 1 << 30;
  }

  std::unique_ptr<Context> context() {
    ContextOptions options;
    options.addressFencing = false; // the arena needs the driver's VMM
    std::unique_ptr<Context> context;
    REQUIRE(GpuContext::create(api, device, options, compiler.asCallback(),
                               context));
    return context;
  }
};

} // namespace

TEST_CASE("device printf goes from the kernel's records to takePrintfOutput "
          "through the GPU executor path",
          "[gpu][printf]") {
  EmulatedGpu gpu;
  std::unique_ptr<Context> context = gpu.context();
  std::string text = kReport;
  ModuleId module = 0;
  Status loaded = context->loadModule(
      {reinterpret_cast<const uint8_t *>(text.data()), text.size()}, module);
  INFO(loaded.message);
  REQUIRE(loaded);
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context->getFunction(module, "report", fn, info));
  REQUIRE(info.params.size() == 2);
  DevicePtr buffer = 0;
  REQUIRE(context->allocate(24, buffer));

  for (int32_t count : {3, 1, 12}) {
    std::vector<uint8_t> args(info.argBufferSize);
    std::memcpy(args.data() + info.params[0].offset, &buffer, 8);
    std::memcpy(args.data() + info.params[1].offset, &count, 4);
    REQUIRE(context->launch(fn, LaunchConfig{}, args, 0));
  }
  REQUIRE(context->synchronize(0));
  CHECK(context->takePrintfOutput() ==
        "cart has 3 items\ncart has 1 items\ncart has 12 items\n");
  CHECK(context->takePrintfOutput().empty());
  CHECK(gpu.api.launches == 3);

  // Each session has its own buffer: a second context prints apart.
  std::unique_ptr<Context> other = gpu.context();
  ModuleId otherModule = 0;
  loaded = other->loadModule(
      {reinterpret_cast<const uint8_t *>(text.data()), text.size()},
      otherModule);
  INFO(loaded.message);
  REQUIRE(loaded);
  FunctionId otherFn = 0;
  REQUIRE(other->getFunction(otherModule, "report", otherFn, info));
  DevicePtr otherBuffer = 0;
  REQUIRE(other->allocate(24, otherBuffer));
  std::vector<uint8_t> args(info.argBufferSize);
  int32_t count = 7;
  std::memcpy(args.data() + info.params[0].offset, &otherBuffer, 8);
  std::memcpy(args.data() + info.params[1].offset, &count, 4);
  REQUIRE(other->launch(otherFn, LaunchConfig{}, args, 0));
  CHECK(context->takePrintfOutput().empty());
  CHECK(other->takePrintfOutput() == "cart has 7 items\n");
  CHECK(other->unloadModule(otherModule));
  CHECK(context->unloadModule(module));
}

namespace {

// One printf of every conversion kind over an argument buffer the host
// fills (the kernel only prints).
const char *kParity = R"(
wooly.global @fmt : 45 x i8 in global = "%d|%5.2f|%s|%s|%llx|%c|%-4u|%%|%hd|%x|%e|%p\0A\00"
wooly.global @name : 5 x i8 in global = "cart\00"
wooly.kernel @report(%args: !wooly.ptr<global>, %unused: i32) {
  %f = wooly.addressof @fmt : !wooly.ptr<global>
  %g = wooly.cast_space %f : !wooly.ptr<global> to !wooly.ptr<generic>
  %r = wooly.printf %g, %args : !wooly.ptr<generic>, !wooly.ptr<global>
  wooly.return
}
)";

/// What `context` prints for kParity.
std::string printParity(Context &context) {
  std::string text = kParity;
  ModuleId module = 0;
  Status loaded = context.loadModule(
      {reinterpret_cast<const uint8_t *>(text.data()), text.size()}, module);
  INFO(loaded.message);
  REQUIRE(loaded);
  FunctionId fn = 0;
  KernelInfo info;
  REQUIRE(context.getFunction(module, "report", fn, info));
  DevicePtr name = 0;
  uint64_t size = 0;
  REQUIRE(context.getGlobal(module, "name", name, size));
  // vprintf's layout: each argument at a multiple of its size.
  std::vector<uint8_t> args(72, 0);
  auto put = [&](size_t at, auto value) {
    std::memcpy(args.data() + at, &value, sizeof value);
  };
  put(0, int32_t(-42));
  put(8, 3.14159);
  put(16, uint64_t(name));
  put(24, uint64_t(0)); // a null %s
  put(32, uint64_t(0xdeadbeefcafeull));
  put(40, int32_t('Z'));
  put(44, uint32_t(17));
  put(48, int32_t(70000)); // %hd: 4464
  put(52, uint32_t(255));
  put(56, 1e-10);
  put(64, uint64_t(0x1234));
  DevicePtr buffer = 0;
  REQUIRE(context.allocate(args.size(), buffer));
  REQUIRE(context.copyToDevice(buffer, args.data(), args.size(), 0));
  std::vector<uint8_t> params(info.argBufferSize);
  std::memcpy(params.data() + info.params[0].offset, &buffer, 8);
  LaunchConfig config;
  REQUIRE(context.launch(fn, config, params, 0));
  REQUIRE(context.synchronizeAll());
  std::string out = context.takePrintfOutput();
  CHECK(context.free(buffer));
  CHECK(context.unloadModule(module));
  return out;
}

} // namespace

TEST_CASE("device printf prints on the emulated GPU path what the host "
          "executor prints",
          "[gpu][printf]") {
  std::unique_ptr<Executor> host;
  REQUIRE(createExecutor("host", {}, host));
  std::unique_ptr<Context> hostContext;
  REQUIRE(host->createContext({}, hostContext));
  std::string onHost = printParity(*hostContext);
  CHECK(onHost ==
        "-42| 3.14|cart|(null)|deadbeefcafe|Z|17  |%|4464|ff|1.000000e-10|"
        "0x1234\n");

  EmulatedGpu gpu;
  std::unique_ptr<Context> gpuContext = gpu.context();
  std::string onGpu = printParity(*gpuContext);
  CHECK(onGpu == onHost);
}
