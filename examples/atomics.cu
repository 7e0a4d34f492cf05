// Global atomics under contention: atomicAdd on float, int and 64-bit
// integers, tickets from returned old values, atomicCAS loops (a double add
// and a float maximum), atomicMax/Min, atomicInc/Dec wrap-around, atomicExch,
// and the bitwise atomics.
#include "examples/common/example_check.h"

#include <algorithm>
#include <climits>
#include <vector>

struct Totals {
  float floatSum;
  int intSum;
  unsigned long long wideSum;
  double casSum;
  float casMax;
  int maxValue;
  int minValue;
  unsigned incCounter;
  unsigned decCounter;
  int exchangeSlot;
  unsigned orBits;
  unsigned andBits;
  unsigned xorBits;
  unsigned ticket;
};

constexpr unsigned kWrap = 999; // atomicInc/Dec count modulo kWrap + 1

// The classic compare-and-swap loop: retry until no other thread changed the
// word between our read and our swap.
__device__ double casAddDouble(double *address, double value) {
  auto *word = reinterpret_cast<unsigned long long *>(address);
  unsigned long long old = *word, assumed;
  do {
    assumed = old;
    old =
        atomicCAS(word, assumed,
                  __double_as_longlong(__longlong_as_double(assumed) + value));
  } while (assumed != old);
  return __longlong_as_double(old);
}

__device__ float casMaxFloat(float *address, float value) {
  auto *word = reinterpret_cast<int *>(address);
  int old = *word, assumed;
  do {
    assumed = old;
    if (__int_as_float(assumed) >= value)
      break;
    old = atomicCAS(word, assumed, __float_as_int(value));
  } while (assumed != old);
  return __int_as_float(old);
}

__global__ void contend(const float *floats, const int *ints, Totals *totals,
                        unsigned *tickets, int *exchanged, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  atomicAdd(&totals->floatSum, floats[i]);
  atomicAdd(&totals->intSum, ints[i]);
  atomicAdd(&totals->wideSum, static_cast<unsigned long long>(ints[i] + 1000)
                                  << 20);
  casAddDouble(&totals->casSum, static_cast<double>(floats[i]));
  casMaxFloat(&totals->casMax, floats[i] * (ints[i] % 2 ? 1.0f : -1.0f));
  atomicMax(&totals->maxValue, ints[i]);
  atomicMin(&totals->minValue, ints[i]);
  atomicInc(&totals->incCounter, kWrap);
  atomicDec(&totals->decCounter, kWrap);
  exchanged[i] = atomicExch(&totals->exchangeSlot, i);
  atomicOr(&totals->orBits, 1u << (i % 32));
  atomicAnd(&totals->andBits, ~(1u << (i % 31)));
  atomicXor(&totals->xorBits, static_cast<unsigned>(i) * 2654435761u);
  tickets[i] = atomicAdd(&totals->ticket, 1u);
}

