// A decimal n × 10^e as the nearest double, without printing and parsing it, where that is
// exact arithmetic: Clinger's fast path (W. D. Clinger, "How to read floating point numbers
// accurately", PLDI 1990). src/pg/text_feature.cpp reads PostgreSQL numeric feature values
// with it.
#pragma once

#include <cstdint>

namespace cseg {

// The double nearest to n × 10^e (round to nearest even), as strtod gives for the decimal,
// when n <= 2^53 and |e| <= 22: n and 10^e are then exact doubles, and one IEEE
// multiplication or division of two exact operands is correctly rounded. False otherwise
// (*out unchanged): the caller falls back to a full conversion.
inline bool decimal_to_double_fast(uint64_t n, int32_t e, double* out) {
    static constexpr double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (n > (uint64_t(1) << 53) || e < -22 || e > 22) return false;
    const double d = double(n);
    *out = e >= 0 ? d * kPow10[e] : d / kPow10[-e];
    return true;
}

}  // namespace cseg
