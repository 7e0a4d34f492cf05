//===- HandOver.h - ZeroMQ's frame hand-overs, for ThreadSanitizer -*- C++ -*-===//
//
// A zero-copy frame (bulkFromVector, bulkBorrowed) is written by one thread
// and read, then freed, by the thread that receives it over inproc://.
// ZeroMQ passes it through its own lock-free queues in Debian's
// uninstrumented libzmq, which ThreadSanitizer cannot see: it would report
// every such frame as a race. The sender releases the frame's bytes before
// queuing it and the receiver acquires them on receipt, which is the order
// ZeroMQ guarantees. Outside a ThreadSanitizer build both are nothing.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_HANDOVER_H
#define WOOLY_RUNTIME_PROTOCOL_HANDOVER_H

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WOOLY_THREAD_SANITIZER 1
#endif
#endif

#ifdef WOOLY_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#endif

namespace wooly::protocol {

/// Before a frame whose bytes another thread will read is queued.
inline void handOverFrame(const void *bytes) {
#ifdef WOOLY_THREAD_SANITIZER
  __tsan_release(const_cast<void *>(bytes));
#else
  (void)bytes;
#endif
}

/// After a frame is received, before its bytes are read.
inline void takeOverFrame(const void *bytes) {
#ifdef WOOLY_THREAD_SANITIZER
  __tsan_acquire(const_cast<void *>(bytes));
#else
  (void)bytes;
#endif
}

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_HANDOVER_H
