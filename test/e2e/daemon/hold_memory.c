/* A CUDA runtime client for the daemon's fault tests, linked straight
 * against Wooly's libcudart.so.13 (no kernels, so no nvcc needed):
 *   hold_memory BYTES SECONDS
 * allocates BYTES, fills them, prints "HOLDING", sleeps and frees them
 * ("FREED"); exits 2 with the CUDA error name when the allocation is
 * refused, 3 ("LOST" and the name) when the free fails. */
#include <cuda_runtime_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: hold_memory BYTES SECONDS\n");
    return 1;
  }
  size_t bytes = strtoull(argv[1], NULL, 10);
  void *p = NULL;
  cudaError_t e = cudaMalloc(&p, bytes);
  if (e != cudaSuccess) {
    printf("REFUSED %s\n", cudaGetErrorName(e));
    return 2;
  }
  e = cudaMemset(p, 0x5a, bytes);
  if (e == cudaSuccess)
    e = cudaDeviceSynchronize();
  unsigned char check[16];
  if (e == cudaSuccess)
    e = cudaMemcpy(check, p, sizeof check, cudaMemcpyDeviceToHost);
  if (e != cudaSuccess || check[15] != 0x5a) {
    printf("FAIL %s\n", cudaGetErrorName(e));
    return 1;
  }
  printf("HOLDING\n");
  fflush(stdout);
  sleep(atoi(argv[2]));
  e = cudaFree(p);
  if (e != cudaSuccess) {
    printf("LOST %s\n", cudaGetErrorName(e));
    return 3;
  }
  printf("FREED\n");
  return 0;
}
