//===- OperatorState.cpp - What operators set, carried across a restart ---===//

#include "daemon/OperatorState.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace wooly::daemon {

namespace {
constexpr const char *kMagic = "wooly-operator-state";
constexpr int kVersion = 1;

std::string toHex(const std::string &s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool fromHex(const std::string &hex, std::string &out) {
  if (hex.size() % 2)
    return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    char *end = nullptr;
    std::string pair = hex.substr(i, 2);
    long v = std::strtol(pair.c_str(), &end, 16);
    if (*end || !std::isxdigit(static_cast<unsigned char>(pair[0])))
      return false;
    out += static_cast<char>(v);
  }
  return true;
}

/// A whole unsigned number, nothing else.
bool number(const std::string &text, uint64_t &out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end || errno)
    return false;
  out = v;
  return true;
}
} // namespace

std::string encodeOperatorState(const OperatorState &state) {
  std::ostringstream out;
  out << kMagic << ' ' << kVersion << " d=" << (state.draining ? 1 : 0);
  for (const OperatorState::Tenant &t : state.tenants)
    out << " t=" << toHex(t.name) << ',' << (t.weight ? *t.weight : 0) << ','
        << (t.priority ? unsigned(*t.priority) : 255u) << ','
        << t.memoryQuota;
  return out.str();
}

std::optional<OperatorState> decodeOperatorState(const std::string &text,
                                                 std::string &error) {
  std::istringstream in(text);
  std::string magic, word;
  int version = 0;
  if (!(in >> magic >> version) || magic != kMagic || version != kVersion) {
    error = "not a woolyd operator state of version " +
            std::to_string(kVersion);
    return std::nullopt;
  }
  OperatorState state;
  bool sawDrain = false;
  while (in >> word) {
    if (word == "d=0" || word == "d=1") {
      state.draining = word == "d=1";
      sawDrain = true;
      continue;
    }
    if (word.rfind("t=", 0) != 0) {
      error = "unknown field '" + word + "'";
      return std::nullopt;
    }
    std::vector<std::string> parts;
    std::istringstream fields(word.substr(2));
    for (std::string part; std::getline(fields, part, ',');)
      parts.push_back(part);
    OperatorState::Tenant t;
    uint64_t weight = 0, cls = 0, quota = 0;
    if (parts.size() != 4 || !fromHex(parts[0], t.name) || t.name.empty() ||
        !number(parts[1], weight) || weight > 1000 || !number(parts[2], cls) ||
        (cls > 2 && cls != 255) || !number(parts[3], quota)) {
      error = "bad tenant '" + word + "'";
      return std::nullopt;
    }
    if (weight)
      t.weight = uint32_t(weight);
    if (cls != 255)
      t.priority = static_cast<exec::PriorityClass>(cls);
    t.memoryQuota = quota;
    state.tenants.push_back(std::move(t));
  }
  if (!sawDrain) {
    error = "no drain field";
    return std::nullopt;
  }
  return state;
}

} // namespace wooly::daemon
