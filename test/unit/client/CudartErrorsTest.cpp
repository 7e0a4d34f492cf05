//===- CudartErrorsTest.cpp - CUDA error rules of the libcudart shim ------===//
//
// Calls the shim's C entry points the way a program does, with WOOLY_SERVER
// pointing at a port where nothing listens: what needs no device must work,
// what needs one must fail with CUDA's codes, and the last-error rules must
// hold.
//
//===----------------------------------------------------------------------===//
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime_api.h>

extern "C" {
unsigned __cudaPushCallConfiguration(dim3, dim3, size_t, void *);
cudaError_t __cudaPopCallConfiguration(dim3 *, dim3 *, size_t *, void *);
}

namespace {
struct NoServer {
  NoServer() {
    setenv("WOOLY_SERVER", "tcp://127.0.0.1:9", 1);
    setenv("WOOLY_CONNECT_TIMEOUT_MS", "300", 1);
  }
} noServer;
} // namespace

TEST_CASE("without a server, device calls fail with cudaErrorNoDevice and "
          "the error is the thread's last error until read",
          "[cudart]") {
  void *p = nullptr;
  CHECK(cudaMalloc(&p, 64) == cudaErrorNoDevice);
  CHECK(cudaPeekAtLastError() == cudaErrorNoDevice);
  CHECK(cudaPeekAtLastError() == cudaErrorNoDevice); // peek does not clear
  CHECK(cudaGetLastError() == cudaErrorNoDevice);
  CHECK(cudaGetLastError() == cudaSuccess); // get does
  int count = -1;
  CHECK(cudaGetDeviceCount(&count) == cudaErrorNoDevice);
  CHECK(count == 0);
  cudaGetLastError();
}

TEST_CASE("calls that need no device work without one", "[cudart]") {
  int v = 0;
  CHECK(cudaRuntimeGetVersion(&v) == cudaSuccess);
  CHECK(v == CUDART_VERSION);
  char a[8] = "abcdefg", b[8] = {};
  CHECK(cudaMemcpy(b, a, 8, cudaMemcpyHostToHost) == cudaSuccess);
  CHECK(std::memcmp(a, b, 8) == 0);
  void *h = nullptr;
  CHECK(cudaMallocHost(&h, 100) == cudaSuccess);
  cudaPointerAttributes attr;
  CHECK(cudaPointerGetAttributes(&attr, h) == cudaSuccess);
  CHECK(attr.type == cudaMemoryTypeHost);
  CHECK(cudaFreeHost(h) == cudaSuccess);
  CHECK(cudaFreeHost(a) == cudaErrorInvalidValue); // not from cudaMallocHost
  CHECK(cudaGetLastError() == cudaErrorInvalidValue);
}

TEST_CASE("argument errors come back at the call", "[cudart]") {
  char a[4], b[4];
  CHECK(cudaMemcpy(b, a, 4, static_cast<cudaMemcpyKind>(42)) ==
        cudaErrorInvalidMemcpyDirection);
  CHECK(cudaSetDevice(3) == cudaErrorInvalidDevice);
  CHECK(cudaMemcpy(b, a, 4, cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
  void *m = nullptr;
  CHECK(cudaMallocManaged(&m, 4, 0x7) == cudaErrorInvalidValue); // bad flags
  CHECK(cudaMallocManaged(nullptr, 4, cudaMemAttachGlobal) ==
        cudaErrorInvalidValue);
  // Managed memory is emulated, but it needs a device like cudaMalloc.
  CHECK(cudaMallocManaged(&m, 4, cudaMemAttachGlobal) == cudaErrorNoDevice);
  cudaFuncAttributes fa;
  CHECK(cudaFuncGetAttributes(&fa, reinterpret_cast<void *>(&cudaMalloc)) ==
        cudaErrorInvalidDeviceFunction);
  cudaGetLastError();
}

TEST_CASE("launch configurations nest like the CUDA runtime's", "[cudart]") {
  dim3 g, b;
  size_t shm = 0;
  cudaStream_t s = nullptr;
  CHECK(__cudaPopCallConfiguration(&g, &b, &shm, &s) ==
        cudaErrorMissingConfiguration);
  __cudaPushCallConfiguration(dim3(4, 2), dim3(32), 128, nullptr);
  __cudaPushCallConfiguration(dim3(1), dim3(64), 0, nullptr);
  CHECK(__cudaPopCallConfiguration(&g, &b, &shm, &s) == cudaSuccess);
  CHECK(b.x == 64);
  CHECK(__cudaPopCallConfiguration(&g, &b, &shm, &s) == cudaSuccess);
  CHECK(g.x == 4);
  CHECK(g.y == 2);
  CHECK(shm == 128);
}

TEST_CASE("error names and strings are CUDA's", "[cudart]") {
  CHECK(std::string(cudaGetErrorName(cudaErrorInvalidValue)) ==
        "cudaErrorInvalidValue");
  CHECK(std::string(cudaGetErrorString(cudaErrorMemoryAllocation)) ==
        "out of memory");
  CHECK(std::string(cudaGetErrorString(cudaErrorInvalidConfiguration)) ==
        "invalid configuration argument");
}

TEST_CASE("limits read back as set, and the stack needs the server",
          "[cudart]") {
  size_t value = 0;
  CHECK(cudaDeviceGetLimit(&value, cudaLimitStackSize) == cudaSuccess);
  CHECK(value == 1024); // the CUDA runtime's default
  // Limits the server does not act on are kept for the program.
  CHECK(cudaDeviceSetLimit(cudaLimitPrintfFifoSize, 4 << 20) == cudaSuccess);
  CHECK(cudaDeviceGetLimit(&value, cudaLimitPrintfFifoSize) == cudaSuccess);
  CHECK(value == size_t(4) << 20);
  CHECK(cudaDeviceGetLimit(&value, static_cast<cudaLimit>(0x77)) ==
        cudaErrorUnsupportedLimit);
  CHECK(cudaGetLastError() == cudaErrorUnsupportedLimit);
  // The stack goes to the server: without one, there is no device.
  CHECK(cudaDeviceSetLimit(cudaLimitStackSize, 4096) == cudaErrorNoDevice);
  CHECK(cudaDeviceGetLimit(&value, cudaLimitStackSize) == cudaSuccess);
  CHECK(value == 1024);
  cudaGetLastError();
}
