// Block reductions built from warp shuffles: an integer sum with
// __shfl_down_sync and a float maximum with __shfl_xor_sync, each warp's
// partial result passed through shared memory to the first warp.
#include "examples/common/example_check.h"

#include <algorithm>
#include <climits>
#include <vector>

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kBlock = 256;
constexpr int kWarps = kBlock / 32;

__device__ long long warpSum(long long v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_down_sync(kFullMask, v, offset);
  return v; // lane 0 holds the warp's total
}

__device__ float warpMax(float v) {
  // Butterfly: every lane ends with the maximum.
  for (int mask = 16; mask > 0; mask /= 2)
    v = fmaxf(v, __shfl_xor_sync(kFullMask, v, mask));
  return v;
}

// Each block writes one partial sum; run again on the partials with one block
// to finish.
__global__ void sumKernel(const int *in, long long *out, int n) {
  __shared__ long long warpTotals[kWarps];
  long long v = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += blockDim.x * gridDim.x)
    v += in[i];
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warpSum(v);
  if (lane == 0)
    warpTotals[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kWarps ? warpTotals[lane] : 0;
    v = warpSum(v);
    if (lane == 0)
      out[blockIdx.x] = v;
  }
}

__global__ void sumPartials(const long long *in, long long *out, int n) {
  __shared__ long long warpTotals[kWarps];
  long long v = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    v += in[i];
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warpSum(v);
  if (lane == 0)
    warpTotals[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kWarps ? warpTotals[lane] : 0;
    v = warpSum(v);
    if (lane == 0)
      *out = v;
  }
}

__global__ void maxKernel(const float *in, float *out, int n) {
  __shared__ float warpMaxima[kWarps];
  float v = -INFINITY;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += blockDim.x * gridDim.x)
    v = fmaxf(v, in[i]);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warpMax(v);
  if (lane == 0)
    warpMaxima[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = warpMax(lane < kWarps ? warpMaxima[lane] : -INFINITY);
    if (lane == 0)
      out[blockIdx.x] = v;
  }
}

int main() {
  const int n = 1 << 20;
  const int grid = 128;
  example::Rng rng(4);
  std::vector<int> ints(n);
  std::vector<float> floats(n);
  for (int i = 0; i < n; ++i) {
    ints[i] = static_cast<int>(rng.nextU32()); // full range, negatives too
    floats[i] = rng.uniform(-1000.0f, 1000.0f);
  }

  int *dInts;
  float *dFloats, *dMaxima;
  long long *dPartials, *dSum;
  CHECK_CUDA(cudaMalloc(&dInts, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dFloats, n * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dMaxima, grid * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dPartials, grid * sizeof(long long)));
  CHECK_CUDA(cudaMalloc(&dSum, sizeof(long long)));
  CHECK_CUDA(
      cudaMemcpy(dInts, ints.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dFloats, floats.data(), n * sizeof(float),
                        cudaMemcpyHostToDevice));

  sumKernel<<<grid, kBlock>>>(dInts, dPartials, n);
  CHECK_LAUNCH();
  sumPartials<<<1, kBlock>>>(dPartials, dSum, grid);
  CHECK_LAUNCH();
  maxKernel<<<grid, kBlock>>>(dFloats, dMaxima, n);
  CHECK_LAUNCH();

  long long sum;
  std::vector<float> maxima(grid);
  CHECK_CUDA(cudaMemcpy(&sum, dSum, sizeof(sum), cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(maxima.data(), dMaxima, grid * sizeof(float),
                        cudaMemcpyDeviceToHost));

  long long wantSum = 0;
  for (int v : ints)
    wantSum += v;
  if (sum != wantSum)
    example::fail("sum = %lld, expected %lld", sum, wantSum);

  // Block b saw exactly the elements i with (i / kBlock) % grid == b.
  std::vector<float> wantMaxima(grid, -INFINITY);
  for (int i = 0; i < n; ++i) {
    int b = (i / kBlock) % grid;
    wantMaxima[b] = std::max(wantMaxima[b], floats[i]);
  }
  for (int b = 0; b < grid; ++b)
    if (maxima[b] != wantMaxima[b])
      example::fail("max of block %d = %.9g, expected %.9g", b, maxima[b],
                    wantMaxima[b]);

  CHECK_CUDA(cudaFree(dInts));
  CHECK_CUDA(cudaFree(dFloats));
  CHECK_CUDA(cudaFree(dMaxima));
  CHECK_CUDA(cudaFree(dPartials));
  CHECK_CUDA(cudaFree(dSum));
  return example::pass();
}
