// Jacobi iterations of a 5-point stencil on a 2-D grid. Each 16x16 block
// loads its tile plus a one-cell halo into shared memory; the outer boundary
// stays fixed.
#include "examples/common/example_check.h"

#include <utility>
#include <vector>

constexpr int kBlockX = 16, kBlockY = 16;

__global__ void jacobiStep(const float *in, float *out, int width, int height) {
  __shared__ float tile[kBlockY + 2][kBlockX + 2];
  int x = blockIdx.x * kBlockX + threadIdx.x;
  int y = blockIdx.y * kBlockY + threadIdx.y;
  int tx = threadIdx.x + 1, ty = threadIdx.y + 1;
  bool inside = x < width && y < height;
  if (inside) {
    tile[ty][tx] = in[y * width + x];
    if (threadIdx.x == 0 && x > 0)
      tile[ty][0] = in[y * width + x - 1];
    if (threadIdx.x == kBlockX - 1 && x + 1 < width)
      tile[ty][tx + 1] = in[y * width + x + 1];
    if (threadIdx.y == 0 && y > 0)
      tile[0][tx] = in[(y - 1) * width + x];
    if (threadIdx.y == kBlockY - 1 && y + 1 < height)
      tile[ty + 1][tx] = in[(y + 1) * width + x];
  }
  __syncthreads();
  if (!inside)
    return;
  if (x == 0 || y == 0 || x == width - 1 || y == height - 1) {
    out[y * width + x] = tile[ty][tx];
    return;
  }
  float sum = tile[ty][tx] + tile[ty - 1][tx] + tile[ty + 1][tx] +
              tile[ty][tx - 1] + tile[ty][tx + 1];
  out[y * width + x] = 0.2f * sum;
}

int main() {
  const int width = 300, height = 200, iterations = 20;
  const size_t cells = static_cast<size_t>(width) * height;
  example::Rng rng(9);
  std::vector<float> grid(cells);
  for (float &v : grid)
    v = rng.uniform(0.0f, 100.0f);

  float *dA, *dB;
  CHECK_CUDA(cudaMalloc(&dA, cells * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dB, cells * sizeof(float)));
  CHECK_CUDA(cudaMemcpy(dA, grid.data(), cells * sizeof(float),
                        cudaMemcpyHostToDevice));
  dim3 block(kBlockX, kBlockY);
  dim3 blocks((width + kBlockX - 1) / kBlockX,
              (height + kBlockY - 1) / kBlockY);
  for (int it = 0; it < iterations; ++it) {
    jacobiStep<<<blocks, block>>>(dA, dB, width, height);
    CHECK_CUDA(cudaGetLastError());
    std::swap(dA, dB);
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  std::vector<float> result(cells);
  CHECK_CUDA(cudaMemcpy(result.data(), dA, cells * sizeof(float),
                        cudaMemcpyDeviceToHost));

  // Same arithmetic in the same order on the CPU.
  std::vector<float> next(grid);
  for (int it = 0; it < iterations; ++it) {
    for (int y = 1; y < height - 1; ++y)
      for (int x = 1; x < width - 1; ++x) {
        const float *c = &grid[y * width + x];
        float sum = c[0] + c[-width] + c[width] + c[-1] + c[1];
        next[y * width + x] = 0.2f * sum;
      }
    std::swap(grid, next);
  }
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      float got = result[y * width + x], want = grid[y * width + x];
      if (!example::nearlyEqual(got, want, 1e-5, 1e-5))
        example::fail("cell (%d, %d) = %.9g, expected %.9g", x, y, got, want);
    }
  CHECK_CUDA(cudaFree(dA));
  CHECK_CUDA(cudaFree(dB));
  return example::pass();
}
