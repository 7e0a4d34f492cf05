// c[i] = a[i] + b[i] over an array whose length is not a multiple of the block
// size, so the bounds check in the kernel matters.
#include "examples/common/example_check.h"

#include <vector>

__global__ void vectorAdd(const float *a, const float *b, float *c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    c[i] = a[i] + b[i];
}

int main() {
  const int n = (1 << 20) + 7;
  const size_t bytes = n * sizeof(float);
  example::Rng rng(1);
  std::vector<float> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) {
    a[i] = rng.uniform(-100.0f, 100.0f);
    b[i] = rng.uniform(-100.0f, 100.0f);
  }

  float *dA, *dB, *dC;
  CHECK_CUDA(cudaMalloc(&dA, bytes));
  CHECK_CUDA(cudaMalloc(&dB, bytes));
  CHECK_CUDA(cudaMalloc(&dC, bytes));
  CHECK_CUDA(cudaMemcpy(dA, a.data(), bytes, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dB, b.data(), bytes, cudaMemcpyHostToDevice));
  // Poison the output so an element the kernel never writes is caught.
  CHECK_CUDA(cudaMemset(dC, 0xff, bytes));

  const int block = 256;
  const int grid = (n + block - 1) / block;
  vectorAdd<<<grid, block>>>(dA, dB, dC, n);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaMemcpy(c.data(), dC, bytes, cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    float want = a[i] + b[i]; // one IEEE add on both sides: exact match
    if (c[i] != want)
      example::fail("c[%d] = %.9g, expected %.9g", i, c[i], want);
  }
  CHECK_CUDA(cudaFree(dA));
  CHECK_CUDA(cudaFree(dB));
  CHECK_CUDA(cudaFree(dC));
  return example::pass();
}
