// Cluster numbering: size descending, then centre, then modes, then the run's index.
#include <gtest/gtest.h>

#include <vector>

#include "cluster_order.hpp"

TEST(ClusterOrder, LargestFirstThenCentreThenModesThenIndex) {
    // Five clusters of 2 features: sizes 3, 5, 3, 3, 3.
    const std::vector<int64_t> size = {3, 5, 3, 3, 3};
    const std::vector<double> centres = {
        1.0,  2.0,   // 0
        9.0,  9.0,   // 1: the largest
        1.0,  1.5,   // 2: same first coordinate as 0, smaller second
        1.0,  2.0,   // 3: same centre as 0
        -4.0, 0.0};  // 4: smallest centre
    EXPECT_EQ(cseg::cluster_order(size, centres.data(), 2), (std::vector<int32_t>{1, 4, 2, 0, 3}));
    // Modes break the tie between 0 and 3 before the index does.
    const std::vector<int32_t> modes = {2, 0, 0, 1, 0};  // one categorical attribute
    EXPECT_EQ(cseg::cluster_order(size, centres.data(), 2, modes.data(), 1),
              (std::vector<int32_t>{1, 4, 2, 3, 0}));
    EXPECT_TRUE(cseg::cluster_order({}, nullptr, 2).empty());
}
