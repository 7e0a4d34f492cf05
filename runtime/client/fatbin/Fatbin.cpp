//===- Fatbin.cpp - reading CUDA fatbins ----------------------------------===//
//
// Layout (little-endian, as produced by nvcc 13's `fatbinary`):
//   blob header (16 bytes): u32 magic 0xBA55ED50, u16 version, u16 header
//     size, u64 payload size; the payload is a sequence of entries.
//   entry header (64 or 80 bytes): u16 kind, u16 version, u32 header size,
//     u64 padded payload size, u32 compressed size, u32 (unused here),
//     u16 PTX minor, u16 PTX major, u32 sm arch, u32 name offset, u32 name
//     length, u64 flags, u64 zero, u64 decompressed size.
//   flags: 0x2000 = LZ4 block compressed, 0x8000 = zstd frame compressed.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/fatbin/Fatbin.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <tuple>

namespace wooly::fatbin {
namespace {

constexpr uint64_t kFlagLZ4 = 0x2000;
constexpr uint64_t kFlagZstd = 0x8000;
constexpr size_t kBlobHeaderSize = 16;
constexpr size_t kEntryHeaderMin = 64;

template <typename T> T load(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Parses the entries of one blob whose payload is [p, p+size).
bool readEntries(const uint8_t *p, uint64_t size, std::vector<Entry> &out,
                 std::string &error) {
  uint64_t offset = 0;
  while (offset < size) {
    if (size - offset < kEntryHeaderMin) {
      error = "fatbin entry header at offset " + hex(offset) + " is truncated";
      return false;
    }
    const uint8_t *h = p + offset;
    uint16_t kind = load<uint16_t>(h);
    uint32_t headerSize = load<uint32_t>(h + 4);
    uint64_t paddedSize = load<uint64_t>(h + 8);
    uint32_t compressedSize = load<uint32_t>(h + 16);
    uint16_t minor = load<uint16_t>(h + 24);
    uint16_t major = load<uint16_t>(h + 26);
    uint32_t arch = load<uint32_t>(h + 28);
    uint64_t flags = load<uint64_t>(h + 40);
    uint64_t decompressedSize = load<uint64_t>(h + 56);
    if (headerSize < kEntryHeaderMin || headerSize > size - offset) {
      error = "fatbin entry at offset " + hex(offset) +
              " has a bad header size " + std::to_string(headerSize);
      return false;
    }
    if (paddedSize > size - offset - headerSize) {
      error = "fatbin entry at offset " + hex(offset) + " claims " +
              std::to_string(paddedSize) + " bytes but only " +
              std::to_string(size - offset - headerSize) + " remain";
      return false;
    }
    if (kind == static_cast<uint16_t>(EntryKind::PTX) ||
        kind == static_cast<uint16_t>(EntryKind::ELF)) {
      Entry entry;
      entry.kind = static_cast<EntryKind>(kind);
      entry.smArch = arch;
      entry.ptxMajor = major;
      entry.ptxMinor = minor;
      uint64_t stored = paddedSize;
      if (flags & (kFlagLZ4 | kFlagZstd)) {
        entry.compression =
            (flags & kFlagZstd) ? Compression::Zstd : Compression::LZ4;
        entry.decompressedSize = decompressedSize;
        if (compressedSize == 0 || compressedSize > paddedSize) {
          error = "compressed fatbin entry at offset " + hex(offset) +
                  " has a bad compressed size";
          return false;
        }
        stored = compressedSize;
      }
      entry.payload.assign(reinterpret_cast<const char *>(h + headerSize),
                           stored);
      out.push_back(std::move(entry));
    }
    // Unknown kinds are skipped: a newer toolkit may add some.
    offset += headerSize + paddedSize;
  }
  return true;
}

/// Parses the blob at p (at most `available` bytes); returns its total size
/// or 0 on error.
uint64_t readBlob(const uint8_t *p, uint64_t available,
                  std::vector<Entry> &out, std::string &error) {
  if (available < kBlobHeaderSize) {
    error = "fatbin header is truncated";
    return 0;
  }
  uint32_t magic = load<uint32_t>(p);
  uint16_t headerSize = load<uint16_t>(p + 6);
  uint64_t payloadSize = load<uint64_t>(p + 8);
  if (magic != kFatbinMagic) {
    error = "not a fatbin: magic " + hex(magic) + ", expected " +
            hex(kFatbinMagic);
    return 0;
  }
  if (headerSize < kBlobHeaderSize || headerSize > available ||
      payloadSize > available - headerSize) {
    error = "fatbin blob claims " + std::to_string(payloadSize) +
            " payload bytes after a " + std::to_string(headerSize) +
            "-byte header, but only " + std::to_string(available) +
            " bytes are there";
    return 0;
  }
  if (!readEntries(p + headerSize, payloadSize, out, error))
    return 0;
  return headerSize + payloadSize;
}

} // namespace

ReadResult readFatbin(const void *data, size_t size) {
  ReadResult result;
  if (!data) {
    result.error = "no fatbin data";
    return result;
  }
  const uint8_t *p = static_cast<const uint8_t *>(data);
  uint64_t offset = 0;
  bool any = false;
  while (offset < size) {
    // Blobs are 8-byte aligned inside a section; skip zero padding.
    if (size - offset >= 4 && load<uint32_t>(p + offset) == 0) {
      offset += 4;
      continue;
    }
    uint64_t used = readBlob(p + offset, size - offset, result.entries,
                             result.error);
    if (!used)
      return result;
    any = true;
    offset += used;
  }
  if (!any)
    result.error = "empty fatbin";
  return result;
}

ReadResult readFatbinWrapper(const void *wrapper) {
  ReadResult result;
  if (!wrapper) {
    result.error = "null fatbin wrapper";
    return result;
  }
  const uint8_t *w = static_cast<const uint8_t *>(wrapper);
  uint32_t magic = load<uint32_t>(w);
  if (magic != kWrapperMagic) {
    result.error = "not a fatbin wrapper: magic " + hex(magic) +
                   ", expected " + hex(kWrapperMagic);
    return result;
  }
  const uint8_t *blob = load<const uint8_t *>(w + 8);
  if (!blob) {
    result.error = "fatbin wrapper points at no fatbin";
    return result;
  }
  // The wrapper says nothing about size; the blob header does. Read the
  // header first, then exactly the blob it describes.
  uint16_t headerSize = load<uint16_t>(blob + 6);
  uint64_t payloadSize = load<uint64_t>(blob + 8);
  if (load<uint32_t>(blob) != kFatbinMagic || payloadSize > kMaxEntrySize * 4) {
    result.error = "fatbin wrapper points at something that is not a fatbin";
    return result;
  }
  readBlob(blob, uint64_t(headerSize) + payloadSize, result.entries,
           result.error);
  return result;
}

ReadResult readFatbinFromELF(const void *data, size_t size) {
  ReadResult result;
  const uint8_t *p = static_cast<const uint8_t *>(data);
  if (!p || size < 64 || std::memcmp(p, "\x7f" "ELF", 4) != 0) {
    result.error = "not an ELF file";
    return result;
  }
  if (p[4] != 2 || p[5] != 1) {
    result.error = "only 64-bit little-endian ELF files are supported";
    return result;
  }
  uint64_t shoff = load<uint64_t>(p + 0x28);
  uint16_t shentsize = load<uint16_t>(p + 0x3A);
  uint16_t shnum = load<uint16_t>(p + 0x3C);
  uint16_t shstrndx = load<uint16_t>(p + 0x3E);
  if (shentsize < 64 || shoff > size || shnum > (size - shoff) / shentsize ||
      shstrndx >= shnum) {
    result.error = "ELF section table is malformed";
    return result;
  }
  auto section = [&](unsigned i) { return p + shoff + uint64_t(i) * shentsize; };
  const uint8_t *strtab = section(shstrndx);
  uint64_t strOff = load<uint64_t>(strtab + 0x18);
  uint64_t strSize = load<uint64_t>(strtab + 0x20);
  if (strOff > size || strSize > size - strOff) {
    result.error = "ELF section name table is out of bounds";
    return result;
  }
  // `.nv_fatbin` holds what the program registers at run time. With
  // relocatable device code (-rdc=true) the linked `.nv_fatbin` has machine
  // code only, and each file's PTX stays in `__nv_relfatbin` (the input of the
  // device link, kept in the executable too); objects have only that one.
  // So: `.nv_fatbin` entries, plus `__nv_relfatbin` ones when those hold the
  // only PTX.
  auto named = [&](const uint8_t *s, const char *name) {
    uint32_t nameOff = load<uint32_t>(s);
    size_t len = std::strlen(name) + 1;
    return nameOff < strSize && strSize - nameOff >= len &&
           std::memcmp(p + strOff + nameOff, name, len) == 0;
  };
  auto hasPTX = [](const std::vector<Entry> &entries) {
    for (const Entry &e : entries)
      if (e.kind == EntryKind::PTX)
        return true;
    return false;
  };
  bool found = false;
  for (const char *name : {".nv_fatbin", "__nv_relfatbin"}) {
    if (found && hasPTX(result.entries))
      break;
    for (unsigned i = 0; i < shnum; ++i) {
      const uint8_t *s = section(i);
      if (!named(s, name))
        continue;
      uint32_t type = load<uint32_t>(s + 4);
      uint64_t off = load<uint64_t>(s + 0x18);
      uint64_t secSize = load<uint64_t>(s + 0x20);
      if (type == 8 /*SHT_NOBITS*/ || off > size || secSize > size - off) {
        result.error = std::string("the ") + name + " section is out of bounds";
        return result;
      }
      ReadResult part = readFatbin(p + off, secSize);
      if (!part.ok())
        return part;
      for (Entry &e : part.entries)
        result.entries.push_back(std::move(e));
      found = true;
    }
  }
  if (!found)
    result.error = "no .nv_fatbin section: this file holds no CUDA device "
                   "code (was it compiled with nvcc?)";
  return result;
}

ReadResult readFatbinFromFile(const std::string &path) {
  ReadResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = "cannot open '" + path + "'";
    return result;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  result = readFatbinFromELF(bytes.data(), bytes.size());
  if (!result.ok())
    result.error = path + ": " + result.error;
  return result;
}

const Entry *selectPTX(const std::vector<Entry> &entries, uint32_t maxArch) {
  const Entry *best = nullptr;
  auto newer = [](const Entry &a, const Entry &b) {
    return std::tie(a.smArch, a.ptxMajor, a.ptxMinor) >
           std::tie(b.smArch, b.ptxMajor, b.ptxMinor);
  };
  for (const Entry &e : entries)
    if (e.kind == EntryKind::PTX && e.smArch <= maxArch &&
        (!best || newer(e, *best)))
      best = &e;
  if (best)
    return best;
  for (const Entry &e : entries)
    if (e.kind == EntryKind::PTX && (!best || e.smArch < best->smArch))
      best = &e;
  return best;
}

bool entryContents(const Entry &entry, std::string &out, std::string &error) {
  switch (entry.compression) {
  case Compression::None:
    out = entry.payload;
    break;
  case Compression::Zstd: {
    if (entry.decompressedSize == 0 || entry.decompressedSize > kMaxEntrySize) {
      error = "compressed fatbin entry has a bad size " +
              std::to_string(entry.decompressedSize);
      return false;
    }
    out.assign(entry.decompressedSize, '\0');
    size_t got = ZSTD_decompress(out.data(), out.size(), entry.payload.data(),
                                 entry.payload.size());
    if (ZSTD_isError(got)) {
      error = std::string("zstd: ") + ZSTD_getErrorName(got);
      return false;
    }
    out.resize(got);
    break;
  }
  case Compression::LZ4: {
    if (entry.decompressedSize == 0 || entry.decompressedSize > kMaxEntrySize ||
        entry.payload.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
      error = "compressed fatbin entry has a bad size " +
              std::to_string(entry.decompressedSize);
      return false;
    }
    out.assign(entry.decompressedSize, '\0');
    int got = LZ4_decompress_safe(entry.payload.data(), out.data(),
                                  static_cast<int>(entry.payload.size()),
                                  static_cast<int>(out.size()));
    if (got < 0) {
      error = "lz4: corrupt compressed fatbin entry";
      return false;
    }
    out.resize(got);
    break;
  }
  }
  if (entry.kind == EntryKind::PTX) {
    while (!out.empty() && out.back() == '\0')
      out.pop_back();
    if (out.find('\0') != std::string::npos) {
      error = "PTX entry holds binary data";
      return false;
    }
  }
  return true;
}

std::string missingPTXMessage(const std::vector<Entry> &entries) {
  std::set<uint32_t> archs;
  for (const Entry &e : entries)
    if (e.kind == EntryKind::ELF)
      archs.insert(e.smArch);
  uint32_t arch = 75;
  std::string list;
  for (uint32_t a : archs) {
    list += (list.empty() ? "" : ", ") + std::string("sm_") + std::to_string(a);
    arch = std::max(arch, std::min(a, kMaxTranslatableArch));
  }
  std::string flag = "-gencode arch=compute_" + std::to_string(arch) +
                     ",code=compute_" + std::to_string(arch);
  return "the CUDA binary holds no PTX" +
         (list.empty() ? std::string() : " (only machine code for " + list + ")") +
         ", and Wooly needs PTX: rebuild with PTX: add " + flag +
         " to the nvcc command line";
}

} // namespace wooly::fatbin
