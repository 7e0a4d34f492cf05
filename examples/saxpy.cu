// y = a*x + y with a grid-stride loop: a fixed, small grid covers a large
// array, so every thread handles many elements.
#include "examples/common/example_check.h"

#include <vector>

__global__ void saxpy(int n, float a, const float *x, float *y) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += blockDim.x * gridDim.x)
    y[i] = a * x[i] + y[i];
}

int main() {
  const int n = 1 << 20;
  const float a = 2.5f;
  const size_t bytes = n * sizeof(float);
  example::Rng rng(2);
  std::vector<float> x(n), y(n), result(n);
  for (int i = 0; i < n; ++i) {
    x[i] = rng.uniform(-1.0f, 1.0f);
    y[i] = rng.uniform(-1.0f, 1.0f);
  }

  float *dX, *dY;
  CHECK_CUDA(cudaMalloc(&dX, bytes));
  CHECK_CUDA(cudaMalloc(&dY, bytes));
  CHECK_CUDA(cudaMemcpy(dX, x.data(), bytes, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dY, y.data(), bytes, cudaMemcpyHostToDevice));

  saxpy<<<120, 256>>>(n, a, dX, dY);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaMemcpy(result.data(), dY, bytes, cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    // The device may fuse the multiply-add; allow for the single rounding.
    double want = static_cast<double>(a) * x[i] + y[i];
    if (!example::nearlyEqual(result[i], want, 1e-6, 1e-6))
      example::fail("y[%d] = %.9g, expected %.9g", i, result[i], want);
  }
  CHECK_CUDA(cudaFree(dX));
  CHECK_CUDA(cudaFree(dY));
  return example::pass();
}
