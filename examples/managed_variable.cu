// __managed__ variables: module-scope variables the host reads and writes
// directly and kernels use by name. A kernel runs before the host's first
// access (so the first access must see the kernel's result, not the
// initializer), host writes reach the next launch, a synchronize makes
// kernel writes visible, the variable's address is passed to a kernel as a
// pointer, cudaMemcpyToSymbol/FromSymbol agree with direct access, and
// cudaPointerGetAttributes calls it managed memory.
#include "examples/common/example_check.h"

constexpr int kSlots = 64;

__managed__ int counter = 41;
__managed__ float scale;
__managed__ int slots[kSlots] = {7, 8, 9};

__global__ void bump() { counter += 1; }

// slots[i] = slots[i] * scale + counter, for every slot.
__global__ void scaleSlots() {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < kSlots)
    slots[i] = int(slots[i] * scale) + counter;
}

// The same variable reached through a pointer the host took with &.
__global__ void addThrough(int *p, int amount) {
  if (threadIdx.x == 0 && blockIdx.x == 0)
    *p += amount;
}

int main() {
  // 1. Device first: the initializer plus one, before any host access.
  bump<<<1, 1>>>();
  CHECK_LAUNCH();
  CHECK_CUDA(cudaDeviceSynchronize());
  if (counter != 42)
    example::fail("counter after the first kernel is %d, expected 42",
                  counter);
  if (slots[0] != 7 || slots[2] != 9 || slots[3] != 0)
    example::fail("slots initializer read as %d %d %d, expected 7 9 0",
                  slots[0], slots[2], slots[3]);

  // 2. Rounds of host writes, a kernel, a synchronize, host checks.
  for (int round = 1; round <= 4; ++round) {
    scale = float(round);
    counter = 100 * round;
    for (int i = 0; i < kSlots; ++i)
      slots[i] = i + round;
    scaleSlots<<<2, 32>>>();
    CHECK_LAUNCH();
    CHECK_CUDA(cudaDeviceSynchronize());
    for (int i = 0; i < kSlots; ++i) {
      int want = (i + round) * round + 100 * round;
      if (slots[i] != want)
        example::fail("round %d: slots[%d] = %d, expected %d", round, i,
                      slots[i], want);
    }
  }

  // 3. A pointer to the variable, taken on the host, used by a kernel.
  counter = 5;
  addThrough<<<1, 32>>>(&counter, 37);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaStreamSynchronize(0));
  if (counter != 42)
    example::fail("counter through &counter is %d, expected 42", counter);

  // 4. Symbol copies see and change the same bytes as direct access.
  int fromSymbol = 0;
  CHECK_CUDA(cudaMemcpyFromSymbol(&fromSymbol, counter, sizeof(int)));
  if (fromSymbol != 42)
    example::fail("cudaMemcpyFromSymbol(counter) = %d, expected 42",
                  fromSymbol);
  const int three[3] = {-1, -2, -3};
  CHECK_CUDA(cudaMemcpyToSymbol(slots, three, sizeof(three), 10 * sizeof(int)));
  if (slots[10] != -1 || slots[12] != -3)
    example::fail("after cudaMemcpyToSymbol slots[10..12] = %d .. %d",
                  slots[10], slots[12]);
  bump<<<1, 1>>>();
  CHECK_LAUNCH();
  int afterBump = 0;
  // A blocking copy to the host synchronizes, like cudaDeviceSynchronize.
  CHECK_CUDA(cudaMemcpyFromSymbol(&afterBump, counter, sizeof(int)));
  if (afterBump != 43 || counter != 43)
    example::fail("after bump: symbol %d, direct %d, expected 43", afterBump,
                  counter);

  // 5. Pointer attributes.
  cudaPointerAttributes attributes{};
  CHECK_CUDA(cudaPointerGetAttributes(&attributes, &counter));
  if (attributes.type != cudaMemoryTypeManaged)
    example::fail("cudaPointerGetAttributes(&counter).type = %d, expected "
                  "cudaMemoryTypeManaged",
                  int(attributes.type));
  return example::pass();
}
