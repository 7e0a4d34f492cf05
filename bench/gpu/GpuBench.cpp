//===- GpuBench.cpp - Wooly-compiled kernels vs nvcc's, on one GPU --------===//
//
// For each example kernel (BenchCases.cpp): nvcc's PTX loaded as is (the
// baseline, what a CUDA program runs) and the same PTX through Wooly (PTX
// -> WIS -> nvptx PTX for this GPU's sm_XX), both JIT-compiled by the
// driver, launched with the same arguments, timed with CUDA events; and the
// WIS module as woolyd runs it, address-fenced in a context of the cuda
// executor, timed with that context's events (FencedRun.h). Prints the
// median of many runs of each and the ratios native/wooly and native/fenced
// (1.0 = native speed; the goal is >= 0.95). Also checks that all three
// produce the same results (BenchCases.cpp says how each output compares).
//
//   wooly-bench-gpu [PTX_DIR] [RUNS] [--polls]
//
// --polls compiles every Wooly module with the fault polls in its loops, as
// the cuda executor does under woolyd --launch-timeout (the fenced path
// through an executor with a limit no kernel here reaches): run with and
// without it to see what the polls cost.
//
// Without an NVIDIA GPU it prints why and exits 0 (nothing to measure).
// Results that differ are flagged in their row (exit 0); a case that cannot
// run (missing PTX, a failed compile, a fenced launch that fails) makes the
// exit status 1. A fault in a kernel ends the device context that all runs
// share, so the cases after it are not run.
//
//===----------------------------------------------------------------------===//

#include "bench/gpu/BenchCases.h"
#include "bench/gpu/FencedRun.h"
#include "compiler/ptx/Translate.h"
#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "runtime/exec/cuda/CudaDriver.h"
#include "runtime/exec/cuda/CudaExecutor.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

using namespace wooly::exec::cuda;
using namespace wooly::bench;

namespace {

const CudaDriver *d = nullptr;
/// --polls: every Wooly module with the fault polls (see the file comment).
bool gPollEveryModule = false;

void check(CUresult rc, const char *what) {
  if (rc != CUDA_SUCCESS) {
    std::fprintf(stderr, "%s: %s\n", what, d->describe(rc).c_str());
    std::exit(1);
  }
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CUmodule loadPTX(const std::string &ptx) {
  CUmodule module = nullptr;
  char log[8192] = {};
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof log - 1)};
  CUresult rc = d->cuModuleLoadDataEx(&module, ptx.c_str(), 2, options, values);
  if (rc != CUDA_SUCCESS) {
    std::fprintf(stderr, "cuModuleLoadDataEx: %s\n%s\n",
                 d->describe(rc).c_str(), log);
    std::exit(1);
  }
  return module;
}

float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double geomean(const std::vector<float> &ratios) {
  double logSum = 0;
  for (float r : ratios)
    logSum += std::log(r);
  return std::exp(logSum / ratios.size());
}

/// Wooly's two products of one PTX file: the nvptx PTX for `arch` and the
/// WIS bytecode woolyd loads. Returns "" or what failed.
std::string compileWooly(const std::string &ptx, const char *file,
                         const std::string &arch, std::string &woolyPtx,
                         std::string &wis) {
  mlir::DialectRegistry registry;
  wooly::ptx::registerTranslationDialects(registry);
  mlir::MLIRContext mlirContext(registry);
  std::string errors;
  auto module = wooly::ptx::translatePTX(ptx, file, mlirContext, {}, &errors);
  if (mlir::failed(module))
    return "translation failed: " + errors;
  llvm::raw_string_ostream os(wis);
  if (mlir::failed(mlir::writeBytecodeToFile(module->get(), os)))
    return "writing bytecode failed";
  wooly::nvptx::CodegenOptions options;
  options.arch = arch;
  options.pollEveryModule = gPollEveryModule;
  auto compiled = wooly::nvptx::compileToPTX(module->get(), options);
  if (!compiled)
    return "compile failed: " + llvm::toString(compiled.takeError());
  woolyPtx = std::move(*compiled);
  return "";
}

/// Writes c's constants into a module loaded through the driver.
void setConstants(CUmodule module, const Case &c, CUstream stream) {
  for (const Constant &constant : c.constants) {
    CUdeviceptr ptr = 0;
    size_t size = 0;
    check(d->cuModuleGetGlobal(&ptr, &size, module, constant.symbol),
          constant.symbol);
    if (size != constant.value.size()) {
      std::fprintf(stderr, "%s is %zu bytes\n", constant.symbol, size);
      std::exit(1);
    }
    check(d->cuMemcpyHtoDAsync(ptr, constant.value.data(), size, stream),
          "cuMemcpyHtoD");
  }
}

/// Counts the output elements of `other` that differ from `native`'s.
size_t mismatches(const Case &c, const std::vector<Bytes> &native,
                  const std::vector<Bytes> &other) {
  size_t differ = 0;
  for (size_t i = 0; i < c.outputs.size(); ++i)
    differ += c.outputs[i].compare(native[i], other[i]);
  return differ;
}

} // namespace

