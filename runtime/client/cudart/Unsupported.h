//===- Unsupported.h - Entry points the shim does not implement -----------===//
#ifndef WOOLY_RUNTIME_CLIENT_CUDART_UNSUPPORTED_H
#define WOOLY_RUNTIME_CLIENT_CUDART_UNSUPPORTED_H

namespace wooly::cudart {

/// Says once on stderr that `call` is not supported; returns
/// cudaErrorNotSupported (801) and records it as the last error.
int unsupported(const char *call);

} // namespace wooly::cudart

#endif // WOOLY_RUNTIME_CLIENT_CUDART_UNSUPPORTED_H
