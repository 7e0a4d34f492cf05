// Exclusive prefix sum of a large array in three steps:
//   1. each block scans 512 elements in shared memory (Blelloch: up-sweep,
//      then down-sweep) and records its total;
//   2. one block scans the block totals (Hillis-Steele, double-buffered);
//   3. every block adds the scanned total of the blocks before it.
#include "examples/common/example_check.h"

#include <vector>

constexpr int kThreads = 256;
constexpr int kChunk = 2 * kThreads; // elements per block in step 1

__global__ void blellochScan(const int *in, int *out, int *blockTotals, int n) {
  __shared__ int temp[kChunk];
  int base = blockIdx.x * kChunk;
  int t = threadIdx.x;
  temp[2 * t] = base + 2 * t < n ? in[base + 2 * t] : 0;
  temp[2 * t + 1] = base + 2 * t + 1 < n ? in[base + 2 * t + 1] : 0;

  // Up-sweep: build partial sums in place.
  int offset = 1;
  for (int active = kChunk / 2; active > 0; active /= 2) {
    __syncthreads();
    if (t < active) {
      int left = offset * (2 * t + 1) - 1;
      int right = offset * (2 * t + 2) - 1;
      temp[right] += temp[left];
    }
    offset *= 2;
  }
  if (t == 0) {
    blockTotals[blockIdx.x] = temp[kChunk - 1];
    temp[kChunk - 1] = 0;
  }
  // Down-sweep: push the prefixes back down the tree.
  for (int active = 1; active < kChunk; active *= 2) {
    offset /= 2;
    __syncthreads();
    if (t < active) {
      int left = offset * (2 * t + 1) - 1;
      int right = offset * (2 * t + 2) - 1;
      int leftValue = temp[left];
      temp[left] = temp[right];
      temp[right] += leftValue;
    }
  }
  __syncthreads();
  if (base + 2 * t < n)
    out[base + 2 * t] = temp[2 * t];
  if (base + 2 * t + 1 < n)
    out[base + 2 * t + 1] = temp[2 * t + 1];
}

// Exclusive scan of up to blockDim.x values in one block.
__global__ void hillisSteeleScan(int *values, int count) {
  extern __shared__ int buffers[]; // two buffers of blockDim.x ints
  int *src = buffers, *dst = buffers + blockDim.x;
  int t = threadIdx.x;
  // Shift right by one so the inclusive scan below yields an exclusive one.
  src[t] = (t > 0 && t - 1 < count) ? values[t - 1] : 0;
  __syncthreads();
  for (int offset = 1; offset < blockDim.x; offset *= 2) {
    dst[t] = t >= offset ? src[t] + src[t - offset] : src[t];
    __syncthreads();
    int *swap = src;
    src = dst;
    dst = swap;
  }
  if (t < count)
    values[t] = src[t];
}

__global__ void addBlockOffsets(int *out, const int *scannedTotals, int n) {
  int i = blockIdx.x * kChunk + threadIdx.x;
  int add = scannedTotals[blockIdx.x];
  if (i < n)
    out[i] += add;
  if (i + kThreads < n)
    out[i + kThreads] += add;
}

int main() {
  const int blocks = 500; // step 2 scans these in one block of 512 threads
  const int n = blocks * kChunk - 37;
  example::Rng rng(6);
  std::vector<int> in(n), out(n);
  for (int &v : in)
    v = static_cast<int>(rng.below(2001)) - 1000;

  int *dIn, *dOut, *dTotals;
  CHECK_CUDA(cudaMalloc(&dIn, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dOut, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dTotals, blocks * sizeof(int)));
  CHECK_CUDA(
      cudaMemcpy(dIn, in.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dOut, 0xff, n * sizeof(int)));

  blellochScan<<<blocks, kThreads>>>(dIn, dOut, dTotals, n);
  CHECK_LAUNCH();
  const int scanThreads = 512;
  hillisSteeleScan<<<1, scanThreads, 2 * scanThreads * sizeof(int)>>>(dTotals,
                                                                      blocks);
  CHECK_LAUNCH();
  addBlockOffsets<<<blocks, kThreads>>>(dOut, dTotals, n);
  CHECK_LAUNCH();
  CHECK_CUDA(
      cudaMemcpy(out.data(), dOut, n * sizeof(int), cudaMemcpyDeviceToHost));

  int running = 0;
  for (int i = 0; i < n; ++i) {
    if (out[i] != running)
      example::fail("out[%d] = %d, expected %d", i, out[i], running);
    running += in[i];
  }
  CHECK_CUDA(cudaFree(dIn));
  CHECK_CUDA(cudaFree(dOut));
  CHECK_CUDA(cudaFree(dTotals));
  return example::pass();
}
