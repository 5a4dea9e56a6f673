// decimal_to_double_fast against strtod of the same decimal written out.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "decimal_double.hpp"

namespace {

// The decimal n × 10^e written out in full ("123" followed or preceded by zeros).
std::string decimal_text(uint64_t n, int32_t e) {
    std::string digits = std::to_string(n);
    if (e >= 0) return digits + std::string(size_t(e), '0');
    const size_t scale = size_t(-e);
    if (digits.size() <= scale) digits = std::string(scale - digits.size() + 1, '0') + digits;
    return digits.substr(0, digits.size() - scale) + "." + digits.substr(digits.size() - scale);
}

// The same bits as strtod of the written-out decimal (the two are compared as bit patterns).
void expect_strtod_bits(uint64_t n, int32_t e) {
    double fast = -1.0;
    ASSERT_TRUE(cseg::decimal_to_double_fast(n, e, &fast)) << n << "e" << e;
    const std::string text = decimal_text(n, e);
    const double slow = std::strtod(text.c_str(), nullptr);
    EXPECT_EQ(std::memcmp(&fast, &slow, sizeof fast), 0) << text << ": " << fast << " vs " << slow;
}

}  // namespace

TEST(DecimalToDouble, SameBitsAsStrtod) {
    for (int32_t e = -22; e <= 22; ++e)
        for (uint64_t n : {uint64_t(0), uint64_t(1), uint64_t(3), uint64_t(7), uint64_t(12345),
                           uint64_t(99999999), uint64_t(1) << 52, (uint64_t(1) << 53) - 1,
                           uint64_t(1) << 53, uint64_t(9007199254740991), uint64_t(4503599627370497)})
            expect_strtod_bits(n, e);
    // Random n of every length and e: the money columns' shapes (n up to 16 digits, scale 0-22).
    uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < 200000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const uint64_t n = (state >> 11) >> (state % 53);
        const int32_t e = int32_t((state >> 3) % 45) - 22;
        expect_strtod_bits(n, e);
    }
}

TEST(DecimalToDouble, OutsideTheFastPathIsLeftToTheCaller) {
    double out = 42.0;
    EXPECT_FALSE(cseg::decimal_to_double_fast((uint64_t(1) << 53) + 1, 0, &out));
    EXPECT_FALSE(cseg::decimal_to_double_fast(1, 23, &out));
    EXPECT_FALSE(cseg::decimal_to_double_fast(1, -23, &out));
    EXPECT_EQ(out, 42.0);
}
