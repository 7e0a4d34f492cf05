//===- Runtime.h - What the CUDA shims share: modules, memory, streams ----===//
//
// The process-wide client state behind libcudart.so.13 and libcuda.so.1: the
// connection, registered fatbins and their kernels and variables, a mirror
// of the session's allocations (so bad pointers fail at the call, as in
// CUDA, before anything is sent), streams and events. Operations return a
// Result with the server's code and message; the shims map them onto
// cudaError_t / CUresult and keep CUDA's last-error and sticky-error rules.
//
// Modules load lazily: a fatbin is registered before main() runs, but its
// PTX is translated and sent only when one of its kernels or variables is
// first used.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_RUNTIME_H
#define WOOLY_RUNTIME_CLIENT_CORE_RUNTIME_H

#include "runtime/client/core/Connection.h"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wooly::client {

struct Result {
  proto::WireCode code = proto::WireCode::Success;
  std::string message;
  bool ok() const { return code == proto::WireCode::Success; }
  static Result error(proto::WireCode c, std::string m) {
    return {c, std::move(m)};
  }
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

struct ModuleRecord;

struct KernelRecord {
  ModuleRecord *module = nullptr;
  std::string name;
  const void *hostStub = nullptr;
  bool resolved = false;
  uint64_t function = 0;
  proto::KernelDescription desc;
};

struct VarRecord {
  ModuleRecord *module = nullptr;
  std::string name;
  const void *hostVar = nullptr;
  uint64_t size = 0;
  uint64_t devicePtr = 0; // once resolved
  /// A `__managed__` variable: nvcc's host code reads the variable through
  /// this pointer (`static T *x` in section __nv_managed_data__), which
  /// initModule points at the variable's host view.
  void **managedHostPtr = nullptr;
  bool managedAttached = false;
};

/// A fatbin registered by the program, or a PTX image the driver API loaded.
struct ModuleRecord {
  const void *fatbinWrapper = nullptr; // runtime API registration
  std::string ptx;                     // driver API: PTX given directly
  bool loaded = false;
  Result loadResult;
  uint64_t module = 0;
  std::vector<KernelRecord *> kernels;
  std::vector<VarRecord *> vars;
  bool managedInitialized = false; // initModule ran (managed variables)
};

struct StreamRecord {
  uint64_t id = 0;
};
struct EventRecord {
  uint64_t id = 0;
  bool timing = true; // false: created with cudaEventDisableTiming
};

class Runtime {
public:
  /// The process's runtime. Connects on first use.
  static Runtime &get();
  /// The connection, opening it if needed; failure is sticky for the process.
  Result connection(Connection *&out);
  const proto::DeviceDescription *device();

  // Registration (before main).
  ModuleRecord *registerFatbin(const void *wrapper);
  void unregisterFatbin(ModuleRecord *module);
  void registerFunction(ModuleRecord *module, const void *hostStub,
                        const char *deviceName);
  void registerVar(ModuleRecord *module, const void *hostVar,
                   const char *deviceName, uint64_t size);
  /// A `__managed__` variable (__cudaRegisterManagedVar).
  void registerManagedVar(ModuleRecord *module, void **hostVarPtrAddress,
                          const char *deviceName, uint64_t size);
  /// __cudaInitModule: nvcc's host code calls it before its first access to
  /// one of the module's `__managed__` variables. Loads the module and gives
  /// every managed variable a host view (Managed.cpp).
  Result initModule(ModuleRecord *module);
  KernelRecord *kernelForStub(const void *stub);
  VarRecord *varForHostAddress(const void *hostVar);

  // Driver API: a module from PTX text, its functions and globals.
  Result loadPtxModule(const std::string &ptx, ModuleRecord *&out);
  Result unloadModule(ModuleRecord *module);
  Result getFunction(ModuleRecord *module, const std::string &name,
                     KernelRecord *&out);
  Result getGlobal(ModuleRecord *module, const std::string &name,
                   uint64_t &ptr, uint64_t &size);

  Result resolveKernel(KernelRecord *kernel);
  Result resolveVar(VarRecord *var);

  // Launch: `args[i]` points at parameter i's value.
  Result launch(KernelRecord *kernel, Dim3 grid, Dim3 block, void **args,
                uint32_t sharedBytes, uint64_t stream);
  /// Driver-API form: arguments already packed into one buffer.
  Result launchPacked(KernelRecord *kernel, Dim3 grid, Dim3 block,
                      const void *packed, size_t bytes, uint32_t sharedBytes,
                      uint64_t stream);

  // Memory.
  Result malloc(uint64_t bytes, uint64_t &ptr);
  Result free(uint64_t ptr);
  Result memGetInfo(uint64_t &free, uint64_t &total);
  bool isDevicePointer(uint64_t ptr, uint64_t bytes = 1) const;
  bool findAllocation(uint64_t ptr, uint64_t &base, uint64_t &size) const;
  Result copyToDevice(uint64_t dst, const void *src, uint64_t bytes,
                      uint64_t stream);
  Result copyToHost(void *dst, uint64_t src, uint64_t bytes, uint64_t stream);
  Result copyOnDevice(uint64_t dst, uint64_t src, uint64_t bytes,
                      uint64_t stream);
  Result memset(uint64_t dst, uint8_t value, uint64_t bytes, uint64_t stream);

