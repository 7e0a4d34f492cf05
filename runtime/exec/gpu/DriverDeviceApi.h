//===- DriverDeviceApi.h - A DeviceApi over a table of driver calls -*- C++
//-*-===//
//
// The CUDA and HIP device APIs are the same shape: make the device current
// on the calling thread, make one driver call, report its result by name,
// sometimes hand back what the call produced. This base holds that shape
// once; the vendor classes only say which call.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_DRIVERDEVICEAPI_H
#define WOOLY_RUNTIME_EXEC_GPU_DRIVERDEVICEAPI_H

#include "runtime/exec/gpu/DeviceApi.h"

#include <mutex>
#include <type_traits>

namespace wooly::exec::gpu {

/// `Driver` has `Status check(result, what)`.
template <typename Driver> class DriverDeviceApi : public DeviceApi {
public:
  /// Makes this device current on the calling thread (CUDA: the context;
  /// HIP: the device ordinal).
  virtual Status current() = 0;

protected:
  explicit DriverDeviceApi(const Driver &d) : d(d) {}

  /// Makes the device current, then runs one driver call and reports its
  /// result as `what`.
  template <typename Call> Status call(const std::string &what, Call &&run) {
    if (Status s = current(); !s)
      return s;
    return d.check(run(), what);
  }

  /// As call(), for a call that produces a `Value` through the pointer it
  /// is given; `out` is set from it only on success.
  template <typename Value, typename Out, typename Call>
  Status produce(const std::string &what, Out &out, Call &&run) {
    Value value{};
    if (Status s = call(what, [&] { return run(&value); }); !s)
      return s;
    if constexpr (std::is_pointer_v<Value> == std::is_pointer_v<Out>)
      out = value;
    else
      out = reinterpret_cast<Out>(value);
    return Status::ok();
  }

  /// raiseStackSize for a driver: `get(size_t *)` reads the stack limit
  /// and `set(size_t)` sets it (each returning the driver's result, named
  /// `getName`/`setName` in errors); the size is only ever raised.
  template <typename Get, typename Set>
  Status raiseLimit(const char *getName, Get &&get, const char *setName,
                    Set &&set, uint64_t bytes, uint64_t &now) {
    // One session's query and raise must not interleave with another's.
    std::lock_guard<std::mutex> lock(limitMutex);
    size_t size = 0;
    auto query = [&] { return get(&size); };
    if (Status s = call(getName, query); !s)
      return s;
    if (size < bytes) {
      if (Status s = call(setName, [&] { return set(size_t(bytes)); }); !s)
        return s;
      if (Status s = call(getName, query); !s)
        return s;
    }
    now = size;
    return Status::ok();
  }

  const Driver &d;
  std::mutex limitMutex;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_DRIVERDEVICEAPI_H
