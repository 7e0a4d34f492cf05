//===- Fatbin.h - reading CUDA fatbins ----------------------------*- C++ -*-===//
//
// A CUDA fatbin is what nvcc embeds in a program: PTX and machine code (SASS)
// for one or more GPU architectures. Wooly needs its PTX. This library reads a
// fatbin from the three places one shows up:
//   - the wrapper `__cudaRegisterFatBinary` receives (readFatbinWrapper),
//   - the `.nv_fatbin` section of an ELF executable, library or object
//     (readFatbinFromELF / readFatbinFromFile),
//   - raw fatbin bytes (readFatbin).
// It then picks the PTX to translate (selectPTX) and decompresses it
// (entryContents; CUDA 13 compresses PTX with zstd, older toolkits with LZ4).
//
// Nothing here trusts its input: every size and offset is bounds-checked, and
// a malformed fatbin is an error message, never a crash. No exceptions cross
// this API (the client shims call it from C entry points).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_FATBIN_FATBIN_H
#define WOOLY_RUNTIME_CLIENT_FATBIN_FATBIN_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wooly::fatbin {

enum class EntryKind : uint16_t { PTX = 1, ELF = 2 };
enum class Compression { None, Zstd, LZ4 };

/// One entry of a fatbin: PTX text or a cubin, for one architecture. The
/// payload is copied, so an Entry outlives the buffer it came from.
struct Entry {
  EntryKind kind = EntryKind::PTX;
  uint32_t smArch = 0;    // 75 for sm_75 / compute_75
  uint32_t ptxMajor = 0;  // PTX ISA version of the entry (9.0 → 9, 0)
  uint32_t ptxMinor = 0;
  Compression compression = Compression::None;
  uint64_t decompressedSize = 0; // 0 when not compressed
  std::string payload;           // as stored (possibly compressed)
};

struct ReadResult {
  std::vector<Entry> entries;
  std::string error; // empty on success
  bool ok() const { return error.empty(); }
};

/// Largest decompressed entry accepted (a bound against hostile sizes).
inline constexpr uint64_t kMaxEntrySize = 512ull << 20;

/// Magic numbers of the wrapper, the fatbin blob header and ELF.
inline constexpr uint32_t kWrapperMagic = 0x466243b1;
inline constexpr uint32_t kFatbinMagic = 0xBA55ED50;

/// Reads every fatbin blob in [data, data+size) (a `.nv_fatbin` section holds
/// one blob per translation unit, back to back, possibly padded).
ReadResult readFatbin(const void *data, size_t size);

/// Reads the fatbin a `__cudaRegisterFatBinary` wrapper points at:
/// `{u32 magic 0x466243b1, u32 version, const void *fatbin, ...}`. The blob's
/// own header gives its size (the wrapper carries none).
ReadResult readFatbinWrapper(const void *wrapper);

/// Reads the `.nv_fatbin` section of an in-memory ELF64 file, plus its
/// `__nv_relfatbin` (where -rdc=true code keeps its PTX) when `.nv_fatbin`
/// holds no PTX.
ReadResult readFatbinFromELF(const void *data, size_t size);

/// Reads a CUDA executable, shared library or object from disk.
ReadResult readFatbinFromFile(const std::string &path);

/// The architecture Wooly's translator is written against: PTX for a newer
/// architecture may use instructions it does not know.
inline constexpr uint32_t kMaxTranslatableArch = 90;

/// Picks the PTX entry to translate: the highest architecture ≤ maxArch
/// (newest PTX ISA version on ties). When every PTX entry is for a newer
/// architecture, the oldest of them (the translator then reports any
/// instruction it cannot handle). Returns nullptr when there is no PTX.
const Entry *selectPTX(const std::vector<Entry> &entries,
                       uint32_t maxArch = kMaxTranslatableArch);

/// The entry's bytes, decompressed. For PTX, trailing NULs are removed so the
/// result is the PTX text. On failure returns false and sets `error`.
bool entryContents(const Entry &entry, std::string &out, std::string &error);

/// The message for a binary that holds no PTX, naming the flag that adds it:
/// "... rebuild with PTX: add -gencode arch=compute_75,code=compute_75 ...".
std::string missingPTXMessage(const std::vector<Entry> &entries);

} // namespace wooly::fatbin

#endif // WOOLY_RUNTIME_CLIENT_FATBIN_FATBIN_H
