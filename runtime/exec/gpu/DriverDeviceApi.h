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

  const Driver &d;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_DRIVERDEVICEAPI_H
