// Kneedle (Satopää et al. 2011) against the known answers of the kneed package's own test
// suite (github.com/arvkevi/kneed, tests/test_sample.py and kneed/data_generator.py:
// KneeLocator with interp1d, online=False), which kneedle.cpp follows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "errors.hpp"
#include "kneedle.hpp"

namespace cseg {
namespace {

// find_knee on vectors.
int64_t knee(const std::vector<double>& x, const std::vector<double>& y, KneeCurve c,
             KneeDirection d, double s = 1.0) {
    EXPECT_EQ(x.size(), y.size());
    return find_knee(x.data(), y.data(), static_cast<int64_t>(x.size()), c, d, s);
}

// 0, 1, ..., n-1 (numpy.arange(n)), scaled by `step`.
std::vector<double> arange(int n, double step = 1.0) {
    std::vector<double> x;
    for (int i = 0; i < n; ++i) x.push_back(i * step);
    return x;
}

// The first n values of v, divided by `by` (kneed's truncated cases: x[:-3] / 10).
std::vector<double> head(const std::vector<double>& v, size_t n, double by) {
    std::vector<double> out(v.begin(), v.begin() + static_cast<long>(n));
    for (double& e : out) e /= by;
    return out;
}

constexpr KneeCurve kConvex = KneeCurve::Convex;
constexpr KneeCurve kConcave = KneeCurve::Concave;
constexpr KneeDirection kInc = KneeDirection::Increasing;
constexpr KneeDirection kDec = KneeDirection::Decreasing;

const std::vector<double> kConvexDec = {100, 40, 20, 15, 10, 5, 4, 3, 2, 1};
const std::vector<double> kConvexInc = {1, 2, 3, 4, 5, 10, 15, 20, 40, 100};
const std::vector<double> kConcaveDec = {99, 98, 97, 96, 95, 90, 85, 80, 60, 0};
const std::vector<double> kConcaveInc = {0, 60, 80, 85, 90, 95, 96, 97, 98, 99};

TEST(Kneedle, Figure2OfThePaper) {
    // x = linspace(0, 1, 10), y = 5 - 1 / (x + 0.1): knee at x = 0.222 (kneed README).
    std::vector<double> x, y;
    for (int i = 0; i < 10; ++i) {
        x.push_back(i / 9.0);
        y.push_back(5.0 - 1.0 / (x.back() + 0.1));
    }
    EXPECT_EQ(knee(x, y, kConcave, kInc), 2);
}

TEST(Kneedle, TheFourShapes) {
    const std::vector<double> x = arange(10);
    EXPECT_EQ(knee(x, kConvexDec, kConvex, kDec), 2);
    EXPECT_EQ(knee(x, kConvexInc, kConvex, kInc), 7);
    EXPECT_EQ(knee(x, kConcaveDec, kConcave, kDec), 7);
    EXPECT_EQ(knee(x, kConcaveInc, kConcave, kInc), 2);
}

TEST(Kneedle, TruncatedShapes) {
    const std::vector<double> x = head(arange(10), 7, 10.0);
    EXPECT_EQ(x[size_t(knee(x, head(kConcaveInc, 7, 10), kConcave, kInc))], 0.2);
    EXPECT_EQ(x[size_t(knee(x, head(kConcaveDec, 7, 10), kConcave, kDec))], 0.4);
    EXPECT_EQ(x[size_t(knee(x, head(kConvexInc, 7, 10), kConvex, kInc))], 0.4);
    EXPECT_EQ(x[size_t(knee(x, head(kConvexDec, 7, 10), kConvex, kDec))], 0.2);
}

TEST(Kneedle, BumpyConvexDecreasing) {
    const std::vector<double> y = {
        7305.0, 6979.0, 6666.6, 6463.2, 6326.5, 6048.8, 6032.8, 5762.0, 5742.8, 5398.2,
        5256.8, 5227.0, 5001.7, 4942.0, 4854.2, 4734.6, 4558.7, 4491.1, 4411.6, 4333.0,
        4234.6, 4139.1, 4056.8, 4022.5, 3868.0, 3808.3, 3745.3, 3692.3, 3645.6, 3618.3,
        3574.3, 3504.3, 3452.4, 3401.2, 3382.4, 3340.7, 3301.1, 3247.6, 3190.3, 3180.0,
        3154.2, 3089.5, 3045.6, 2989.0, 2993.6, 2941.3, 2875.6, 2866.3, 2834.1, 2785.1,
        2759.7, 2763.2, 2720.1, 2660.1, 2690.2, 2635.7, 2632.9, 2574.6, 2556.0, 2545.7,
        2513.4, 2491.6, 2496.0, 2466.5, 2442.7, 2420.5, 2381.5, 2388.1, 2340.6, 2335.0,
        2318.9, 2319.0, 2308.2, 2262.2, 2235.8, 2259.3, 2221.0, 2202.7, 2184.3, 2170.1,
        2160.0, 2127.7, 2134.7, 2102.0, 2101.4, 2066.4, 2074.3, 2063.7, 2048.1, 2031.9};
    EXPECT_EQ(knee(arange(90), y, kConvex, kDec), 26);
}

TEST(Kneedle, SensitivityPicksAmongFlatMaxima) {
    const std::vector<double> y = {1,
                                   0.787701317715959,
                                   0.7437774524158126,
                                   0.6559297218155198,
                                   0.5065885797950219,
                                   0.36749633967789164,
                                   0.2547584187408492,
                                   0.16251830161054173,
                                   0.10395314787701318,
                                   0.06734992679355783,
                                   0.043923865300146414,
                                   0.027818448023426062,
                                   0.01903367496339678,
                                   0.013177159590043924,
                                   0.010248901903367497,
                                   0.007320644216691069,
                                   0.005856515373352855,
                                   0.004392386530014641};
    const std::vector<double> x = arange(18);
    EXPECT_EQ(knee(x, y, kConvex, kDec, 0.0), 1);  // S = 0: the first local maximum
    EXPECT_EQ(knee(x, y, kConvex, kDec, 1.0), 8);  // S = 1: the global one
}

TEST(Kneedle, NoKnee) {
    // Nearly straight: kneed finds no knee either.
    EXPECT_EQ(knee({1, 2, 3}, {0.90483742, 0.81873075, 0.74081822}, kConvex, kDec), -1);
    EXPECT_EQ(knee(arange(10), std::vector<double>(10, 1.0), kConcave, kInc), -1);  // constant
    EXPECT_EQ(knee({1, 2}, {10, 1}, kConvex, kDec), -1);                            // two points
    EXPECT_EQ(knee({1}, {10}, kConvex, kDec), -1);
    EXPECT_EQ(knee({}, {}, kConvex, kDec), -1);
    EXPECT_EQ(knee(arange(10), arange(10, -1.0), kConvex, kDec), -1);  // a straight line
}

TEST(Kneedle, RejectsBadInput) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(knee({1, 1, 2}, {3, 2, 1}, kConvex, kDec), Error);
    EXPECT_THROW(knee({2, 1, 3}, {3, 2, 1}, kConvex, kDec), Error);
    EXPECT_THROW(knee({1, 2, 3}, {3, nan, 1}, kConvex, kDec), Error);
    EXPECT_THROW(knee({1, 2, 3}, {3, 2, 1}, kConvex, kDec, -1.0), Error);
    EXPECT_THROW(knee({1, 2, 3}, {3, 2, 1}, kConvex, kDec, nan), Error);
}

}  // namespace
}  // namespace cseg
