//===- AMDGPUCodegen.cpp - LLVM IR to an HSA code object ------------------===//

#include "compiler/target/amdgpu/AMDGPUCodegen.h"

#include "compiler/target/gpu/GpuCodegen.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <mutex>

extern "C" {
void LLVMInitializeAMDGPUTargetInfo();
void LLVMInitializeAMDGPUTarget();
void LLVMInitializeAMDGPUTargetMC();
void LLVMInitializeAMDGPUAsmPrinter();
}

using namespace llvm;

namespace wooly::amdgpu {

namespace {
struct ArchInfo {
  const char *name;
  unsigned wave;
};
// CDNA 2/3 (MI200, MI300) are wave64 only; RDNA 2/3 default to wave32.
const ArchInfo kArchs[] = {{"gfx90a", 64},  {"gfx940", 64},  {"gfx941", 64},
                           {"gfx942", 64},  {"gfx950", 64},  {"gfx1030", 32},
                           {"gfx1100", 32}, {"gfx1101", 32}, {"gfx1102", 32},
                           {"gfx1200", 32}, {"gfx1201", 32}};
} // namespace

const std::vector<std::string> &supportedArchitectures() {
  static const std::vector<std::string> archs = [] {
    std::vector<std::string> names;
    for (const ArchInfo &info : kArchs)
      names.push_back(info.name);
    return names;
  }();
  return archs;
}

Error checkArchitecture(StringRef arch) {
  if (wavefrontSize(arch))
    return Error::success();
  return createStringError(inconvertibleErrorCode(),
                           "unsupported AMD architecture '" + arch +
                               "': use one of " +
                               join(supportedArchitectures(), ", "));
}

unsigned wavefrontSize(StringRef arch) {
  for (const ArchInfo &info : kArchs)
    if (arch == info.name)
      return info.wave;
  return 0;
}

static void initializeAMDGPU() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTarget();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUAsmPrinter();
  });
}

Expected<std::unique_ptr<TargetMachine>>
createTargetMachine(const CodegenOptions &options) {
  if (Error err = checkArchitecture(options.arch))
    return std::move(err);
  initializeAMDGPU();
  // Pin the wavefront size the 32-lane warp emulation was generated for.
  std::string features = wavefrontSize(options.arch) == 64 ? "+wavefrontsize64"
                                                           : "+wavefrontsize32";
  return gpu::createTargetMachine({"AMDGPU", kTriple, options.arch, features,
                                   Reloc::PIC_, options.optLevel});
}

static Error emit(Module &module, const CodegenOptions &options,
                  CodeGenFileType kind, SmallVectorImpl<char> &out) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  return gpu::emitToBuffer(module, **machine, "AMDGPU", options.arch,
                           options.optLevel, kind, out);
}

Expected<std::string> emitAssembly(Module &module,
                                   const CodegenOptions &options) {
  SmallString<0> text;
  if (Error err = emit(module, options, CodeGenFileType::AssemblyFile, text))
    return std::move(err);
  return std::string(text.str());
}

Expected<std::vector<char>> emitObject(Module &module,
                                       const CodegenOptions &options) {
  SmallString<0> object;
  if (Error err = emit(module, options, CodeGenFileType::ObjectFile, object))
    return std::move(err);
  return std::vector<char>(object.begin(), object.end());
}

std::string findLinker() {
  if (const char *env = std::getenv("WOOLY_LLD"); env && *env)
    return env;
  for (const char *name : {"ld.lld-22", "ld.lld"})
    if (ErrorOr<std::string> path = sys::findProgramByName(name))
      return *path;
  if (sys::fs::can_execute("/usr/lib/llvm-22/bin/ld.lld"))
    return "/usr/lib/llvm-22/bin/ld.lld";
  return {};
}

namespace {
/// Temporary files removed on every path out.
struct TempFile {
  SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};
} // namespace

Expected<std::vector<char>> linkCodeObject(ArrayRef<char> object) {
  std::string linker = findLinker();
  if (linker.empty())
    return createStringError(
        inconvertibleErrorCode(),
        "ld.lld not found: install lld-22 or set WOOLY_LLD to its path");
  TempFile input, output, log;
  int fd = -1;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("wooly-amdgpu", "o", fd, input.path))
    return errorCodeToError(ec);
  {
    raw_fd_ostream stream(fd, /*shouldClose=*/true);
    stream.write(object.data(), object.size());
  }
  if (std::error_code ec =
          sys::fs::createTemporaryFile("wooly-amdgpu", "hsaco", output.path))
    return errorCodeToError(ec);
  if (std::error_code ec =
          sys::fs::createTemporaryFile("wooly-amdgpu", "log", log.path))
    return errorCodeToError(ec);
  SmallVector<StringRef> args = {linker};
  // The multi-call `lld` needs to be told it is the ELF linker.
  if (sys::path::filename(linker) == "lld")
    args.append({"-flavor", "gnu"});
  args.append({"-shared", "--no-undefined", input.path, "-o", output.path});
  std::optional<StringRef> redirects[] = {std::nullopt, log.path, log.path};
  std::string message;
  int rc = sys::ExecuteAndWait(linker, args, std::nullopt, redirects,
                               /*SecondsToWait=*/60, 0, &message);
  if (rc != 0) {
    std::string details;
    if (auto text = MemoryBuffer::getFile(log.path))
      details = (*text)->getBuffer().trim().str();
    return createStringError(
        inconvertibleErrorCode(),
        "linking the AMDGPU code object with " + linker +
            " failed: " + (details.empty() ? message : details));
  }
  auto linked = MemoryBuffer::getFile(output.path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!linked)
    return errorCodeToError(linked.getError());
  StringRef bytes = (*linked)->getBuffer();
  return std::vector<char>(bytes.begin(), bytes.end());
}

Expected<std::vector<char>> emitCodeObject(Module &module,
                                           const CodegenOptions &options) {
  auto object = emitObject(module, options);
  if (!object)
    return object.takeError();
  return linkCodeObject(*object);
}

} // namespace wooly::amdgpu
