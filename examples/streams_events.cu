// Overlapped work on several streams: pinned host buffers, chunked
// cudaMemcpyAsync in and out, a kernel per chunk, events for timing, and an
// event that makes one stream wait for another.
#include "examples/common/example_check.h"

#include <vector>

// A little arithmetic per element so the kernels take measurable time.
__global__ void polish(const unsigned *in, unsigned *out, int n,
                       unsigned salt) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  unsigned v = in[i];
  for (int round = 0; round < 16; ++round)
    v = v * 1664525u + 1013904223u + salt;
  out[i] = v;
}

__global__ void combine(const unsigned *a, const unsigned *b, unsigned *out,
                        int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = a[i] ^ b[i];
}

static unsigned hostPolish(unsigned v, unsigned salt) {
  for (int round = 0; round < 16; ++round)
    v = v * 1664525u + 1013904223u + salt;
  return v;
}

int main() {
  const int kStreams = 4;
  const int n = 1 << 20;
  const int chunk = n / kStreams;
  const size_t bytes = n * sizeof(unsigned);
  const size_t chunkBytes = chunk * sizeof(unsigned);

  unsigned *hostIn, *hostOut, *hostCombined;
  CHECK_CUDA(cudaMallocHost(&hostIn, bytes));
  CHECK_CUDA(cudaMallocHost(&hostOut, bytes));
  CHECK_CUDA(cudaMallocHost(&hostCombined, chunkBytes));
  example::Rng rng(12);
  for (int i = 0; i < n; ++i)
    hostIn[i] = rng.nextU32();

  unsigned *dIn, *dOut, *dCombined;
  CHECK_CUDA(cudaMalloc(&dIn, bytes));
  CHECK_CUDA(cudaMalloc(&dOut, bytes));
  CHECK_CUDA(cudaMalloc(&dCombined, chunkBytes));

  cudaStream_t streams[kStreams];
  for (cudaStream_t &s : streams)
    CHECK_CUDA(cudaStreamCreate(&s));
  cudaEvent_t start, stop, firstChunkDone;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  CHECK_CUDA(cudaEventCreateWithFlags(&firstChunkDone, cudaEventDisableTiming));

  CHECK_CUDA(cudaEventRecord(start, streams[0]));
  for (int s = 0; s < kStreams; ++s) {
    size_t offset = static_cast<size_t>(s) * chunk;
    CHECK_CUDA(cudaMemcpyAsync(dIn + offset, hostIn + offset, chunkBytes,
                               cudaMemcpyHostToDevice, streams[s]));
    polish<<<(chunk + 255) / 256, 256, 0, streams[s]>>>(
        dIn + offset, dOut + offset, chunk, static_cast<unsigned>(s));
    CHECK_CUDA(cudaGetLastError());
    CHECK_CUDA(cudaMemcpyAsync(hostOut + offset, dOut + offset, chunkBytes,
                               cudaMemcpyDeviceToHost, streams[s]));
    if (s == 0)
      CHECK_CUDA(cudaEventRecord(firstChunkDone, streams[0]));
  }
  // The last stream combines its own chunk with chunk 0, so it must wait for
  // stream 0's kernel; without the wait this would be a race.
  const int last = kStreams - 1;
  CHECK_CUDA(cudaStreamWaitEvent(streams[last], firstChunkDone, 0));
  combine<<<(chunk + 255) / 256, 256, 0, streams[last]>>>(
      dOut, dOut + static_cast<size_t>(last) * chunk, dCombined, chunk);
  CHECK_CUDA(cudaGetLastError());
  CHECK_CUDA(cudaMemcpyAsync(hostCombined, dCombined, chunkBytes,
                             cudaMemcpyDeviceToHost, streams[last]));
  // stop on stream 0 after everything: make stream 0 wait for the others.
  for (int s = 1; s < kStreams; ++s) {
    cudaEvent_t done;
    CHECK_CUDA(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
    CHECK_CUDA(cudaEventRecord(done, streams[s]));
    CHECK_CUDA(cudaStreamWaitEvent(streams[0], done, 0));
    CHECK_CUDA(cudaEventDestroy(done));
  }
  CHECK_CUDA(cudaEventRecord(stop, streams[0]));
  CHECK_CUDA(cudaEventSynchronize(stop));

  // Everything before stop has finished, so every stream and event is idle.
  for (int s = 0; s < kStreams; ++s)
    if (cudaStreamQuery(streams[s]) != cudaSuccess)
      example::fail("stream %d still busy after the final event", s);
  if (cudaEventQuery(firstChunkDone) != cudaSuccess)
    example::fail("event firstChunkDone not complete");
  float ms = -1.0f;
  CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
  if (!(ms >= 0.0f))
    example::fail("cudaEventElapsedTime gave %g ms", ms);
  // An event created without timing cannot be used for elapsed time; the
  // documented answer is cudaErrorInvalidResourceHandle.
  float unused;
  cudaError_t noTiming = cudaEventElapsedTime(&unused, start, firstChunkDone);
  if (noTiming != cudaErrorInvalidResourceHandle)
    example::fail("elapsed time with a cudaEventDisableTiming event gave %s",
                  cudaGetErrorName(noTiming));
  (void)cudaGetLastError(); // clear the recorded error
  std::printf("%d streams, %d elements: %.3f ms\n", kStreams, n, ms);

  for (int i = 0; i < n; ++i) {
    unsigned want = hostPolish(hostIn[i], static_cast<unsigned>(i / chunk));
    if (hostOut[i] != want)
      example::fail("out[%d] = %u, expected %u", i, hostOut[i], want);
  }
  for (int i = 0; i < chunk; ++i) {
    unsigned want = hostOut[i] ^ hostOut[static_cast<size_t>(last) * chunk + i];
    if (hostCombined[i] != want)
      example::fail("combined[%d] = %u, expected %u", i, hostCombined[i], want);
  }

  for (cudaStream_t s : streams)
    CHECK_CUDA(cudaStreamDestroy(s));
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
  CHECK_CUDA(cudaEventDestroy(firstChunkDone));
  CHECK_CUDA(cudaFree(dIn));
  CHECK_CUDA(cudaFree(dOut));
  CHECK_CUDA(cudaFree(dCombined));
  CHECK_CUDA(cudaFreeHost(hostIn));
  CHECK_CUDA(cudaFreeHost(hostOut));
  CHECK_CUDA(cudaFreeHost(hostCombined));
  return example::pass();
}
