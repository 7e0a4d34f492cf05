// A kernel that checks its input with assert(). While every check holds the
// kernel works; once one fails, the next synchronization reports
// cudaErrorAssert, and natively the process's context is then unusable.
// Through Wooly the assert must end this session only: on NVIDIA GPUs the
// failing thread writes the session's fault record, and the other threads,
// which wait for it in a loop here, stop at their next loop header (the
// harnesses that run every example on one woolyd run more after this one).
#include "examples/common/example_check.h"

#include <cassert>
#include <vector>

// Grid-stride scaling of values that must not be negative. With `gate`,
// every thread but the first then waits for the first to open it: a thread
// that never comes back from a failed assert must not leave them spinning.
__global__ void checkedScale(const float *in, float *out, float factor, int n,
                             volatile int *gate) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += blockDim.x * gridDim.x) {
    float x = in[i];
    assert(x >= 0.0f);
    out[i] = x * factor;
  }
  if (!gate)
    return;
  if (blockIdx.x == 0 && threadIdx.x == 0)
    *gate = 1;
  while (*gate == 0) {
  }
}

int main() {
  const int n = 1 << 16;
  const float factor = 3.0f;
  const size_t bytes = n * sizeof(float);
  example::Rng rng(17);
  std::vector<float> in(n), out(n);
  for (int i = 0; i < n; ++i)
    in[i] = rng.uniform(0.0f, 10.0f);

  float *dIn, *dOut;
  int *dGate;
  CHECK_CUDA(cudaMalloc(&dIn, bytes));
  CHECK_CUDA(cudaMalloc(&dOut, bytes));
  CHECK_CUDA(cudaMalloc(&dGate, sizeof(int)));
  CHECK_CUDA(cudaMemcpy(dIn, in.data(), bytes, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dGate, 0, sizeof(int)));

  // Every check holds: the kernel works, the gate opens.
  checkedScale<<<32, 128>>>(dIn, dOut, factor, n, dGate);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaMemcpy(out.data(), dOut, bytes, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    if (out[i] != in[i] * factor)
      example::fail("out[%d] = %g, expected %g", i, out[i], in[i] * factor);

  // The first element fails its check: the first thread never opens the
  // gate, and the launch must still end, with cudaErrorAssert.
  float bad = -1.0f;
  CHECK_CUDA(cudaMemcpy(dIn, &bad, sizeof bad, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dGate, 0, sizeof(int)));
  checkedScale<<<32, 128>>>(dIn, dOut, factor, n, dGate);
  cudaError_t launched = cudaGetLastError();
  if (launched != cudaSuccess)
    example::fail("the launch itself gave %s; an assert shows at the next "
                  "synchronization",
                  cudaGetErrorName(launched));
  cudaError_t synced = cudaDeviceSynchronize();
  if (synced != cudaErrorAssert)
    example::fail("synchronizing after the failed assert gave %s, expected "
                  "cudaErrorAssert",
                  cudaGetErrorName(synced));
  // Sticky, as natively: the context is done.
  cudaError_t after = cudaMemcpy(out.data(), dOut, bytes,
                                 cudaMemcpyDeviceToHost);
  if (after != cudaErrorAssert)
    example::fail("a copy after the assert gave %s, expected cudaErrorAssert",
                  cudaGetErrorName(after));
  return example::pass();
}
