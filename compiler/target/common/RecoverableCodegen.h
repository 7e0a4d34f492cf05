//===- RecoverableCodegen.h - Backend failures as errors --------*- C++ -*-===//
//
// LLVM's code generators report what they cannot do (an intrinsic a target
// lacks: "Cannot select ...") with report_fatal_error, which ends the
// process. A server compiling client kernels must instead fail that one
// compile. runRecoverable() runs a code generation step under a
// CrashRecoveryContext, with a fatal-error handler that jumps back to it,
// and returns the reason LLVM gave.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_COMMON_RECOVERABLECODEGEN_H
#define WOOLY_COMPILER_TARGET_COMMON_RECOVERABLECODEGEN_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>
#include <optional>
#include <string>

namespace wooly {

namespace detail {
inline thread_local std::string fatalErrorReason;

inline void recoverFromFatalError(void *, const char *reason, bool) {
  fatalErrorReason = reason ? reason : "unknown error";
  if (llvm::CrashRecoveryContext *context =
          llvm::CrashRecoveryContext::GetCurrent())
    context->HandleExit(1); // jumps back into runRecoverable
  // Not inside a recoverable step: LLVM's default behaviour.
  llvm::errs() << "LLVM ERROR: " << fatalErrorReason << "\n";
  std::abort();
}
} // namespace detail

/// Runs `step`; std::nullopt when it finished, else the reason it failed.
inline std::optional<std::string>
runRecoverable(llvm::function_ref<void()> step) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::CrashRecoveryContext::Enable();
    llvm::install_fatal_error_handler(detail::recoverFromFatalError);
  });
  detail::fatalErrorReason.clear();
  llvm::CrashRecoveryContext recovery;
  if (recovery.RunSafely(step))
    return std::nullopt;
  return detail::fatalErrorReason.empty() ? std::string("the backend crashed")
                                          : detail::fatalErrorReason;
}

} // namespace wooly

#endif // WOOLY_COMPILER_TARGET_COMMON_RECOVERABLECODEGEN_H
