// A kernel that never ends (it waits for a flag nobody sets): under a
// woolyd with --launch-timeout its launch must end with
// cudaErrorLaunchTimeout, sticky as natively, and the server go on. Never
// run natively: it would hang. `spinner N` queues N such launches (a client
// killed with launches waiting behind a running one: kill_client.sh).
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

__global__ void spin(volatile int *flag, int *out) {
  while (*flag == 0) {
  }
  out[threadIdx.x] = 1;
}

int main(int argc, char **argv) {
  int launches = argc > 1 ? atoi(argv[1]) : 1;
  int *flag = nullptr, *out = nullptr;
  if (cudaMalloc(&flag, sizeof(int)) != cudaSuccess ||
      cudaMalloc(&out, 64 * sizeof(int)) != cudaSuccess ||
      cudaMemset(flag, 0, sizeof(int)) != cudaSuccess) {
    printf("FAIL setup\n");
    return 1;
  }
  for (int i = 0; i < launches; ++i)
    spin<<<2, 64>>>(flag, out);
  cudaError_t synced = cudaDeviceSynchronize();
  printf("%s\n", cudaGetErrorName(synced));
  if (synced != cudaErrorLaunchTimeout) {
    printf("FAIL: expected cudaErrorLaunchTimeout\n");
    return 1;
  }
  printf("DONE\n");
  return 0;
}
