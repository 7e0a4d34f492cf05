// A tiny kernel nvcc turns into the fatbins the fatbin reader is tested on.
__global__ void wooly_fatbin_probe(float *out, float x) {
  out[threadIdx.x] = x * threadIdx.x;
}
#ifdef WOOLY_WITH_MAIN
int main() { return 0; }
#endif
