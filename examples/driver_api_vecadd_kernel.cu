// The kernel that driver_api_vecadd.cpp loads at run time. The build turns
// this file into PTX and embeds the text in the program; extern "C" keeps the
// entry name unmangled for cuModuleGetFunction.
extern "C" __global__ void vecAdd(const float *a, const float *b, float *c,
                                  int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    c[i] = a[i] + b[i];
}
