//===- Input.cpp - turning wooly-cc's input into PTX text -----------------===//
#include "tools/wooly-cc/Input.h"
#include "runtime/client/fatbin/Fatbin.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace wooly::cc {
namespace {

bool readFile(const std::string &path, std::string &out, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  out = (*buffer)->getBuffer().str();
  return true;
}

std::string findNvcc() {
  if (auto found = llvm::sys::findProgramByName("nvcc"))
    return *found;
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/nvcc"))
    return "/usr/local/cuda/bin/nvcc";
  return "";
}

bool compileCuda(const std::string &path, PTXInput &out, std::string &error) {
  std::string nvcc = findNvcc();
  if (nvcc.empty()) {
    error = "'" + path + "' is CUDA source, and turning it into PTX needs "
            "nvcc, which is not installed: install the CUDA toolkit, or pass "
            "PTX (nvcc -ptx) or a compiled CUDA program instead";
    return false;
  }
  llvm::SmallString<128> ptxPath;
  if (auto ec = llvm::sys::fs::createTemporaryFile("wooly-cc", "ptx", ptxPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  llvm::SmallString<128> logPath;
  llvm::sys::fs::createTemporaryFile("wooly-cc", "log", logPath);
  std::string arch = "-arch=sm_" + std::to_string(fatbin::kMaxTranslatableArch);
  llvm::SmallVector<llvm::StringRef> args = {nvcc, "-ptx", "-O3", arch, path,
                                             "-o", ptxPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(nvcc, args, std::nullopt, redirects, 300,
                                     0, &execError);
  std::string log;
  std::string ignored;
  readFile(std::string(logPath), log, ignored);
  llvm::sys::fs::remove(logPath);
  if (rc != 0) {
    llvm::sys::fs::remove(ptxPath);
    error = "nvcc could not compile '" + path + "'" +
            (execError.empty() ? "" : ": " + execError) +
            (log.empty() ? "" : ":\n" + log);
    return false;
  }
  bool ok = readFile(std::string(ptxPath), out.text, error);
  llvm::sys::fs::remove(ptxPath);
  out.name = path;
  return ok;
}

} // namespace

bool loadPTX(const std::string &path, PTXInput &out, std::string &error) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".cu")
    return compileCuda(path, out, error);
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (bytes.size() >= 4 && bytes.compare(0, 4, "\x7f" "ELF") == 0) {
    fatbin::ReadResult result = fatbin::readFatbinFromELF(bytes.data(), bytes.size());
    if (!result.ok()) {
      error = path + ": " + result.error;
      return false;
    }
    const fatbin::Entry *ptx = fatbin::selectPTX(result.entries);
    if (!ptx) {
      error = path + ": " + fatbin::missingPTXMessage(result.entries);
      return false;
    }
    if (!fatbin::entryContents(*ptx, out.text, error)) {
      error = path + ": " + error;
      return false;
    }
    out.name = path + ":sm_" + std::to_string(ptx->smArch) + ".ptx";
    return true;
  }
  if (bytes.find('\0') != std::string::npos) {
    error = "'" + path + "' is neither PTX text, CUDA source (.cu) nor a CUDA "
            "program or object (ELF)";
    return false;
  }
  out.text = std::move(bytes);
  out.name = path;
  return true;
}

} // namespace wooly::cc
