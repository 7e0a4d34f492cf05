// A kernel that writes far outside its allocation, for the isolation test.
// Prints what the runtime reported; exits 0 unless the process itself broke.
#include <cstdio>
#include <cuda_runtime.h>

__global__ void scribble(unsigned *p, long long stride) {
  long long i = (long long)(blockIdx.x * blockDim.x + threadIdx.x);
  p[i * stride] = 0xdeadbeefu; // thread 0 stays in bounds, the rest do not
}

int main() {
  unsigned *p = nullptr;
  if (cudaMalloc(&p, 4096) != cudaSuccess) {
    printf("FAIL cudaMalloc\n");
    return 1;
  }
  scribble<<<64, 256>>>(p, 1 << 20);
  cudaError_t launch = cudaGetLastError();
  cudaError_t sync = cudaDeviceSynchronize();
  printf("launch %s, sync %s\n", cudaGetErrorName(launch), cudaGetErrorName(sync));
  // A kernel fault is sticky: later calls report it too.
  if (sync != cudaSuccess && cudaMalloc(&p, 16) == cudaSuccess) {
    printf("FAIL a faulted context still allocates\n");
    return 1;
  }
  printf("DONE\n");
  return 0;
}
