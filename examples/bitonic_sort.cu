// Bitonic sort of 2^16 keys. Stages whose compare distance fits in a block's
// chunk run in shared memory; longer distances run one global step per launch.
#include "examples/common/example_check.h"

#include <algorithm>
#include <vector>

constexpr int kChunk = 512; // elements (and threads) per block

// Compare-and-swap of keys i and i ^ j so that the k-sized run holding i ends
// up ascending when (i & k) == 0 and descending otherwise.
__device__ void orderPair(unsigned &lo, unsigned &hi, bool ascending) {
  if ((lo > hi) == ascending) {
    unsigned t = lo;
    lo = hi;
    hi = t;
  }
}

// Runs every (k, j) step with kFirst <= k <= kLast and j < kChunk on one
// chunk held in shared memory.
__global__ void bitonicShared(unsigned *keys, int kFirst, int kLast) {
  __shared__ unsigned chunk[kChunk];
  int t = threadIdx.x;
  int i = blockIdx.x * kChunk + t;
  chunk[t] = keys[i];
  __syncthreads();
  for (int k = kFirst; k <= kLast; k *= 2) {
    for (int j = min(k, kChunk) / 2; j > 0; j /= 2) {
      int partner = t ^ j;
      if (partner > t)
        orderPair(chunk[t], chunk[partner], (i & k) == 0);
      __syncthreads();
    }
  }
  keys[i] = chunk[t];
}

// One step with a compare distance of at least a chunk.
__global__ void bitonicGlobalStep(unsigned *keys, int j, int k) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int partner = i ^ j;
  if (partner > i)
    orderPair(keys[i], keys[partner], (i & k) == 0);
}

int main() {
  const int n = 1 << 16;
  example::Rng rng(7);
  std::vector<unsigned> keys(n);
  for (unsigned &k : keys)
    k = rng.nextU32();
  for (int i = 0; i < n; i += 97)
    keys[i] = keys[i / 2]; // some duplicates

  unsigned *dKeys;
  CHECK_CUDA(cudaMalloc(&dKeys, n * sizeof(unsigned)));
  CHECK_CUDA(cudaMemcpy(dKeys, keys.data(), n * sizeof(unsigned),
                        cudaMemcpyHostToDevice));

  const int blocks = n / kChunk;
  bitonicShared<<<blocks, kChunk>>>(dKeys, 2, kChunk);
  CHECK_CUDA(cudaGetLastError());
  for (int k = 2 * kChunk; k <= n; k *= 2) {
    for (int j = k / 2; j >= kChunk; j /= 2) {
      bitonicGlobalStep<<<blocks, kChunk>>>(dKeys, j, k);
      CHECK_CUDA(cudaGetLastError());
    }
    bitonicShared<<<blocks, kChunk>>>(dKeys, k, k);
    CHECK_CUDA(cudaGetLastError());
  }
  CHECK_CUDA(cudaDeviceSynchronize());

  std::vector<unsigned> sorted(n);
  CHECK_CUDA(cudaMemcpy(sorted.data(), dKeys, n * sizeof(unsigned),
                        cudaMemcpyDeviceToHost));
  std::sort(keys.begin(), keys.end());
  for (int i = 0; i < n; ++i)
    if (sorted[i] != keys[i])
      example::fail("key[%d] = %u, expected %u", i, sorted[i], keys[i]);
  CHECK_CUDA(cudaFree(dKeys));
  return example::pass();
}
