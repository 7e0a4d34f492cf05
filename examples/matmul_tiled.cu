// C = A * B with 16x16 tiles staged through shared memory. The sizes are not
// multiples of the tile, so the edge tiles load zeros for the missing parts.
#include "examples/common/example_check.h"

#include <vector>

constexpr int kTile = 16;

// A is m x k, B is k x n, C is m x n, all row-major.
__global__ void matmulTiled(const float *A, const float *B, float *C, int m,
                            int n, int k) {
  __shared__ float tileA[kTile][kTile];
  __shared__ float tileB[kTile][kTile];
  int row = blockIdx.y * kTile + threadIdx.y;
  int col = blockIdx.x * kTile + threadIdx.x;
  float sum = 0.0f;
  for (int t = 0; t < (k + kTile - 1) / kTile; ++t) {
    int aCol = t * kTile + threadIdx.x;
    int bRow = t * kTile + threadIdx.y;
    tileA[threadIdx.y][threadIdx.x] =
        (row < m && aCol < k) ? A[row * k + aCol] : 0.0f;
    tileB[threadIdx.y][threadIdx.x] =
        (bRow < k && col < n) ? B[bRow * n + col] : 0.0f;
    __syncthreads();
    for (int i = 0; i < kTile; ++i)
      sum += tileA[threadIdx.y][i] * tileB[i][threadIdx.x];
    // Everyone must be done reading before the next tiles overwrite these.
    __syncthreads();
  }
  if (row < m && col < n)
    C[row * n + col] = sum;
}

int main() {
  const int m = 200, n = 248, k = 136;
  example::Rng rng(3);
  std::vector<float> a(m * k), b(k * n), c(m * n);
  for (float &v : a)
    v = rng.uniform(-1.0f, 1.0f);
  for (float &v : b)
    v = rng.uniform(-1.0f, 1.0f);

  float *dA, *dB, *dC;
  CHECK_CUDA(cudaMalloc(&dA, a.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dB, b.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dC, c.size() * sizeof(float)));
  CHECK_CUDA(cudaMemcpy(dA, a.data(), a.size() * sizeof(float),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dB, b.data(), b.size() * sizeof(float),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dC, 0xff, c.size() * sizeof(float)));

  dim3 block(kTile, kTile);
  dim3 grid((n + kTile - 1) / kTile, (m + kTile - 1) / kTile);
  matmulTiled<<<grid, block>>>(dA, dB, dC, m, n, k);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaMemcpy(c.data(), dC, c.size() * sizeof(float),
                        cudaMemcpyDeviceToHost));

  for (int r = 0; r < m; ++r) {
    for (int col = 0; col < n; ++col) {
      double want = 0.0;
      for (int i = 0; i < k; ++i)
        want += static_cast<double>(a[r * k + i]) * b[i * n + col];
      // k products of magnitude <= 1 summed in float: a few 1e-5 at worst.
      if (!example::nearlyEqual(c[r * n + col], want, 1e-4, 1e-4))
        example::fail("C[%d][%d] = %.9g, expected %.9g", r, col, c[r * n + col],
                      want);
    }
  }
  CHECK_CUDA(cudaFree(dA));
  CHECK_CUDA(cudaFree(dB));
  CHECK_CUDA(cudaFree(dC));
  return example::pass();
}
