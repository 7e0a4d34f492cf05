//===- PtxToWis.cpp - PTX text to WIS bytecode, cached on disk -----------===//
#include "runtime/client/core/PtxToWis.h"
#include "daemon/ModuleCache.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#ifdef WOOLY_HAVE_PTX_TRANSLATOR
#include "compiler/ptx/Translate.h"
#endif

namespace wooly::client {

static std::filesystem::path cacheDir() {
  if (const char *d = getenv("WOOLY_CACHE_DIR"); d && *d)
    return std::filesystem::path(d) / "wis";
  if (const char *h = getenv("HOME"); h && *h)
    return std::filesystem::path(h) / ".cache" / "wooly" / "wis";
  return {};
}

static bool translate(const std::string &ptx, std::vector<uint8_t> &wis,
                      std::string &error) {
#ifdef WOOLY_HAVE_PTX_TRANSLATOR
  return wooly::ptx::translatePtxToWisBytecode(ptx, wis, error);
#else
  (void)ptx;
  (void)wis;
  error = "this Wooly build has no PTX translator (compiler/ptx)";
  return false;
#endif
}

bool translatePtxCached(const std::string &ptx, std::vector<uint8_t> &wis,
                        std::string &error) {
  auto hash = daemon::sha256(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t *>(ptx.data()), ptx.size()));
  std::filesystem::path dir = cacheDir();
  std::filesystem::path file =
      dir.empty() ? dir : dir / (daemon::toHex(hash) + ".wisbc");
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (in) {
      wis.assign(std::istreambuf_iterator<char>(in), {});
      if (!wis.empty())
        return true;
    }
  }
  if (!translate(ptx, wis, error))
    return false;
  if (!file.empty()) {
    // Write to a private name then rename: concurrent programs never see a
    // half-written entry.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto tmp = dir / (daemon::toHex(hash) + ".tmp." + std::to_string(getpid()));
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char *>(wis.data()), wis.size());
    out.close();
    if (out)
      std::filesystem::rename(tmp, file, ec);
    else
      std::filesystem::remove(tmp, ec);
  }
  return true;
}

} // namespace wooly::client
