//===- PtxToWis.h - PTX text to WIS bytecode, cached on disk --------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_PTXTOWIS_H
#define WOOLY_RUNTIME_CLIENT_CORE_PTXTOWIS_H

#include <cstdint>
#include <string>
#include <vector>

namespace wooly::client {

/// Translates PTX into a WIS module (MLIR bytecode) with the PTX front end,
/// whose cache ($WOOLY_CACHE_DIR, else ~/.cache/wooly, keyed by the PTX's
/// SHA-256) makes a program pay for translation once per PTX, not per run.
bool translatePtxCached(const std::string &ptx, std::vector<uint8_t> &wis,
                        std::string &error);

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_PTXTOWIS_H
