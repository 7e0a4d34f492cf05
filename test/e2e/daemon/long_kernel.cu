// One kernel that runs for several seconds, longer than woolyd's session
// timeout: the client waits for it in cudaDeviceSynchronize, silent but
// for its probes, and must not be taken for dead. The length is calibrated
// on a short run first, so it holds on any device.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

__global__ void churn(unsigned long long iterations, unsigned *out) {
  unsigned x = threadIdx.x + 1;
  for (unsigned long long i = 0; i < iterations; ++i)
    x = x * 1664525u + 1013904223u;
  out[threadIdx.x] = x;
}

static double run(unsigned long long iterations, unsigned *out) {
  auto start = std::chrono::steady_clock::now();
  churn<<<1, 32>>>(iterations, out);
  cudaError_t e = cudaDeviceSynchronize();
  if (e != cudaSuccess) {
    printf("FAIL: %s after %.1f s\n", cudaGetErrorName(e),
           std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
               .count());
    exit(1);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 5.0;
  unsigned *out = nullptr;
  if (cudaMalloc(&out, 32 * sizeof(unsigned)) != cudaSuccess) {
    printf("FAIL cudaMalloc\n");
    return 1;
  }
  // The first launch also compiles the kernel (slow on a loaded machine or
  // a sanitized woolyd): not a time to scale from.
  run(1, out);
  unsigned long long n = 1 << 20;
  double t = run(n, out);
  while (t < 0.2) { // long enough to scale from
    n *= 8;
    t = run(n, out);
  }
  double took = run(static_cast<unsigned long long>(n * (seconds / t)), out);
  printf("one kernel ran %.1f s\n", took);
  if (took < seconds * 0.6) {
    printf("FAIL: the kernel was too short to test anything\n");
    return 1;
  }
  printf("PASS\n");
  return 0;
}
