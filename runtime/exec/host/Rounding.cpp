//===- Rounding.cpp - IEEE operations under a static rounding mode --------===//
//
// PTX names a rounding mode per instruction (add.rz, cvt.rm, ...); LLVM IR
// has no portable way to ask for one, so the host backend calls these
// helpers, which switch the FPU's rounding mode around a single operation.
// Compiled with -frounding-math so the compiler neither folds nor moves the
// arithmetic across fesetround. `rna` (nearest, ties away) has no FPU mode;
// it uses nearest-even, which differs only on exact ties.
//
//===----------------------------------------------------------------------===//

#include <cfenv>
#include <cmath>
#include <cstdint>

namespace {

int fpuMode(int rounding) {
  switch (rounding) {
  case 1:
    return FE_TOWARDZERO;
  case 2:
    return FE_DOWNWARD;
  case 3:
    return FE_UPWARD;
  default:
    return FE_TONEAREST;
  }
}

template <typename F> auto underMode(int rounding, F f) {
  int old = std::fegetround();
  std::fesetround(fpuMode(rounding));
  volatile auto result = f();
  std::fesetround(old);
  return result;
}

} // namespace

#define BINARY(name, T, expr)                                                  \
  extern "C" T name(int rm, T a, T b) {                                        \
    volatile T x = a, y = b;                                                   \
    return underMode(rm, [&] { return static_cast<T>(expr); });                \
  }

BINARY(__wooly_fpr_add_f32, float, x + y)
BINARY(__wooly_fpr_add_f64, double, x + y)
BINARY(__wooly_fpr_sub_f32, float, x - y)
BINARY(__wooly_fpr_sub_f64, double, x - y)
BINARY(__wooly_fpr_mul_f32, float, x *y)
BINARY(__wooly_fpr_mul_f64, double, x *y)
BINARY(__wooly_fpr_div_f32, float, x / y)
BINARY(__wooly_fpr_div_f64, double, x / y)

extern "C" float __wooly_fpr_fma_f32(int rm, float a, float b, float c) {
  volatile float x = a, y = b, z = c;
  return underMode(rm, [&] { return std::fma(x, y, z); });
}
extern "C" double __wooly_fpr_fma_f64(int rm, double a, double b, double c) {
  volatile double x = a, y = b, z = c;
  return underMode(rm, [&] { return std::fma(x, y, z); });
}
extern "C" float __wooly_fpr_sqrt_f32(int rm, float a) {
  volatile float x = a;
  return underMode(rm, [&] { return std::sqrt(x); });
}
extern "C" double __wooly_fpr_sqrt_f64(int rm, double a) {
  volatile double x = a;
  return underMode(rm, [&] { return std::sqrt(x); });
}
extern "C" float __wooly_fpr_rcp_f32(int rm, float a) {
  volatile float x = a;
  return underMode(rm, [&] { return 1.0f / x; });
}
extern "C" double __wooly_fpr_rcp_f64(int rm, double a) {
  volatile double x = a;
  return underMode(rm, [&] { return 1.0 / x; });
}

#define CONVERT(name, From, To)                                                \
  extern "C" To name(int rm, From a) {                                         \
    volatile From x = a;                                                       \
    return underMode(rm, [&] { return static_cast<To>(x); });                  \
  }

CONVERT(__wooly_fpr_sitofp_i32_f32, int32_t, float)
CONVERT(__wooly_fpr_sitofp_i32_f64, int32_t, double)
CONVERT(__wooly_fpr_sitofp_i64_f32, int64_t, float)
CONVERT(__wooly_fpr_sitofp_i64_f64, int64_t, double)
CONVERT(__wooly_fpr_uitofp_i32_f32, uint32_t, float)
CONVERT(__wooly_fpr_uitofp_i32_f64, uint32_t, double)
CONVERT(__wooly_fpr_uitofp_i64_f32, uint64_t, float)
CONVERT(__wooly_fpr_uitofp_i64_f64, uint64_t, double)
CONVERT(__wooly_fpr_fptrunc_f64_f32, double, float)
