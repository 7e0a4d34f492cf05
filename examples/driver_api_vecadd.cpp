// Vector addition through the CUDA driver API alone: no runtime library, no
// nvcc-generated launch code. The kernel arrives as PTX text embedded at build
// time (see driver_api_vecadd_kernel.cu) and is loaded with cuModuleLoadData.
#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "examples/driver_api_vecadd_ptx.h" // generated: kVecAddPtx

[[noreturn]] static void fail(const char *what, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  cuGetErrorName(result, &name);
  cuGetErrorString(result, &text);
  std::printf("FAIL: %s returned %s (%s)\n", what, name ? name : "?",
              text ? text : "?");
  std::exit(1);
}

#define CHECK_CU(call)                                                         \
  do {                                                                         \
    CUresult checkResult = (call);                                             \
    if (checkResult != CUDA_SUCCESS)                                           \
      fail(#call, checkResult);                                                \
  } while (0)

int main() {
  const int n = 100000;
  std::vector<float> a(n), b(n), c(n);
  // A fixed linear congruential sequence, so runs are reproducible.
  unsigned state = 17;
  for (int i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    a[i] = static_cast<float>(state >> 8) / 65536.0f;
    state = state * 1664525u + 1013904223u;
    b[i] = static_cast<float>(state >> 8) / 65536.0f;
  }

  CHECK_CU(cuInit(0));
  int count = 0;
  CHECK_CU(cuDeviceGetCount(&count));
  if (count < 1) {
    std::printf("FAIL: cuDeviceGetCount found no device\n");
    return 1;
  }
  CUdevice device;
  CHECK_CU(cuDeviceGet(&device, 0));
  char name[128] = {};
  CHECK_CU(cuDeviceGetName(name, sizeof(name), device));
  std::printf("device 0: %s\n", name);
  CUcontext context;
  CHECK_CU(cuDevicePrimaryCtxRetain(&context, device));
  CHECK_CU(cuCtxSetCurrent(context));

  CUmodule module;
  CHECK_CU(cuModuleLoadData(&module, kVecAddPtx));
  CUfunction vecAdd;
  CHECK_CU(cuModuleGetFunction(&vecAdd, module, "vecAdd"));
  CUfunction missing;
  CUresult lookup = cuModuleGetFunction(&missing, module, "noSuchKernel");
  if (lookup != CUDA_ERROR_NOT_FOUND)
    fail("cuModuleGetFunction of a missing kernel (expected "
         "CUDA_ERROR_NOT_FOUND)",
         lookup);

  const size_t bytes = n * sizeof(float);
  CUdeviceptr dA, dB, dC;
  CHECK_CU(cuMemAlloc(&dA, bytes));
  CHECK_CU(cuMemAlloc(&dB, bytes));
  CHECK_CU(cuMemAlloc(&dC, bytes));
  CHECK_CU(cuMemcpyHtoD(dA, a.data(), bytes));
  CHECK_CU(cuMemcpyHtoD(dB, b.data(), bytes));
  CHECK_CU(cuMemsetD32(dC, 0xffffffffu, n)); // poison

  int count32 = n;
  void *args[] = {&dA, &dB, &dC, &count32};
  const unsigned block = 128;
  const unsigned grid = (n + block - 1) / block;
  CHECK_CU(cuLaunchKernel(vecAdd, grid, 1, 1, block, 1, 1, 0, nullptr, args,
                          nullptr));
  CHECK_CU(cuCtxSynchronize());
  CHECK_CU(cuMemcpyDtoH(c.data(), dC, bytes));

  for (int i = 0; i < n; ++i)
    if (c[i] != a[i] + b[i]) {
      std::printf("FAIL: c[%d] = %.9g, expected %.9g\n", i, c[i], a[i] + b[i]);
      return 1;
    }

  CHECK_CU(cuMemFree(dA));
  CHECK_CU(cuMemFree(dB));
  CHECK_CU(cuMemFree(dC));
  CHECK_CU(cuModuleUnload(module));
  CHECK_CU(cuDevicePrimaryCtxRelease(device));
  std::printf("PASS\n");
  return 0;
}
