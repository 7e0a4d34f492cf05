// What the real CUDA runtime returns for the calls examples/error_cases
// checks, printed one per line, so that the example and Wooly's runtime can
// be held to the hardware's answers (built by pack.sh, run by run.sh).
#include <cstdio>
#include <cuda_runtime.h>

__global__ void fill(int *out, int value) {
  out[blockIdx.x * blockDim.x + threadIdx.x] = value;
}

static void show(const char *what, cudaError_t e) {
  std::printf("%-34s %s\n", what, cudaGetErrorName(e));
}

int main() {
  int *d = nullptr;
  show("cudaMalloc", cudaMalloc(&d, 1024 * sizeof(int)));
  struct Shape { const char *what; dim3 grid, block; } shapes[] = {
      {"block 2048", dim3(1), dim3(2048)},
      {"block 32x32x2", dim3(1), dim3(32, 32, 2)},
      {"block z 128", dim3(1), dim3(1, 1, 128)},
      {"grid 0", dim3(0), dim3(32)},
      {"grid y 65536", dim3(1, 65536), dim3(1)},
      {"grid z 65536", dim3(1, 1, 65536), dim3(1)},
      {"block 0", dim3(1), dim3(0)},
  };
  for (const Shape &s : shapes) {
    fill<<<s.grid, s.block>>>(d, 1);
    show(s.what, cudaGetLastError());
  }
  void *huge = nullptr;
  show("cudaMalloc 2^62", cudaMalloc(&huge, size_t(1) << 62));
  cudaGetLastError();
  int host = 0;
  show("cudaMemcpy kind 42",
       cudaMemcpy(&host, d, sizeof(int), static_cast<cudaMemcpyKind>(42)));
  cudaGetLastError();
  int devices = 0;
  cudaGetDeviceCount(&devices);
  show("cudaSetDevice count+100", cudaSetDevice(devices + 100));
  cudaGetLastError();
  size_t stack = 0;
  cudaDeviceGetLimit(&stack, cudaLimitStackSize);
  std::printf("%-34s %zu\n", "default stack bytes", stack);
  show("cudaDeviceSetLimit stack 1 MiB",
       cudaDeviceSetLimit(cudaLimitStackSize, 1 << 20));
  cudaDeviceGetLimit(&stack, cudaLimitStackSize);
  std::printf("%-34s %zu\n", "stack bytes after", stack);
  fill<<<4, 256>>>(d, 77);
  show("good launch", cudaGetLastError());
  show("synchronize", cudaDeviceSynchronize());
  return 0;
}
