// Managed memory under Wooly: the host writes, kernels read and write the
// same pointers, the host reads after synchronizing. Covers several
// allocations, repeated launch/sync rounds, a managed pointer stored inside
// another managed buffer (no argument translation), cudaMemcpy and
// cudaMemset on managed memory, prefetch and advice, pointer attributes and
// cudaFree. Prints PASS.
#include <cstdio>
#include <cuda_runtime.h>

#define CHECK(x)                                                               \
  do {                                                                         \
    cudaError_t e = (x);                                                       \
    if (e != cudaSuccess) {                                                    \
      printf("FAIL: %s: %s\n", #x, cudaGetErrorString(e));                     \
      return 1;                                                                \
    }                                                                          \
  } while (0)

__global__ void saxpy(int n, float a, const float *x, float *y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i] + y[i];
}

// Follows a pointer that lives in managed memory.
__global__ void indirect(int **table, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    table[0][i] += i;
}

int main() {
  const int n = 100000;
  int attr = 0;
  CHECK(cudaDeviceGetAttribute(&attr, cudaDevAttrManagedMemory, 0));
  if (!attr) {
    printf("FAIL: device does not report managed memory\n");
    return 1;
  }
  float *x, *y;
  CHECK(cudaMallocManaged(&x, n * sizeof(float)));
  CHECK(cudaMallocManaged(&y, n * sizeof(float)));
  cudaPointerAttributes pa;
  CHECK(cudaPointerGetAttributes(&pa, y));
  if (pa.type != cudaMemoryTypeManaged) {
    printf("FAIL: pointer type %d, want managed\n", int(pa.type));
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    x[i] = float(i);
    y[i] = 1.0f;
  }
  // Hints are accepted on managed memory, refused elsewhere.
  cudaMemLocation onDevice = {cudaMemLocationTypeDevice, 0};
  cudaMemLocation onHost = {cudaMemLocationTypeHost, 0};
  CHECK(cudaMemAdvise(x, n * sizeof(float), cudaMemAdviseSetReadMostly,
                      onDevice));
  int notManaged = 0;
  if (cudaMemAdvise(&notManaged, 4, cudaMemAdviseSetReadMostly, onDevice) !=
      cudaErrorInvalidValue) {
    printf("FAIL: advice on host memory was accepted\n");
    return 1;
  }
  cudaGetLastError();
  // Three rounds: the host reads and rewrites between launches; prefetches
  // to the device (and back) must not change what anyone sees.
  for (int round = 0; round < 3; ++round) {
    if (round == 1) {
      CHECK(cudaMemPrefetchAsync(x, n * sizeof(float), onDevice, 0, 0));
      CHECK(cudaMemPrefetchAsync(y, n * sizeof(float), onDevice, 0, 0));
    }
    saxpy<<<(n + 255) / 256, 256>>>(n, 2.0f, x, y);
    if (round == 2)
      CHECK(cudaMemPrefetchAsync(y, n * sizeof(float), onHost, 0, 0));
    CHECK(cudaGetLastError());
    CHECK(cudaDeviceSynchronize());
    for (int i = 0; i < n; ++i) {
      float want = 1.0f + 2.0f * float(i);
      if (y[i] != want) {
        printf("FAIL: round %d y[%d] = %f, want %f\n", round, i, y[i], want);
        return 1;
      }
    }
    for (int i = 0; i < n; ++i)
      y[i] = 1.0f;
  }

  // A pointer table in managed memory, written by the host.
  int **table;
  int *data;
  CHECK(cudaMallocManaged(&table, sizeof(int *)));
  CHECK(cudaMallocManaged(&data, n * sizeof(int)));
  CHECK(cudaMemset(data, 0, n * sizeof(int)));
  table[0] = data;
  indirect<<<(n + 127) / 128, 128>>>(table, n);
  indirect<<<(n + 127) / 128, 128>>>(table, n);
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    if (data[i] != 2 * i) {
      printf("FAIL: data[%d] = %d, want %d\n", i, data[i], 2 * i);
      return 1;
    }

  // cudaMemcpy between managed and device memory, both ways.
  int *dev;
  CHECK(cudaMalloc(&dev, n * sizeof(int)));
  CHECK(cudaMemcpy(dev, data, n * sizeof(int), cudaMemcpyDefault));
  CHECK(cudaMemset(data, 0, n * sizeof(int)));
  CHECK(cudaMemcpy(data, dev, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    if (data[i] != 2 * i) {
      printf("FAIL: after copies data[%d] = %d\n", i, data[i]);
      return 1;
    }
  // Kernel results reach the host through a stream synchronize too.
  cudaStream_t s;
  CHECK(cudaStreamCreate(&s));
  indirect<<<(n + 127) / 128, 128, 0, s>>>(table, n);
  CHECK(cudaStreamSynchronize(s));
  if (data[n - 1] != 3 * (n - 1)) {
    printf("FAIL: after stream sync data[%d] = %d\n", n - 1, data[n - 1]);
    return 1;
  }
  CHECK(cudaStreamDestroy(s));
  CHECK(cudaFree(dev));
  CHECK(cudaFree(table));
  CHECK(cudaFree(data));
  CHECK(cudaFree(x));
  CHECK(cudaFree(y));
  printf("PASS\n");
  return 0;
}
