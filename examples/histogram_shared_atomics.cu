// A 256-bin byte histogram: each block counts into its own shared-memory
// histogram with shared atomics, then adds it to the global one.
#include "examples/common/example_check.h"

#include <vector>

constexpr int kBins = 256;

__global__ void histogram(const unsigned char *data, int n,
                          unsigned int *bins) {
  __shared__ unsigned int local[kBins];
  for (int b = threadIdx.x; b < kBins; b += blockDim.x)
    local[b] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += blockDim.x * gridDim.x)
    atomicAdd(&local[data[i]], 1u);
  __syncthreads();
  for (int b = threadIdx.x; b < kBins; b += blockDim.x)
    if (local[b] != 0)
      atomicAdd(&bins[b], local[b]);
}

int main() {
  const int n = 1 << 20;
  example::Rng rng(5);
  std::vector<unsigned char> data(n);
  for (int i = 0; i < n; ++i) {
    // Skewed: low bins are hit far more often, so shared atomics collide.
    uint32_t r = rng.below(256);
    data[i] = static_cast<unsigned char>((r * r) >> 8);
  }

  unsigned char *dData;
  unsigned int *dBins;
  CHECK_CUDA(cudaMalloc(&dData, n));
  CHECK_CUDA(cudaMalloc(&dBins, kBins * sizeof(unsigned int)));
  CHECK_CUDA(cudaMemcpy(dData, data.data(), n, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dBins, 0, kBins * sizeof(unsigned int)));

  histogram<<<64, 192>>>(dData, n, dBins);
  CHECK_LAUNCH();
  std::vector<unsigned int> bins(kBins);
  CHECK_CUDA(cudaMemcpy(bins.data(), dBins, kBins * sizeof(unsigned int),
                        cudaMemcpyDeviceToHost));

  std::vector<unsigned int> want(kBins, 0);
  for (unsigned char v : data)
    ++want[v];
  for (int b = 0; b < kBins; ++b)
    if (bins[b] != want[b])
      example::fail("bin %d = %u, expected %u", b, bins[b], want[b]);

  CHECK_CUDA(cudaFree(dData));
  CHECK_CUDA(cudaFree(dBins));
  return example::pass();
}
