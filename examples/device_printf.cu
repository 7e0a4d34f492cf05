// Device-side printf. The program captures its own standard output while the
// kernel runs (the runtime flushes device printf at synchronisation points),
// checks that every expected line arrived exactly once, then echoes them.
#include "examples/common/example_check.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

__global__ void greet(int base) {
  int v = base + blockIdx.x * 100 + threadIdx.x * threadIdx.x;
  printf("block %d thread %d value %d\n", blockIdx.x, threadIdx.x, v);
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    printf("formats: %u %lld %.3f %x %s %c %5d|\n", 4000000000u,
           -1234567890123ll, 3.14159, 0xbeefu, "text", 'Z', 42);
    printf("no arguments\n");
  }
}

int main() {
  const int blocks = 4, threads = 8, base = 7;
  std::fflush(stdout);
  // Redirect fd 1 into a temporary file for the duration of the kernel.
  FILE *capture = std::tmpfile();
  if (!capture)
    example::fail("cannot create a temporary file");
  int savedStdout = dup(STDOUT_FILENO);
  if (savedStdout < 0 || dup2(fileno(capture), STDOUT_FILENO) < 0)
    example::fail("cannot redirect standard output");

  greet<<<blocks, threads>>>(base);
  cudaError_t launchErr = cudaGetLastError();
  cudaError_t syncErr = cudaDeviceSynchronize();
  std::fflush(stdout);
  dup2(savedStdout, STDOUT_FILENO);
  close(savedStdout);
  CHECK_CUDA(launchErr);
  CHECK_CUDA(syncErr);

  std::vector<std::string> lines;
  std::rewind(capture);
  char buffer[256];
  while (std::fgets(buffer, sizeof(buffer), capture))
    lines.emplace_back(buffer);
  std::fclose(capture);
  for (const std::string &line : lines)
    std::fputs(line.c_str(), stdout);

  std::vector<std::string> want;
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < threads; ++t)
      want.push_back("block " + std::to_string(b) + " thread " +
                     std::to_string(t) + " value " +
                     std::to_string(base + b * 100 + t * t) + "\n");
  want.push_back(
      "formats: 4000000000 -1234567890123 3.142 beef text Z    42|\n");
  want.push_back("no arguments\n");
  // Threads may print in any order; compare as sorted multisets.
  std::sort(lines.begin(), lines.end());
  std::sort(want.begin(), want.end());
  if (lines.size() != want.size())
    example::fail("captured %zu lines of device output, expected %zu",
                  lines.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    if (lines[i] != want[i]) {
      std::string got = lines[i], expected = want[i];
      got.pop_back(); // drop the newline for a one-line message
      expected.pop_back();
      example::fail("device printed \"%s\", expected \"%s\"", got.c_str(),
                    expected.c_str());
    }
  return example::pass();
}
