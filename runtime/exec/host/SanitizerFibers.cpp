//===- SanitizerFibers.cpp - Fiber switches told to AddressSanitizer ------===//
#include "runtime/exec/host/SanitizerFibers.h"

#include <pthread.h>

namespace wooly::exec::host {

SanitizerFiber threadStackFiber() {
  SanitizerFiber f;
#ifdef WOOLY_SANITIZER_FIBERS
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *bottom = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &bottom, &size) == 0) {
      f.bottom = bottom;
      f.size = size;
    }
    pthread_attr_destroy(&attr);
  }
#endif
  return f;
}

} // namespace wooly::exec::host
