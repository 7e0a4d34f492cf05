// Device functions that stay real calls (__noinline__): plain recursion
// (factorial, Fibonacci), mutual recursion (even/odd), and a function taking
// and returning a struct by value, all through the .param call ABI.
#include "examples/common/example_check.h"

#include <vector>

struct Vec3 {
  float x, y, z;
};

__device__ __noinline__ unsigned long long factorial(int n) {
  return n <= 1 ? 1ull : n * factorial(n - 1);
}

__device__ __noinline__ int fibonacci(int n) {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

__device__ __noinline__ bool isOdd(unsigned n);
__device__ __noinline__ bool isEven(unsigned n) {
  return n == 0 ? true : isOdd(n - 1);
}
__device__ __noinline__ bool isOdd(unsigned n) {
  return n == 0 ? false : isEven(n - 1);
}

__device__ __noinline__ Vec3 cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

struct Results {
  unsigned long long factorial;
  int fibonacci;
  int parity;
  Vec3 cross;
};

__global__ void callEverything(const int *inputs, const Vec3 *vectors,
                               Results *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  int v = inputs[i];
  out[i].factorial = factorial(v % 21); // 20! is the largest that fits
  out[i].fibonacci = fibonacci(v % 17);
  out[i].parity = isEven(static_cast<unsigned>(v % 40)) ? 0 : 1;
  out[i].cross = cross(vectors[2 * i], vectors[2 * i + 1]);
}

static unsigned long long hostFactorial(int n) {
  unsigned long long r = 1;
  for (int k = 2; k <= n; ++k)
    r *= k;
  return r;
}

static int hostFibonacci(int n) {
  int a = 0, b = 1;
  for (int k = 0; k < n; ++k) {
    int next = a + b;
    a = b;
    b = next;
  }
  return a;
}

int main() {
  const int n = 4096;
  example::Rng rng(10);
  std::vector<int> inputs(n);
  std::vector<Vec3> vectors(2 * n);
  for (int &v : inputs)
    v = static_cast<int>(rng.below(200));
  for (Vec3 &v : vectors)
    v = {rng.uniform(-4, 4), rng.uniform(-4, 4), rng.uniform(-4, 4)};

  int *dInputs;
  Vec3 *dVectors;
  Results *dOut;
  CHECK_CUDA(cudaMalloc(&dInputs, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dVectors, 2 * n * sizeof(Vec3)));
  CHECK_CUDA(cudaMalloc(&dOut, n * sizeof(Results)));
  CHECK_CUDA(cudaMemcpy(dInputs, inputs.data(), n * sizeof(int),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dVectors, vectors.data(), 2 * n * sizeof(Vec3),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dOut, 0xff, n * sizeof(Results)));
  // Up to 40 nested calls per thread: ask for more than the default stack.
  CHECK_CUDA(cudaDeviceSetLimit(cudaLimitStackSize, 4096));

  callEverything<<<(n + 127) / 128, 128>>>(dInputs, dVectors, dOut, n);
  CHECK_LAUNCH();
  std::vector<Results> out(n);
  CHECK_CUDA(cudaMemcpy(out.data(), dOut, n * sizeof(Results),
                        cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    int v = inputs[i];
    if (out[i].factorial != hostFactorial(v % 21))
      example::fail("factorial(%d) = %llu, expected %llu", v % 21,
                    out[i].factorial, hostFactorial(v % 21));
    if (out[i].fibonacci != hostFibonacci(v % 17))
      example::fail("fibonacci(%d) = %d, expected %d", v % 17, out[i].fibonacci,
                    hostFibonacci(v % 17));
    if (out[i].parity != v % 40 % 2)
      example::fail("parity of %d = %d", v % 40, out[i].parity);
    const Vec3 &a = vectors[2 * i], &b = vectors[2 * i + 1];
    double want[3] = {
        static_cast<double>(a.y) * b.z - static_cast<double>(a.z) * b.y,
        static_cast<double>(a.z) * b.x - static_cast<double>(a.x) * b.z,
        static_cast<double>(a.x) * b.y - static_cast<double>(a.y) * b.x};
    float got[3] = {out[i].cross.x, out[i].cross.y, out[i].cross.z};
    for (int c = 0; c < 3; ++c)
      if (!example::nearlyEqual(got[c], want[c], 1e-5, 1e-5))
        example::fail("cross[%d].%c = %.9g, expected %.9g", i, "xyz"[c], got[c],
                      want[c]);
  }
  CHECK_CUDA(cudaFree(dInputs));
  CHECK_CUDA(cudaFree(dVectors));
  CHECK_CUDA(cudaFree(dOut));
  return example::pass();
}