int main(int argc, char **argv) {
  std::string dir = argc > 1 ? argv[1] : WOOLY_EXAMPLE_DIR "/ptx";
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 200;
  gPollEveryModule = argc > 3 && std::string(argv[3]) == "--polls";
  std::string why;
  d = CudaDriver::get(why);
  int count = 0;
  if (!d || d->cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0) {
    std::printf("SKIP: no NVIDIA GPU to benchmark on (%s)\n",
                d ? "no CUDA device" : why.c_str());
    return 0;
  }
  CUdevice device = 0;
  check(d->cuDeviceGet(&device, 0), "cuDeviceGet");
  CUcontext context = nullptr;
  check(d->cuDevicePrimaryCtxRetain(&context, device),
        "cuDevicePrimaryCtxRetain");
  check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
  int major = 0, minor = 0;
  d->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                          device);
  d->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                          device);
  char name[256] = {};
  d->cuDeviceGetName(name, sizeof name - 1, device);
  std::string arch = smArchFor(major, minor);
  std::printf("device: %s (%s), %d runs per kernel (fewer for slow ones), "
              "median times%s\n",
              name, arch.c_str(), runs,
              gPollEveryModule ? "; Wooly modules with fault polls in every "
                                 "loop (--polls)"
                               : "");

  // The fenced path: woolyd's executor for this device and one client
  // context, fenced as woolyd makes them. The executor shares the device's
  // primary context with the native runs above.
  std::unique_ptr<wooly::exec::Executor> executor;
  wooly::exec::ExecutorOptions executorOptions;
  if (gPollEveryModule)
    executorOptions.launchTimeoutMs = 3600 * 1000; // polls, never a stop
  if (wooly::exec::Status s =
          createCudaExecutorFor(0, executorOptions, executor);
      !s) {
    std::fprintf(stderr, "cuda executor: %s\n", s.message.c_str());
    return 1;
  }
  wooly::exec::ContextOptions contextOptions;
  contextOptions.memoryLimit = 2ull << 30; // the largest case needs ~0.5 GiB
  contextOptions.addressFencing = true;
  std::unique_ptr<wooly::exec::Context> client;
  if (wooly::exec::Status s = executor->createContext(contextOptions, client);
      !s) {
    std::fprintf(stderr, "fenced context: %s\n", s.message.c_str());
    return 1;
  }
  check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");

  std::printf("%-16s %11s %11s %11s %7s %7s %s\n", "kernel", "native us",
              "wooly us", "fenced us", "n/w", "n/f",
              "(ratios native/x; 1.0 = native speed)");
  std::vector<float> woolyRatios, fencedRatios;
  bool failures = false;
  CUstream stream = nullptr;
  check(d->cuStreamCreateWithPriority(&stream, CU_STREAM_NON_BLOCKING, 0),
        "cuStreamCreate");
  CUevent start = nullptr, stop = nullptr;
  check(d->cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate");
  check(d->cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  std::vector<Case> cases = benchCases();
  for (const Case &c : cases) {
    std::string ptx = readFile(dir + "/" + c.file + ".sm_75.ptx");
    if (ptx.empty()) {
      std::printf("%-16s missing %s/%s.sm_75.ptx\n", c.label, dir.c_str(),
                  c.file);
      failures = true;
      continue;
    }
    std::string woolyPtx, wis;
    if (std::string error = compileWooly(ptx, c.file, arch, woolyPtx, wis);
        !error.empty()) {
      std::printf("%-16s %s\n", c.label, error.c_str());
      failures = true;
      continue;
    }
    check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
    if (c.stackBytes) // context-wide and raise-only, like the example's
      check(d->cuCtxSetLimit(CU_LIMIT_STACK_SIZE, c.stackBytes),
            "cuCtxSetLimit");
    CUmodule modules[2] = {loadPTX(ptx), loadPTX(woolyPtx)};
    CUfunction fns[2];
    for (int which = 0; which < 2; ++which) {
      check(d->cuModuleGetFunction(&fns[which], modules[which], c.kernel),
            c.kernel);
      setConstants(modules[which], c, stream);
    }

    std::vector<Bytes> inputs;
    std::vector<CUdeviceptr> buffers;
    for (const Buffer &buffer : c.buffers) {
      inputs.emplace_back(buffer.bytes, 0);
      buffer.fill(inputs.back());
      CUdeviceptr ptr = 0;
      check(d->cuMemAlloc(&ptr, buffer.bytes), "cuMemAlloc");
      buffers.push_back(ptr);
    }
    auto reset = [&] {
      for (size_t i = 0; i < buffers.size(); ++i)
        check(d->cuMemcpyHtoDAsync(buffers[i], inputs[i].data(),
                                   inputs[i].size(), stream),
              "cuMemcpyHtoD");
    };
    std::vector<Bytes> argValues;
    for (const Arg &arg : c.args)
      argValues.push_back(arg.buffer >= 0 ? bytesOf(buffers[arg.buffer])
                                          : arg.value);
    std::vector<void *> params;
    for (Bytes &value : argValues)
      params.push_back(value.data());
    auto launch = [&](CUfunction fn) {
      check(d->cuLaunchKernel(fn, c.grid[0], c.grid[1], c.grid[2], c.block[0],
                              c.block[1], c.block[2], c.sharedBytes, stream,
                              params.data(), nullptr),
            c.label);
    };

    // Same inputs, same launch: the same results.
    std::vector<Bytes> results[3];
    for (int which = 0; which < 2; ++which) {
      reset();
      launch(fns[which]);
      for (const Output &output : c.outputs) {
        results[which].emplace_back(c.buffers[output.buffer].bytes);
        check(d->cuMemcpyDtoHAsync(results[which].back().data(),
                                   buffers[output.buffer],
                                   results[which].back().size(), stream),
              "cuMemcpyDtoH");
      }
      check(d->cuStreamSynchronize(stream), c.label);
    }
    size_t woolyDiffer = mismatches(c, results[0], results[1]);

    std::unique_ptr<FencedRun> fenced;
    std::string fencedError = FencedRun::create(*client, wis, c, fenced);
    if (fencedError.empty())
      fencedError = fenced->reset(inputs);
    if (fencedError.empty())
      fencedError = fenced->launch();
    for (const Output &output : c.outputs) {
      if (!fencedError.empty())
        break;
      results[2].emplace_back();
      fencedError = fenced->read(output.buffer, results[2].back());
    }
    size_t fencedDiffer =
        fencedError.empty() ? mismatches(c, results[0], results[2]) : 0;
    if (!fencedError.empty())
      fenced.reset(); // the row goes on without its fenced column
    check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
    size_t freeBytes = 0, totalBytes = 0;
    if (!fencedError.empty() &&
        d->cuMemGetInfo(&freeBytes, &totalBytes) != CUDA_SUCCESS) {
      // A fault in the fenced kernel is sticky: the device context that
      // every run here shares is gone, so nothing after it can run.
      std::printf("%-16s fenced: %s\n%-16s the fault ended the device "
                  "context; later kernels not run\n",
                  c.label, fencedError.c_str(), "");
      failures = true;
      break;
    }

    // Interleaved timing, warm-up first.
    int caseRuns = std::max(1, runs / int(c.runsDivisor));
    auto timeNative = [&](CUfunction fn) {
      check(d->cuEventRecord(start, stream), "cuEventRecord");
      launch(fn);
      check(d->cuEventRecord(stop, stream), "cuEventRecord");
      check(d->cuEventSynchronize(stop), "cuEventSynchronize");
      float ms = 0;
      check(d->cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
      return ms * 1000.0f;
    };
    std::vector<float> times[3];
    for (int r = -3; r < caseRuns && fencedError.empty(); ++r)
      for (int which = 0; which < 3; ++which) {
        float us = 0;
        if (which < 2) {
          us = timeNative(fns[which]);
        } else if (fenced) {
          fencedError = fenced->time(us);
          check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
          if (!fencedError.empty())
            break;
        } else {
          continue;
        }
        if (r >= 0)
          times[which].push_back(us);
      }
    if (!fencedError.empty()) // still time native and Wooly
      for (int r = -3; r < caseRuns; ++r)
        for (int which = 0; which < 2; ++which) {
          float us = timeNative(fns[which]);
          if (r >= 0 && times[which].size() < size_t(caseRuns))
            times[which].push_back(us);
        }

    float native = median(times[0]), wooly = median(times[1]);
    woolyRatios.push_back(native / wooly);
    std::string notes;
    if (woolyDiffer)
      notes += "  WOOLY DIFFERS (" + std::to_string(woolyDiffer) + ")";
    if (fencedError.empty()) {
      float fencedUs = median(times[2]);
      fencedRatios.push_back(native / fencedUs);
      if (fencedDiffer)
        notes += "  FENCED DIFFERS (" + std::to_string(fencedDiffer) + ")";
      std::printf("%-16s %11.2f %11.2f %11.2f %7.3f %7.3f%s\n", c.label, native,
                  wooly, fencedUs, native / wooly, native / fencedUs,
                  notes.c_str());
    } else {
      failures = true;
      std::printf("%-16s %11.2f %11.2f %11s %7.3f %7s%s  fenced: %s\n",
                  c.label, native, wooly, "-", native / wooly, "-",
                  notes.c_str(), fencedError.c_str());
    }
    std::fflush(stdout);
    fenced.reset();
    check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
    for (CUdeviceptr ptr : buffers)
      d->cuMemFree(ptr);
    d->cuModuleUnload(modules[0]);
    d->cuModuleUnload(modules[1]);
  }
  if (!woolyRatios.empty())
    std::printf("geometric mean ratio native/wooly:  %.3f (%zu kernels)\n",
                geomean(woolyRatios), woolyRatios.size());
  if (!fencedRatios.empty())
    std::printf("geometric mean ratio native/fenced: %.3f (%zu kernels)\n",
                geomean(fencedRatios), fencedRatios.size());
  client.reset();
  executor.reset();
  d->cuDevicePrimaryCtxRelease(device);
  return failures ? 1 : 0;
}
