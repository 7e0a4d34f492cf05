// Constant and module-scope device memory: a FIR filter whose taps live in
// __constant__ memory set with cudaMemcpyToSymbol, a __constant__ table with
// an initializer read back with cudaMemcpyFromSymbol, and a __device__
// variable written at an offset and updated by a kernel.
#include "examples/common/example_check.h"

#include <vector>

constexpr int kTaps = 16;

__constant__ float taps[kTaps];
__constant__ int lookup[8] = {3, 1, 4, 1, 5, 9, 2, 6};
__device__ int counters[4] = {10, 20, 30, 40};

// out[i] = sum_t taps[t] * in[i + t]; in has n + kTaps - 1 elements.
__global__ void fir(const float *in, float *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float acc = 0.0f;
#pragma unroll
  for (int t = 0; t < kTaps; ++t)
    acc += taps[t] * in[i + t];
  out[i] = acc + lookup[i % 8];
}

__global__ void bumpCounters() {
  if (threadIdx.x < 4)
    counters[threadIdx.x] += lookup[threadIdx.x];
}

int main() {
  const int n = 1 << 18;
  example::Rng rng(13);
  std::vector<float> in(n + kTaps - 1), out(n), hostTaps(kTaps);
  for (float &v : in)
    v = rng.uniform(-1.0f, 1.0f);
  for (float &v : hostTaps)
    v = rng.uniform(-0.5f, 0.5f);

  CHECK_CUDA(cudaMemcpyToSymbol(taps, hostTaps.data(), kTaps * sizeof(float)));
  int readBack[8];
  CHECK_CUDA(cudaMemcpyFromSymbol(readBack, lookup, sizeof(readBack)));
  const int wantLookup[8] = {3, 1, 4, 1, 5, 9, 2, 6};
  for (int i = 0; i < 8; ++i)
    if (readBack[i] != wantLookup[i])
      example::fail("lookup[%d] read back as %d, expected %d", i, readBack[i],
                    wantLookup[i]);

  // Overwrite counters[2..3] only: 30, 40 become 300, 400.
  const int replacement[2] = {300, 400};
  CHECK_CUDA(cudaMemcpyToSymbol(counters, replacement, sizeof(replacement),
                                2 * sizeof(int)));

  float *dIn, *dOut;
  CHECK_CUDA(cudaMalloc(&dIn, in.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dOut, n * sizeof(float)));
  CHECK_CUDA(cudaMemcpy(dIn, in.data(), in.size() * sizeof(float),
                        cudaMemcpyHostToDevice));
  fir<<<(n + 255) / 256, 256>>>(dIn, dOut, n);
  CHECK_LAUNCH();
  bumpCounters<<<1, 32>>>();
  CHECK_LAUNCH();
  CHECK_CUDA(
      cudaMemcpy(out.data(), dOut, n * sizeof(float), cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    double want = wantLookup[i % 8];
    for (int t = 0; t < kTaps; ++t)
      want += static_cast<double>(hostTaps[t]) * in[i + t];
    if (!example::nearlyEqual(out[i], want, 1e-5, 1e-5))
      example::fail("out[%d] = %.9g, expected %.9g", i, out[i], want);
  }

  int counterValues[4];
  CHECK_CUDA(
      cudaMemcpyFromSymbol(counterValues, counters, sizeof(counterValues)));
  const int wantCounters[4] = {10 + 3, 20 + 1, 300 + 4, 400 + 1};
  for (int i = 0; i < 4; ++i)
    if (counterValues[i] != wantCounters[i])
      example::fail("counters[%d] = %d, expected %d", i, counterValues[i],
                    wantCounters[i]);

  // The symbol's device address works like any device pointer.
  int *counterAddress = nullptr;
  CHECK_CUDA(cudaGetSymbolAddress(reinterpret_cast<void **>(&counterAddress),
                                  counters));
  int first = 0;
  CHECK_CUDA(
      cudaMemcpy(&first, counterAddress, sizeof(int), cudaMemcpyDeviceToHost));
  if (first != wantCounters[0])
    example::fail("counters[0] through cudaGetSymbolAddress = %d", first);

  CHECK_CUDA(cudaFree(dIn));
  CHECK_CUDA(cudaFree(dOut));
  return example::pass();
}