  // Managed memory (cudaMallocManaged), emulated by copies at sync points;
  // docs/managed-memory.md says how. The pointer a program sees is the
  // device address; over a remote server the same address in this process
  // is a host shadow mapped there (MAP_FIXED_NOREPLACE), embedded it is the
  // in-process arena itself and nothing is copied.
  Result mallocManaged(uint64_t bytes, uint64_t &ptr);
  bool isManaged(uint64_t ptr, uint64_t bytes = 1) const;
  /// Where the host reads and writes managed device address `ptr` (the
  /// address itself, except for a managed variable whose range was taken).
  void *managedHostView(uint64_t ptr) const;
  /// Host shadows the host may have written since the last pull go to the
  /// device on `stream` (before a launch or another device-side operation).
  Result pushManaged(uint64_t stream);
  /// Device-owned shadows come back to the host (after a synchronizing
  /// call), so the host may read and write them until the next push.
  Result pullManaged();
  /// A copy with managed memory on one side or both (any kind; the
  /// pointers say where the bytes are): synchronize, which pulls managed
  /// memory back, then the managed side is host memory. Synchronous, which
  /// CUDA allows for the async forms too. Shared by both shims.
  Result copyWithManaged(void *dst, const void *src, uint64_t bytes,
                         uint64_t stream);
  /// A set of managed memory: synchronize, then memset the host view.
  Result memsetManaged(uint64_t dst, uint8_t value, uint64_t bytes);
  /// How many bytes pushes and pulls have copied (tests, --verbose).
  uint64_t managedBytesCopied() const { return managedBytesCopied_; }

  // Streams, events, synchronization.
  Result createStream(int priority, uint64_t &id);
  Result destroyStream(uint64_t id);
  Result synchronizeStream(uint64_t id);
  Result queryStream(uint64_t id);
  Result streamWaitEvent(uint64_t stream, uint64_t event);
  Result createEvent(uint64_t &id);
  Result destroyEvent(uint64_t id);
  Result recordEvent(uint64_t event, uint64_t stream);
  Result synchronizeEvent(uint64_t id);
  Result queryEvent(uint64_t id);
  Result elapsedTime(uint64_t start, uint64_t end, float &ms);
  Result synchronizeDevice();
  Result setShare(uint32_t weight, uint32_t priorityClass);
  /// Asks the server for at least `bytes` of stack per device thread;
  /// `granted` is what kernels get. A server too old to set it keeps its
  /// own, and `granted` is then `bytes` (what that server always did).
  Result setStackSize(uint64_t bytes, uint64_t &granted);

  /// Closes the session (at exit, before static destructors run).
  void shutdown();
  bool verbose() const { return verbose_; }
  /// One line on stderr, once per distinct text (unsupported calls).
  void warnOnce(const std::string &text);

private:
  Runtime();
  Result ensureLoaded(ModuleRecord *module);
  Result fromReply(const ClientReply &reply, const char *what);
  void printDeviceOutput(const ClientReply &reply);
  Result chunkedCopyToHost(void *dst, uint64_t src, uint64_t bytes,
                           uint64_t stream);

  mutable std::recursive_mutex mutex_;
  std::unique_ptr<Connection> connection_;
  Result connectResult_;
  bool connectTried_ = false;
  bool shutDown_ = false;
  bool verbose_ = false;
  std::vector<ModuleRecord *> modules_;
  std::map<const void *, KernelRecord *> kernelsByStub_;
  std::map<const void *, VarRecord *> varsByHost_;
  std::map<uint64_t, uint64_t> allocations_; // base -> size (mirror)
  std::map<uint64_t, uint64_t> globals_;     // module variables we resolved
  std::vector<std::string> warned_;

  Result attachManagedVar(VarRecord *var);
  /// Maps the pages of [base, base + bytes) that no other shadow holds yet,
  /// at exactly that address; pages shared with another shadow (two small
  /// allocations or variables in one page) are counted, not mapped twice.
  bool mapShadow(uint64_t base, uint64_t bytes, std::string &why);
  void unmapShadow(uint64_t base, uint64_t bytes);

  struct ManagedRecord {
    uint64_t bytes = 0;
    /// Where the host view is: the device address itself, or (a managed
    /// variable whose address range is taken in this process) a heap copy.
    uint64_t host = 0;
    bool shadow = false;     // remote: host bytes are copied at sync points
    bool shadowPages = false; // the host view is mapped by mapShadow
    bool deviceOwns = false; // pushed, not yet pulled back
  };
  std::map<uint64_t, ManagedRecord> managed_; // base -> record (under mutex_)
  std::map<uint64_t, uint32_t> shadowPages_;  // page -> shadows using it
  std::mutex managedMoveMutex_;               // one push or pull at a time
  uint64_t managedBytesCopied_ = 0;
  // Shadowed (remote) managed allocations: launches and syncs of programs
  // without any skip the table and its locks.
  std::atomic<uint64_t> shadowCount_{0};
};

/// Chunk size for large copies: big enough to amortize a round trip, small
/// enough to pipeline.
constexpr uint64_t kCopyChunk = 8ull << 20;

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_RUNTIME_H
