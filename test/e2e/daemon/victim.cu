// Fills its memory, waits while another session misbehaves, then checks
// every word is still its own.
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <vector>
#include <cuda_runtime.h>

__global__ void fill(unsigned *p, unsigned n, unsigned seed) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    p[i] = i * 2654435761u + seed;
}

int main(int argc, char **argv) {
  const unsigned n = 1 << 20;
  unsigned seed = 12345;
  int wait = argc > 1 ? atoi(argv[1]) : 3;
  unsigned *p = nullptr;
  if (cudaMalloc(&p, n * sizeof(unsigned)) != cudaSuccess) {
    printf("FAIL cudaMalloc\n");
    return 1;
  }
  fill<<<(n + 255) / 256, 256>>>(p, n, seed);
  if (cudaDeviceSynchronize() != cudaSuccess) {
    printf("FAIL fill\n");
    return 1;
  }
  printf("READY\n");
  fflush(stdout);
  sleep(wait);
  std::vector<unsigned> h(n);
  cudaError_t e = cudaMemcpy(h.data(), p, n * sizeof(unsigned), cudaMemcpyDeviceToHost);
  if (e != cudaSuccess) {
    printf("FAIL copy back: %s\n", cudaGetErrorName(e));
    return 1;
  }
  for (unsigned i = 0; i < n; ++i)
    if (h[i] != i * 2654435761u + seed) {
      printf("FAIL word %u changed\n", i);
      return 1;
    }
  printf("PASS\n");
  return 0;
}
