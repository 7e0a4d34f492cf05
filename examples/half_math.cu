// Half-precision arithmetic from cuda_fp16.h: scalar __half add/mul/fma/sqrt/
// max/compare, packed __half2 arithmetic, and a dot product that multiplies in
// half and accumulates in float (the usual mixed-precision pattern).
#include "examples/common/example_check.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <vector>

struct HalfResults {
  __half fma;     // a * b + c, one rounding
  __half sum;     // a + b
  __half prod;    // a * b
  __half root;    // sqrt(|a|)
  __half larger;  // max(a, b)
  int less;       // a < b
  __half2 packed; // (a, b) * (c, c) + (b, a)
};

__global__ void halfOps(const __half *a, const __half *b, const __half *c,
                        HalfResults *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  __half x = a[i], y = b[i], z = c[i];
  HalfResults r;
  r.fma = __hfma(x, y, z);
  r.sum = __hadd(x, y);
  r.prod = __hmul(x, y);
  r.root = hsqrt(__habs(x));
  r.larger = __hmax(x, y);
  r.less = __hlt(x, y) ? 1 : 0;
  r.packed =
      __hfma2(__halves2half2(x, y), __half2half2(z), __halves2half2(y, x));
  out[i] = r;
}

// Each block produces one float partial dot product.
__global__ void halfDot(const __half2 *a, const __half2 *b, float *partials,
                        int pairs) {
  __shared__ float sums[256];
  float acc = 0.0f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < pairs;
       i += blockDim.x * gridDim.x) {
    __half2 p = __hmul2(a[i], b[i]);
    acc += __low2float(p) + __high2float(p);
  }
  sums[threadIdx.x] = acc;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride)
      sums[threadIdx.x] += sums[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    partials[blockIdx.x] = sums[0];
}

// One half-precision rounding of a value computed exactly (or nearly so) in
// double: allow one unit in the last place of the half result.
static bool halfClose(__half got, double want) {
  double g = __half2float(got);
  double ulp = std::max(std::fabs(want) * (1.0 / 1024.0), 1.0 / (1 << 24));
  return std::fabs(g - want) <= ulp;
}

int main() {
  const int n = 1 << 16;
  example::Rng rng(11);
  std::vector<__half> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) {
    a[i] = __float2half(rng.uniform(-8.0f, 8.0f));
    b[i] = __float2half(rng.uniform(-8.0f, 8.0f));
    c[i] = __float2half(rng.uniform(-8.0f, 8.0f));
  }
  a[0] = b[0]; // equal operands: max and less must agree

  __half *dA, *dB, *dC;
  HalfResults *dOut;
  float *dPartials;
  const int dotBlocks = 32;
  CHECK_CUDA(cudaMalloc(&dA, n * sizeof(__half)));
  CHECK_CUDA(cudaMalloc(&dB, n * sizeof(__half)));
  CHECK_CUDA(cudaMalloc(&dC, n * sizeof(__half)));
  CHECK_CUDA(cudaMalloc(&dOut, n * sizeof(HalfResults)));
  CHECK_CUDA(cudaMalloc(&dPartials, dotBlocks * sizeof(float)));
  CHECK_CUDA(
      cudaMemcpy(dA, a.data(), n * sizeof(__half), cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dB, b.data(), n * sizeof(__half), cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dC, c.data(), n * sizeof(__half), cudaMemcpyHostToDevice));

  halfOps<<<n / 256, 256>>>(dA, dB, dC, dOut, n);
  CHECK_LAUNCH();
  halfDot<<<dotBlocks, 256>>>(reinterpret_cast<const __half2 *>(dA),
                              reinterpret_cast<const __half2 *>(dB), dPartials,
                              n / 2);
  CHECK_LAUNCH();
  std::vector<HalfResults> out(n);
  std::vector<float> partials(dotBlocks);
  CHECK_CUDA(cudaMemcpy(out.data(), dOut, n * sizeof(HalfResults),
                        cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(partials.data(), dPartials, dotBlocks * sizeof(float),
                        cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    double x = __half2float(a[i]), y = __half2float(b[i]),
           z = __half2float(c[i]);
    const HalfResults &r = out[i];
    struct {
      const char *what;
      __half got;
      double want;
    } checks[] = {{"fma", r.fma, x * y + z},
                  {"add", r.sum, x + y},
                  {"mul", r.prod, x * y},
                  {"sqrt", r.root, std::sqrt(std::fabs(x))},
                  {"max", r.larger, std::max(x, y)},
                  {"packed.low", __low2half(r.packed), x * z + y},
                  {"packed.high", __high2half(r.packed), y * z + x}};
    for (const auto &check : checks)
      if (!halfClose(check.got, check.want))
        example::fail("%s of element %d = %.6g, expected %.6g", check.what, i,
                      __half2float(check.got), check.want);
    if (r.less != (x < y ? 1 : 0))
      example::fail("%g < %g gave %d", x, y, r.less);
  }

  double dot = 0.0, magnitude = 0.0;
  for (int i = 0; i < n; ++i) {
    // The device rounds each product to half before accumulating.
    double p =
        __half2float(__float2half(__half2float(a[i]) * __half2float(b[i])));
    dot += p;
    magnitude += std::fabs(p);
  }
  double gotDot = 0.0;
  for (float p : partials)
    gotDot += p;
  if (!example::nearlyEqual(gotDot, dot, 0.0, 1e-5 * magnitude))
    example::fail("dot product = %.9g, expected %.9g", gotDot, dot);

  CHECK_CUDA(cudaFree(dA));
  CHECK_CUDA(cudaFree(dB));
  CHECK_CUDA(cudaFree(dC));
  CHECK_CUDA(cudaFree(dOut));
  CHECK_CUDA(cudaFree(dPartials));
  return example::pass();
}
