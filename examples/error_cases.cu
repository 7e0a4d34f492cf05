// Errors a CUDA program must see: launch configurations out of range
// (cudaErrorInvalidValue with CUDA 13: its runtime and driver 580 on an H200
// answered so to every shape below; CUDA 12 said
// cudaErrorInvalidConfiguration), an impossible allocation, a bad copy
// direction, a bad device number; how cudaGetLastError and
// cudaPeekAtLastError report and clear them; the text cudaGetErrorString
// gives; and that none of these errors is sticky: work still runs afterwards.
#include "examples/common/example_check.h"

#include <cstring>

__global__ void fill(int *out, int value) {
  out[blockIdx.x * blockDim.x + threadIdx.x] = value;
}

static void expectError(cudaError_t got, cudaError_t want, const char *what) {
  if (got != want)
    example::fail("%s gave %s, expected %s", what, cudaGetErrorName(got),
                  cudaGetErrorName(want));
}

// Launches fill with the given shape; the launch must be refused.
static void expectBadLaunch(dim3 grid, dim3 block, int *out, const char *what) {
  fill<<<grid, block>>>(out, 1);
  // Peek reports the error without clearing it; Get reports and clears.
  expectError(cudaPeekAtLastError(), cudaErrorInvalidValue, what);
  expectError(cudaGetLastError(), cudaErrorInvalidValue, what);
  expectError(cudaGetLastError(), cudaSuccess,
              "cudaGetLastError after it was cleared");
}

int main() {
  int *dOut;
  CHECK_CUDA(cudaMalloc(&dOut, 1024 * sizeof(int)));

  expectBadLaunch(dim3(1), dim3(2048), dOut, "2048 threads per block");
  expectBadLaunch(dim3(1), dim3(32, 32, 2), dOut, "32x32x2 threads per block");
  expectBadLaunch(dim3(1), dim3(1, 1, 128), dOut, "block z of 128");
  expectBadLaunch(dim3(0), dim3(32), dOut, "an empty grid");
  expectBadLaunch(dim3(1, 65536), dim3(1), dOut, "grid y of 65536");

  const char *text = cudaGetErrorString(cudaErrorInvalidConfiguration);
  if (!text || std::strcmp(text, "invalid configuration argument") != 0)
    example::fail("cudaGetErrorString(cudaErrorInvalidConfiguration) = \"%s\"",
                  text ? text : "(null)");
  const char *name = cudaGetErrorName(cudaErrorInvalidConfiguration);
  if (!name || std::strcmp(name, "cudaErrorInvalidConfiguration") != 0)
    example::fail("cudaGetErrorName(cudaErrorInvalidConfiguration) = \"%s\"",
                  name ? name : "(null)");
  if (std::strcmp(cudaGetErrorString(cudaSuccess), "no error") != 0)
    example::fail("cudaGetErrorString(cudaSuccess) = \"%s\"",
                  cudaGetErrorString(cudaSuccess));
  const char *unknown = cudaGetErrorString(static_cast<cudaError_t>(123456));
  if (!unknown || !*unknown)
    example::fail("cudaGetErrorString of an unknown code gave no text");

  // An allocation no device can satisfy.
  void *huge = nullptr;
  expectError(cudaMalloc(&huge, size_t(1) << 62), cudaErrorMemoryAllocation,
              "cudaMalloc of 2^62 bytes");
  expectError(cudaGetLastError(), cudaErrorMemoryAllocation,
              "cudaGetLastError after the failed cudaMalloc");

  int host = 0;
  expectError(
      cudaMemcpy(&host, dOut, sizeof(int), static_cast<cudaMemcpyKind>(42)),
      cudaErrorInvalidMemcpyDirection, "cudaMemcpy with kind 42");
  (void)cudaGetLastError();

  int devices = 0;
  CHECK_CUDA(cudaGetDeviceCount(&devices));
  expectError(cudaSetDevice(devices + 100), cudaErrorInvalidDevice,
              "cudaSetDevice past the last device");
  (void)cudaGetLastError();
  CHECK_CUDA(cudaFree(nullptr)); // freeing null is a no-op, not an error

  // None of the above is sticky: a correct launch still works.
  fill<<<4, 256>>>(dOut, 77);
  CHECK_LAUNCH();
  int values[1024];
  CHECK_CUDA(cudaMemcpy(values, dOut, sizeof(values), cudaMemcpyDeviceToHost));
  for (int i = 0; i < 1024; ++i)
    if (values[i] != 77)
      example::fail("after the errors, out[%d] = %d, expected 77", i,
                    values[i]);
  CHECK_CUDA(cudaFree(dOut));
  return example::pass();
}
