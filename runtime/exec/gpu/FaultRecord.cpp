//===- FaultRecord.cpp - A context's record of a trap or assert -----------===//

#include "runtime/exec/gpu/FaultRecord.h"

#include "compiler/target/gpu/GpuFaultABI.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace wooly::exec::gpu {

namespace abi = wooly::gpu::fault_abi;

namespace {

uint32_t word(std::span<const uint8_t> bytes, uint64_t at) {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (at + i < bytes.size())
      v |= uint32_t(bytes[at + i]) << (8 * i);
  return v;
}

/// The text field at `at`: up to its NUL, at most kTextBytes - 1 bytes
/// (the kernel writes no more; a kernel that overwrote its record cannot
/// make the server read past it), bytes outside printable ASCII escaped.
std::string text(std::span<const uint8_t> bytes, uint64_t at) {
  std::string out;
  for (uint64_t i = 0; i + 1 < abi::kTextBytes && at + i < bytes.size(); ++i) {
    uint8_t c = bytes[at + i];
    if (c == 0)
      break;
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string triple(std::span<const uint8_t> bytes, uint64_t at) {
  return std::to_string(word(bytes, at)) + "," +
         std::to_string(word(bytes, at + 4)) + "," +
         std::to_string(word(bytes, at + 8));
}

} // namespace

Status decodeFaultRecord(std::span<const uint8_t> bytes) {
  uint32_t kind = word(bytes, abi::kKindOffset);
  if (kind == abi::kNone || kind == abi::kStop ||
      word(bytes, abi::kCompleteOffset) == 0)
    return Status::ok(); // kStop: the executor knows why it stopped them
  std::string where = "block (" + triple(bytes, abi::kBlockOffset) +
                      ") thread (" + triple(bytes, abi::kThreadOffset) + ")";
  if (kind == abi::kAssert)
    // CUDA's own words for a failed device-side assert.
    return Status::error(
        ErrorCode::Assert,
        "device-side assert triggered: " + text(bytes, abi::kFileOffset) +
            ":" + std::to_string(word(bytes, abi::kLineOffset)) + ": " +
            text(bytes, abi::kFunctionOffset) + ": " + where +
            " Assertion `" + text(bytes, abi::kMessageOffset) + "` failed.");
  if (kind == abi::kTrap)
    return Status::error(ErrorCode::Trap,
                         "the kernel executed trap in " + where);
  return Status::error(ErrorCode::Trap,
                       "a kernel recorded a fault of unknown kind " +
                           std::to_string(kind) + " in " + where);
}

bool trapsGoToDriver() {
  const char *value = std::getenv("WOOLY_GPU_TRAPS");
  return value && std::string(value) == "driver";
}

FaultRecord::~FaultRecord() {
  if (reads) {
    api.streamSynchronize(reads); // a stop still on its way to the record
    api.streamDestroy(reads);
  }
  if (record)
    api.memFree(record);
}

Status FaultRecord::attach(DriverModule module, DriverStream stream,
                           bool &attached) {
  attached = false;
  if (trapsGoToDriver())
    return Status::ok();
  DevicePtr slot = 0;
  uint64_t bytes = 0;
  if (!api.moduleGetGlobal(module, abi::kGlobalName, slot, bytes) ||
      bytes < abi::kSlotBytes)
    return Status::ok();
  if (!record) {
    // Outside the arena: kernels reach it only through the slot, never
    // through an address a client computes or names in a copy.
    DriverStream own = nullptr;
    if (Status status = api.streamCreate(0, own); !status)
      return status;
    DevicePtr made = 0;
    if (Status status = api.memAlloc(abi::kRecordBytes, made); !status) {
      api.streamDestroy(own);
      return status;
    }
    Status status = api.memsetD8(made, 0, abi::kRecordBytes, stream);
    if (status)
      status = api.streamSynchronize(stream);
    if (!status) {
      api.memFree(made);
      api.streamDestroy(own);
      return status;
    }
    record = made;
    reads = own;
  }
  uint64_t value[2] = {record, 0};
  Status status = api.copyHtoD(slot, value, sizeof value, stream);
  if (status)
    status = api.streamSynchronize(stream);
  if (!status)
    return status;
  attached = true;
  return Status::ok();
}

bool FaultRecord::stop(Status why) {
  if (!record)
    return false;
  if (fault.isOk())
    fault = std::move(why);
  // On the record's own stream, so it lands while the kernels run.
  api.copyHtoD(record + abi::kKindOffset, &stopWord, sizeof stopWord, reads);
  return true;
}

Status FaultRecord::check(const std::function<bool()> &allIdle) {
  if (!fault.isOk() || !pending || !record)
    return fault;
  // Asked before the read: a stream idle now has nothing left that could
  // write the record after it.
  bool idle = allIdle();
  uint8_t head[8];
  if (!api.copyDtoH(head, record, sizeof head, reads) ||
      !api.streamSynchronize(reads))
    return Status::ok(); // the driver's own error shows on the next call
  if (word(head, abi::kKindOffset) == abi::kNone) {
    if (idle)
      pending = false;
    return Status::ok();
  }
  if (word(head, abi::kCompleteOffset) == 0)
    return Status::ok(); // still being written: the next check reports it
  std::vector<uint8_t> bytes(abi::kRecordBytes);
  if (!api.copyDtoH(bytes.data(), record, bytes.size(), reads) ||
      !api.streamSynchronize(reads))
    return Status::ok();
  fault = decodeFaultRecord(bytes);
  return fault;
}

} // namespace wooly::exec::gpu
