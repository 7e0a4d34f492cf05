// A kernel that traps. The launch is accepted and the next synchronization
// reports cudaErrorLaunchFailure; natively the process's context is then
// unusable. Through Wooly the kernel runs in the GPU context the server
// shares among its clients: the trap must end this session only (on NVIDIA
// GPUs it writes the session's fault record; elsewhere the server gets over
// a lost context), so in the harnesses that run every example on one woolyd
// the examples after this one show that it did.
#include "examples/common/example_check.h"

__global__ void fillOrTrap(int *out, int trapAt) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i == trapAt)
    __trap();
  out[i] = i;
}

int main() {
  const int n = 256;
  int *d = nullptr;
  CHECK_CUDA(cudaMalloc(&d, n * sizeof(int)));
  // The kernel works when it is not asked to trap.
  fillOrTrap<<<n / 128, 128>>>(d, -1);
  CHECK_LAUNCH();
  int host[n];
  CHECK_CUDA(cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    if (host[i] != i)
      example::fail("out[%d] = %d before the trap, expected %d", i, host[i], i);

  fillOrTrap<<<n / 128, 128>>>(d, 77);
  cudaError_t launched = cudaGetLastError();
  if (launched != cudaSuccess)
    example::fail("the launch itself gave %s; a trap shows at the next "
                  "synchronization",
                  cudaGetErrorName(launched));
  cudaError_t synced = cudaDeviceSynchronize();
  if (synced != cudaErrorLaunchFailure)
    example::fail("synchronizing after the trap gave %s, expected "
                  "cudaErrorLaunchFailure",
                  cudaGetErrorName(synced));
  return example::pass();
}
