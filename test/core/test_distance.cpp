// The nearest-centroid rule for rows far outside a model (issue 11, item 10): squared
// distances that overflow (1e200) or absorb the centroids (1e150) still pick the centroid an
// exact computation picks, and the distance stays finite.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "distance.hpp"

namespace {

// Three centroids in 2-D; along feature 0 centroid 2 is furthest out, centroid 1 least.
const double kCentroids[] = {0.5, 0.0, -1.0, 2.0, 3.0, -1.0};

TEST(Distance, OverflowingRowGetsTheFurthestCentroidAlongItsAxis) {
    for (double big : {1e200, 1e300, 1.7e308}) {
        const double far_right[] = {big, 0.0}, far_left[] = {-big, 0.0};
        double sq = 0.0;
        EXPECT_EQ(cseg::nearest_centroid(far_right, kCentroids, 3, 2, &sq), 2) << big;
        EXPECT_EQ(cseg::nearest_centroid(far_left, kCentroids, 3, 2, nullptr), 1) << big;
        // The distance itself is finite and right to rounding.
        const double d = cseg::distance_from_squared(sq, far_right, kCentroids, 2, 2);
        EXPECT_TRUE(std::isfinite(d));
        EXPECT_NEAR(d / (big - 3.0), 1.0, 1e-15);
    }
}

TEST(Distance, AbsorbedCentroidsAreToldApart) {
    // (1e150 - c)^2 rounds to the same double for every c: the plain rule would say 0.
    const double x[] = {1e150, 1.0}, y[] = {1.0, 1e150};
    EXPECT_EQ(cseg::nearest_centroid(x, kCentroids, 3, 2, nullptr), 2);
    EXPECT_EQ(cseg::nearest_centroid(y, kCentroids, 3, 2, nullptr), 1);
}

TEST(Distance, CentroidsTiedOnTheFarFeatureAreToldApartByTheOthers) {
    // Centroids 0 and 2 share feature 0 (3.0, the furthest out): a row at 1e200 along it is
    // nearest to the one of them closer on feature 1. Summed whole, 2 x.c absorbs c_1 even in
    // long double and the lower index won; compared pairwise, feature 0 adds exactly 0.
    const double tied[] = {3.0, -5.0, 0.0, 0.0, 3.0, 4.0};
    for (double big : {1e200, 1e154, 1e40}) {
        const double up[] = {big, 3.0}, down[] = {big, -4.0};
        EXPECT_EQ(cseg::nearest_centroid(up, tied, 3, 2, nullptr), 2) << big;
        EXPECT_EQ(cseg::nearest_centroid(down, tied, 3, 2, nullptr), 0) << big;
        EXPECT_EQ(cseg::nearest_centroid_wide(up, tied, 3, 2), 2) << big;
        // Mismatch costs (k-prototypes) still count: 10 on centroid 2 tips the row to 0.
        const double extra[] = {0.0, 0.0, 1e3};
        EXPECT_EQ(cseg::nearest_centroid_wide(up, tied, 3, 2, extra), 0) << big;
    }
}

TEST(Distance, OrdinaryRowsKeepThePlainRule) {
    // Rows near the centroids get the plain rule's answer; exact ties the lowest index.
    const double tie[] = {1.75, 0.0};
    double sq = 0.0;
    const int32_t c = cseg::nearest_centroid(tie, kCentroids, 3, 2, &sq);
    double best = std::numeric_limits<double>::infinity();
    int32_t want = 0;
    for (int32_t i = 0; i < 3; ++i) {
        const double d = cseg::squared_distance(tie, kCentroids + 2 * i, 2);
        if (d < best) best = d, want = i;
    }
    EXPECT_EQ(c, want);
    EXPECT_EQ(sq, best);
    const double same[] = {0.0, 1.0};
    const double twins[] = {1.0, 1.0, -1.0, 1.0};  // exactly equidistant from both
    EXPECT_EQ(cseg::nearest_centroid(same, twins, 2, 2, nullptr), 0);
    EXPECT_FALSE(cseg::needs_wide_comparison(same, 2, 1.0, 1.0));
}

TEST(Distance, EuclideanDistanceDoesNotOverflowInTheSquares) {
    const double a[] = {1e200, -1e200}, b[] = {0.0, 0.0};
    EXPECT_NEAR(cseg::euclidean_distance(a, b, 2) / (std::sqrt(2.0) * 1e200), 1.0, 1e-15);
    const double c[] = {1.7e308, 0.0}, d[] = {-1.7e308, 0.0};
    EXPECT_TRUE(std::isinf(cseg::euclidean_distance(c, d, 2)));  // 3.4e308 is beyond double
}

}  // namespace
