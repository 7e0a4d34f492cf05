// Warp-level collectives: vote (__all_sync, __any_sync, __ballot_sync, also
// with a half-warp mask), match (__match_any_sync, __match_all_sync), the
// shuffle family with a segment width (__shfl_sync, __shfl_up_sync,
// __shfl_xor_sync), and a warp reduction that uses redux.sync where the
// architecture has it (sm_80 and later) and shuffles elsewhere.
#include "examples/common/example_check.h"

#include <vector>

constexpr unsigned kFull = 0xffffffffu;

struct LaneResults {
  int all;           // every lane's value is positive
  int any;           // some lane's value is above 90
  unsigned ballot;   // which lanes hold an even value
  unsigned lowHalf;  // ballot of the low 16 lanes only, value > 50
  unsigned matchAny; // lanes whose key equals mine
  unsigned matchAll; // full mask if every lane has the same key, else 0
  int matchAllPred;  // whether they did
  int broadcast;     // value of lane 5 within my 8-lane segment
  int scan;          // inclusive prefix sum within my 8-lane segment
  int butterfly;     // sum over the whole warp by xor shuffles
  unsigned reduced;  // sum over the warp by __reduce_add_sync or shuffles
};

__device__ unsigned warpSumUnsigned(unsigned v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  return __reduce_add_sync(kFull, v);
#else
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(kFull, v, offset);
  return v;
#endif
}

__global__ void warpOps(const int *values, const int *keys, LaneResults *out) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int lane = threadIdx.x % 32;
  int v = values[i];
  LaneResults r;
  r.all = __all_sync(kFull, v > 0);
  r.any = __any_sync(kFull, v > 90);
  r.ballot = __ballot_sync(kFull, v % 2 == 0);
  r.lowHalf = 0;
  if (lane < 16)
    r.lowHalf = __ballot_sync(0x0000ffffu, v > 50);
  r.matchAny = __match_any_sync(kFull, keys[i]);
  int pred = 0;
  r.matchAll = __match_all_sync(kFull, keys[i], &pred);
  r.matchAllPred = pred;
  r.broadcast = __shfl_sync(kFull, v, 5, 8);
  int scan = v;
  for (int offset = 1; offset < 8; offset *= 2) {
    int up = __shfl_up_sync(kFull, scan, offset, 8);
    if (lane % 8 >= offset)
      scan += up;
  }
  r.scan = scan;
  int sum = v;
  for (int mask = 16; mask > 0; mask /= 2)
    sum += __shfl_xor_sync(kFull, sum, mask);
  r.butterfly = sum;
  r.reduced = warpSumUnsigned(static_cast<unsigned>(v));
  out[i] = r;
}

int main() {
  const int blocks = 48, threads = 128, n = blocks * threads;
  example::Rng rng(15);
  std::vector<int> values(n), keys(n);
  for (int i = 0; i < n; ++i) {
    values[i] = static_cast<int>(rng.below(100)) - 5; // some <= 0
    keys[i] = static_cast<int>(rng.below(4));
  }
  for (int i = 32; i < 64; ++i)
    keys[i] = 2; // one warp whose keys all match
  // Make sure both outcomes of all/any occur: one warp all positive and low,
  // another with no value above 90.
  for (int i = 0; i < 32; ++i) {
    values[i] = 1 + i;
    values[64 + i] = 10 + i;
  }

  int *dValues, *dKeys;
  LaneResults *dOut;
  CHECK_CUDA(cudaMalloc(&dValues, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dKeys, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dOut, n * sizeof(LaneResults)));
  CHECK_CUDA(cudaMemcpy(dValues, values.data(), n * sizeof(int),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dKeys, keys.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dOut, 0xff, n * sizeof(LaneResults)));
  warpOps<<<blocks, threads>>>(dValues, dKeys, dOut);
  CHECK_LAUNCH();
  std::vector<LaneResults> out(n);
  CHECK_CUDA(cudaMemcpy(out.data(), dOut, n * sizeof(LaneResults),
                        cudaMemcpyDeviceToHost));

  for (int warpStart = 0; warpStart < n; warpStart += 32) {
    const int *v = &values[warpStart], *k = &keys[warpStart];
    int all = 1, any = 0, sum = 0, sameKeys = 1;
    unsigned ballot = 0, lowHalf = 0;
    for (int l = 0; l < 32; ++l) {
      all &= v[l] > 0;
      any |= v[l] > 90;
      sum += v[l];
      sameKeys &= k[l] == k[0];
      ballot |= unsigned(v[l] % 2 == 0) << l;
      if (l < 16)
        lowHalf |= unsigned(v[l] > 50) << l;
    }
    for (int l = 0; l < 32; ++l) {
      const LaneResults &r = out[warpStart + l];
      int i = warpStart + l;
      unsigned matchAny = 0;
      for (int m = 0; m < 32; ++m)
        matchAny |= unsigned(k[m] == k[l]) << m;
      int segment = l / 8 * 8, scan = 0;
      for (int m = segment; m <= l; ++m)
        scan += v[m];
      if (r.all != all || r.any != any)
        example::fail("thread %d: all/any = %d/%d, expected %d/%d", i, r.all,
                      r.any, all, any);
      if (r.ballot != ballot)
        example::fail("thread %d: ballot = %08x, expected %08x", i, r.ballot,
                      ballot);
      unsigned wantLow = l < 16 ? lowHalf : 0;
      if (r.lowHalf != wantLow)
        example::fail("thread %d: half-warp ballot = %08x, expected %08x", i,
                      r.lowHalf, wantLow);
      if (r.matchAny != matchAny)
        example::fail("thread %d: match.any = %08x, expected %08x", i,
                      r.matchAny, matchAny);
      unsigned wantMatchAll = sameKeys ? kFull : 0;
      if (r.matchAll != wantMatchAll || r.matchAllPred != sameKeys)
        example::fail("thread %d: match.all = %08x pred %d, expected %08x", i,
                      r.matchAll, r.matchAllPred, wantMatchAll);
      if (r.broadcast != v[segment + 5])
        example::fail("thread %d: segment broadcast = %d, expected %d", i,
                      r.broadcast, v[segment + 5]);
      if (r.scan != scan)
        example::fail("thread %d: segment scan = %d, expected %d", i, r.scan,
                      scan);
      if (r.butterfly != sum || r.reduced != static_cast<unsigned>(sum))
        example::fail("thread %d: warp sums = %d/%u, expected %d", i,
                      r.butterfly, r.reduced, sum);
    }
  }
  CHECK_CUDA(cudaFree(dValues));
  CHECK_CUDA(cudaFree(dKeys));
  CHECK_CUDA(cudaFree(dOut));
  return example::pass();
}
