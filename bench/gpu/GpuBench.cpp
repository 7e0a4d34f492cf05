//===- GpuBench.cpp - Wooly-compiled kernels vs nvcc's, on one GPU --------===//
//
// For each example kernel: nvcc's PTX loaded as is (the baseline, what a
// CUDA program runs) and the same PTX through Wooly (PTX -> WIS -> nvptx
// PTX for this GPU's sm_XX), both JIT-compiled by the driver, launched with
// the same arguments, timed with CUDA events. Prints the median of many
// runs of each and the ratio native/wooly (1.0 = native speed; the goal is
// >= 0.95). Also checks that both produce the same results.
//
//   wooly-bench-gpu [PTX_DIR] [RUNS]
//
// Without an NVIDIA GPU it prints why and exits 0 (nothing to measure).
//
//===----------------------------------------------------------------------===//

#include "compiler/ptx/Translate.h"
#include "compiler/target/nvptx/NVPTXPipeline.h"
#include "runtime/exec/cuda/CudaDriver.h"
#include "runtime/exec/cuda/CudaExecutor.h"

#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

using namespace wooly::exec::cuda;

namespace {

const CudaDriver *d = nullptr;

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

/// One benchmark: buffers, arguments and launch shape for one kernel.
struct Case {
  const char *file;   // examples/ptx/<file>.sm_75.ptx
  const char *kernel; // the mangled entry name
  unsigned grid[3], block[3];
  std::vector<size_t> bufferFloats; // device buffers, filled with data
  size_t outputBuffer;              // which buffer holds the result
  std::function<std::vector<std::vector<uint8_t>>(std::vector<CUdeviceptr> &)>
      args;
};

template <typename T> std::vector<uint8_t> bytes(T value) {
  std::vector<uint8_t> out(sizeof(T));
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  std::string dir = argc > 1 ? argv[1] : WOOLY_EXAMPLE_DIR "/ptx";
  int runs = argc > 2 ? std::atoi(argv[2]) : 200;
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
  std::printf("device: %s (%s), %d runs per kernel, median times\n", name,
              arch.c_str(), runs);

  const int n = 1 << 24, dim = 1024, width = 4096, height = 4096;
  std::vector<Case> cases = {
      {"saxpy",
       "_Z5saxpyifPKfPf",
       {unsigned((n + 255) / 256), 1, 1},
       {256, 1, 1},
       {size_t(n), size_t(n)},
       1,
       [&](std::vector<CUdeviceptr> &b) {
         return std::vector<std::vector<uint8_t>>{bytes(n), bytes(2.0f),
                                                  bytes(b[0]), bytes(b[1])};
       }},
      {"vector_add",
       "_Z9vectorAddPKfS0_Pfi",
       {unsigned((n + 255) / 256), 1, 1},
       {256, 1, 1},
       {size_t(n), size_t(n), size_t(n)},
       2,
       [&](std::vector<CUdeviceptr> &b) {
         return std::vector<std::vector<uint8_t>>{bytes(b[0]), bytes(b[1]),
                                                  bytes(b[2]), bytes(n)};
       }},
      {"matmul_tiled",
       "_Z11matmulTiledPKfS0_Pfiii",
       {dim / 16, dim / 16, 1},
       {16, 16, 1},
       {size_t(dim) * dim, size_t(dim) * dim, size_t(dim) * dim},
       2,
       [&](std::vector<CUdeviceptr> &b) {
         return std::vector<std::vector<uint8_t>>{bytes(b[0]), bytes(b[1]),
                                                  bytes(b[2]), bytes(dim),
                                                  bytes(dim),  bytes(dim)};
       }},
      {"stencil_2d",
       "_Z10jacobiStepPKfPfii",
       {width / 16, height / 16, 1},
       {16, 16, 1},
       {size_t(width) * height, size_t(width) * height},
       1,
       [&](std::vector<CUdeviceptr> &b) {
         return std::vector<std::vector<uint8_t>>{bytes(b[0]), bytes(b[1]),
                                                  bytes(width), bytes(height)};
       }},
  };

  std::printf("%-14s %12s %12s %8s %s\n", "kernel", "native us", "wooly us",
              "ratio", "(native/wooly; 1.0 = native speed)");
  std::vector<float> ratios;
  CUstream stream = nullptr;
  check(d->cuStreamCreateWithPriority(&stream, CU_STREAM_NON_BLOCKING, 0),
        "cuStreamCreate");
  CUevent start = nullptr, stop = nullptr;
  check(d->cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate");
  check(d->cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  for (Case &c : cases) {
    std::string ptx = readFile(dir + "/" + c.file + ".sm_75.ptx");
    if (ptx.empty()) {
      std::printf("%-14s missing %s/%s.sm_75.ptx\n", c.file, dir.c_str(),
                  c.file);
      continue;
    }
    // Wooly: PTX -> WIS -> PTX for this GPU.
    mlir::MLIRContext mlirContext;
    std::string errors;
    auto wis = wooly::ptx::translatePTX(ptx, c.file, mlirContext, {}, &errors);
    if (mlir::failed(wis)) {
      std::printf("%-14s translation failed: %s\n", c.file, errors.c_str());
      return 1;
    }
    wooly::nvptx::CodegenOptions options;
    options.arch = arch;
    auto woolyPtx = wooly::nvptx::compileToPTX(wis->get(), options);
    if (!woolyPtx) {
      std::printf("%-14s compile failed: %s\n", c.file,
                  llvm::toString(woolyPtx.takeError()).c_str());
      return 1;
    }
    CUmodule nativeModule = loadPTX(ptx), woolyModule = loadPTX(*woolyPtx);
    CUfunction fns[2];
    check(d->cuModuleGetFunction(&fns[0], nativeModule, c.kernel), c.kernel);
    check(d->cuModuleGetFunction(&fns[1], woolyModule, c.kernel), c.kernel);

    std::vector<CUdeviceptr> buffers;
    std::vector<std::vector<float>> inputs;
    for (size_t floats : c.bufferFloats) {
      std::vector<float> host(floats);
      for (size_t i = 0; i < floats; ++i)
        host[i] = float((i * 7919) % 1000) / 1000.0f;
      CUdeviceptr ptr = 0;
      check(d->cuMemAlloc(&ptr, floats * 4), "cuMemAlloc");
      buffers.push_back(ptr);
      inputs.push_back(std::move(host));
    }
    auto reset = [&] {
      for (size_t i = 0; i < buffers.size(); ++i)
        check(d->cuMemcpyHtoDAsync(buffers[i], inputs[i].data(),
                                   inputs[i].size() * 4, stream),
              "cuMemcpyHtoD");
    };
    std::vector<std::vector<uint8_t>> argValues = c.args(buffers);
    std::vector<void *> params;
    for (auto &value : argValues)
      params.push_back(value.data());
    auto launch = [&](CUfunction fn) {
      check(d->cuLaunchKernel(fn, c.grid[0], c.grid[1], c.grid[2], c.block[0],
                              c.block[1], c.block[2], 0, stream, params.data(),
                              nullptr),
            "cuLaunchKernel");
    };
    // Same inputs, same launch: the same results (up to rounding of
    // contracted multiply-adds).
    std::vector<float> results[2];
    for (int which = 0; which < 2; ++which) {
      reset();
      launch(fns[which]);
      results[which].resize(c.bufferFloats[c.outputBuffer]);
      check(d->cuMemcpyDtoHAsync(results[which].data(), buffers[c.outputBuffer],
                                 results[which].size() * 4, stream),
            "cuMemcpyDtoH");
      check(d->cuStreamSynchronize(stream), "launch");
    }
    size_t mismatches = 0;
    for (size_t i = 0; i < results[0].size(); ++i) {
      float a = results[0][i], b = results[1][i];
      if (std::fabs(a - b) > 1e-4f * std::max(1.0f, std::fabs(a)))
        ++mismatches;
    }
    // Interleaved timing, warm-up first.
    std::vector<float> times[2];
    for (int i = 0; i < 5; ++i) {
      launch(fns[0]);
      launch(fns[1]);
    }
    for (int r = 0; r < runs; ++r)
      for (int which = 0; which < 2; ++which) {
        check(d->cuEventRecord(start, stream), "cuEventRecord");
        launch(fns[which]);
        check(d->cuEventRecord(stop, stream), "cuEventRecord");
        check(d->cuEventSynchronize(stop), "cuEventSynchronize");
        float ms = 0;
        check(d->cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
        times[which].push_back(ms * 1000.0f);
      }
    float native = median(times[0]), wooly = median(times[1]);
    float ratio = native / wooly;
    ratios.push_back(ratio);
    std::printf("%-14s %12.2f %12.2f %8.3f%s\n", c.file, native, wooly, ratio,
                mismatches ? "  RESULTS DIFFER" : "");
    for (CUdeviceptr ptr : buffers)
      d->cuMemFree(ptr);
    d->cuModuleUnload(nativeModule);
    d->cuModuleUnload(woolyModule);
  }
  if (!ratios.empty()) {
    double logSum = 0;
    for (float r : ratios)
      logSum += std::log(r);
    std::printf("geometric mean ratio (native/wooly): %.3f\n",
                std::exp(logSum / ratios.size()));
  }
  d->cuDevicePrimaryCtxRelease(device);
  return 0;
}
