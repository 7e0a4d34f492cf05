// Dynamic shared memory (extern __shared__, sized by the third launch
// parameter): a per-block reversal at two block sizes, and one buffer carved
// into an int and a float array.
#include "examples/common/example_check.h"

#include <vector>

// Reverses each blockDim.x-sized chunk of data in place.
__global__ void reverseChunks(int *data) {
  extern __shared__ int staged[];
  int t = threadIdx.x;
  int base = blockIdx.x * blockDim.x;
  staged[t] = data[base + t];
  __syncthreads();
  data[base + t] = staged[blockDim.x - 1 - t];
}

// Per block: out[block] = sum over the chunk of keys[i] * weights[i], with
// keys and weights staged in two arrays that share one dynamic allocation.
__global__ void weightedSums(const int *keys, const float *weights,
                             float *out) {
  extern __shared__ unsigned char raw[];
  int *sharedKeys = reinterpret_cast<int *>(raw);
  float *sharedWeights =
      reinterpret_cast<float *>(raw + blockDim.x * sizeof(int));
  int t = threadIdx.x;
  int i = blockIdx.x * blockDim.x + t;
  sharedKeys[t] = keys[i];
  sharedWeights[t] = weights[i];
  __syncthreads();
  if (t == 0) {
    float sum = 0.0f;
    for (int k = 0; k < blockDim.x; ++k)
      sum += sharedKeys[k] * sharedWeights[k];
    out[blockIdx.x] = sum;
  }
}

int main() {
  const int n = 1 << 16;
  example::Rng rng(14);
  std::vector<int> data(n), keys(n);
  std::vector<float> weights(n);
  for (int i = 0; i < n; ++i) {
    data[i] = static_cast<int>(rng.nextU32());
    keys[i] = static_cast<int>(rng.below(100));
    weights[i] = rng.uniform(0.0f, 1.0f);
  }

  int *dData, *dKeys;
  float *dWeights, *dSums;
  CHECK_CUDA(cudaMalloc(&dData, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dKeys, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dWeights, n * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dSums, (n / 64) * sizeof(float)));
  CHECK_CUDA(
      cudaMemcpy(dData, data.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dKeys, keys.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dWeights, weights.data(), n * sizeof(float),
                        cudaMemcpyHostToDevice));

  // Reverse in chunks of 512, then in chunks of 128.
  reverseChunks<<<n / 512, 512, 512 * sizeof(int)>>>(dData);
  CHECK_LAUNCH();
  reverseChunks<<<n / 128, 128, 128 * sizeof(int)>>>(dData);
  CHECK_LAUNCH();
  std::vector<int> reversed(n);
  CHECK_CUDA(cudaMemcpy(reversed.data(), dData, n * sizeof(int),
                        cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) {
    // Reversing 512-chunks then 128-chunks maps i to the mirror of its
    // 128-chunk inside the mirrored 512-chunk.
    int inner = 128 * (i / 128) + (127 - i % 128);
    int source = 512 * (inner / 512) + (511 - inner % 512);
    if (reversed[i] != data[source])
      example::fail("data[%d] = %d, expected %d (from %d)", i, reversed[i],
                    data[source], source);
  }

  const int block = 64;
  weightedSums<<<n / block, block, block *(sizeof(int) + sizeof(float))>>>(
      dKeys, dWeights, dSums);
  CHECK_LAUNCH();
  std::vector<float> sums(n / block);
  CHECK_CUDA(cudaMemcpy(sums.data(), dSums, sums.size() * sizeof(float),
                        cudaMemcpyDeviceToHost));
  for (int b = 0; b < n / block; ++b) {
    double want = 0.0;
    for (int k = 0; k < block; ++k)
      want += static_cast<double>(keys[b * block + k]) * weights[b * block + k];
    if (!example::nearlyEqual(sums[b], want, 1e-5, 1e-4))
      example::fail("weighted sum of block %d = %.9g, expected %.9g", b,
                    sums[b], want);
  }

  CHECK_CUDA(cudaFree(dData));
  CHECK_CUDA(cudaFree(dKeys));
  CHECK_CUDA(cudaFree(dWeights));
  CHECK_CUDA(cudaFree(dSums));
  return example::pass();
}
