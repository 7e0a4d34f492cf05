//===- HeapInUse.h - Bytes the process's heap holds, for leak checks ------===//
//
// glibc's count of bytes handed out by malloc (small blocks plus mmapped
// large ones), read before and after repeating an operation that must give
// back what it takes. Only the main arena is counted: call it from the
// thread doing the work (the test's). Under a sanitizer, whose allocator
// glibc does not see, it stays zero and such checks pass; LeakSanitizer
// does that job there.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_HEAPINUSE_H
#define WOOLY_TEST_UNIT_TARGET_HEAPINUSE_H

#include <malloc.h>

#include <cstddef>
#include <functional>

namespace wooly::test {

inline size_t heapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

/// How much the heap grew over `times` runs of `op`, after one run first
/// (which may fill one-time tables, LLVM's among them).
inline size_t heapGrowthOver(int times, const std::function<void()> &op) {
  op();
  size_t before = heapInUse();
  for (int i = 0; i < times; ++i)
    op();
  size_t after = heapInUse();
  return after > before ? after - before : 0;
}

} // namespace wooly::test

#endif // WOOLY_TEST_UNIT_TARGET_HEAPINUSE_H