int main() {
  const int n = 1 << 16;
  example::Rng rng(16);
  std::vector<float> floats(n);
  std::vector<int> ints(n);
  for (int i = 0; i < n; ++i) {
    // Multiples of 1/16 below 4: every partial sum is exact in float and
    // double, so the order the atomics happen in cannot change the result.
    floats[i] = static_cast<float>(rng.below(64)) / 16.0f;
    ints[i] = static_cast<int>(rng.below(20001)) - 10000;
  }

  Totals init{};
  init.casMax = -INFINITY;
  init.maxValue = INT_MIN;
  init.minValue = INT_MAX;
  init.andBits = 0xffffffffu;
  init.exchangeSlot = -1;

  float *dFloats;
  int *dInts, *dExchanged;
  unsigned *dTickets;
  Totals *dTotals;
  CHECK_CUDA(cudaMalloc(&dFloats, n * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&dInts, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dExchanged, n * sizeof(int)));
  CHECK_CUDA(cudaMalloc(&dTickets, n * sizeof(unsigned)));
  CHECK_CUDA(cudaMalloc(&dTotals, sizeof(Totals)));
  CHECK_CUDA(cudaMemcpy(dFloats, floats.data(), n * sizeof(float),
                        cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dInts, ints.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK_CUDA(
      cudaMemcpy(dTotals, &init, sizeof(Totals), cudaMemcpyHostToDevice));

  contend<<<n / 256, 256>>>(dFloats, dInts, dTotals, dTickets, dExchanged, n);
  CHECK_LAUNCH();
  Totals got;
  std::vector<unsigned> tickets(n);
  std::vector<int> exchanged(n);
  CHECK_CUDA(cudaMemcpy(&got, dTotals, sizeof(Totals), cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(tickets.data(), dTickets, n * sizeof(unsigned),
                        cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(exchanged.data(), dExchanged, n * sizeof(int),
                        cudaMemcpyDeviceToHost));

  Totals want = init;
  for (int i = 0; i < n; ++i) {
    want.floatSum += floats[i];
    want.intSum += ints[i];
    want.wideSum += static_cast<unsigned long long>(ints[i] + 1000) << 20;
    want.casSum += floats[i];
    want.casMax =
        std::max(want.casMax, floats[i] * (ints[i] % 2 ? 1.0f : -1.0f));
    want.maxValue = std::max(want.maxValue, ints[i]);
    want.minValue = std::min(want.minValue, ints[i]);
    want.orBits |= 1u << (i % 32);
    want.andBits &= ~(1u << (i % 31));
    want.xorBits ^= static_cast<unsigned>(i) * 2654435761u;
  }
  want.incCounter = n % (kWrap + 1);
  want.decCounter = (kWrap + 1 - n % (kWrap + 1)) % (kWrap + 1);

  if (got.floatSum != want.floatSum)
    example::fail("atomicAdd(float) total = %.9g, expected %.9g", got.floatSum,
                  want.floatSum);
  if (got.intSum != want.intSum)
    example::fail("atomicAdd(int) total = %d, expected %d", got.intSum,
                  want.intSum);
  if (got.wideSum != want.wideSum)
    example::fail("atomicAdd(u64) total = %llu, expected %llu", got.wideSum,
                  want.wideSum);
  if (got.casSum != want.casSum)
    example::fail("CAS-loop double total = %.17g, expected %.17g", got.casSum,
                  want.casSum);
  if (got.casMax != want.casMax)
    example::fail("CAS-loop float max = %.9g, expected %.9g", got.casMax,
                  want.casMax);
  if (got.maxValue != want.maxValue || got.minValue != want.minValue)
    example::fail("atomicMax/Min = %d/%d, expected %d/%d", got.maxValue,
                  got.minValue, want.maxValue, want.minValue);
  if (got.incCounter != want.incCounter)
    example::fail("atomicInc counter = %u, expected %u", got.incCounter,
                  want.incCounter);
  if (got.decCounter != want.decCounter)
    example::fail("atomicDec counter = %u, expected %u", got.decCounter,
                  want.decCounter);
  if (got.orBits != want.orBits || got.andBits != want.andBits ||
      got.xorBits != want.xorBits)
    example::fail("or/and/xor = %08x/%08x/%08x, expected %08x/%08x/%08x",
                  got.orBits, got.andBits, got.xorBits, want.orBits,
                  want.andBits, want.xorBits);
  if (got.ticket != static_cast<unsigned>(n))
    example::fail("ticket counter = %u, expected %d", got.ticket, n);

  // Every thread got a distinct ticket: the returned old values are 0..n-1.
  std::sort(tickets.begin(), tickets.end());
  for (int i = 0; i < n; ++i)
    if (tickets[i] != static_cast<unsigned>(i))
      example::fail("tickets are not a permutation: sorted[%d] = %u", i,
                    tickets[i]);
  // atomicExch hands each value on exactly once: the old values plus the
  // final slot are the initial -1 and every thread index.
  exchanged.push_back(got.exchangeSlot);
  std::sort(exchanged.begin(), exchanged.end());
  for (int i = 0; i <= n; ++i)
    if (exchanged[i] != i - 1)
      example::fail("atomicExch lost or duplicated a value near %d", i - 1);

  CHECK_CUDA(cudaFree(dFloats));
  CHECK_CUDA(cudaFree(dInts));
  CHECK_CUDA(cudaFree(dExchanged));
  CHECK_CUDA(cudaFree(dTickets));
  CHECK_CUDA(cudaFree(dTotals));
  return example::pass();
}
