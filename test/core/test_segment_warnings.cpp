// segment_warning: the warning column of seg_sweep rows.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "segment_warnings.hpp"

namespace {

// The warning for these sizes and silhouette.
std::string warning(const std::vector<int64_t>& sizes, double silhouette) {
    return cseg::segment_warning(sizes.data(), int32_t(sizes.size()), silhouette);
}

TEST(SegmentWarning, NothingForAGoodSegmentation) {
    EXPECT_EQ(warning({60, 40}, 0.6), "");
    EXPECT_EQ(warning({200}, std::nan("")), "");
}

TEST(SegmentWarning, SmallClustersAndWeakStructure) {
    EXPECT_EQ(warning({995, 5}, 0.3), "cluster 1 holds 0.50 % of the rows (5 of 1000)");
    EXPECT_EQ(warning({60, 40}, 0.2), "weak structure: silhouette 0.200 < 0.25");
}

TEST(SegmentWarning, EveryRowItsOwnCluster) {
    // k = n: the silhouette is undefined (NaN) and no cluster is under 1 % of 6 rows.
    EXPECT_EQ(warning({1, 1, 1, 1, 1, 1}, std::nan("")),
              "every row is a cluster of its own (k = 6 over 6 rows)");
    // Two distinct rows, k = 3: one empty cluster, the others single rows.
    EXPECT_EQ(warning({1, 1, 0}, std::nan("")),
              "cluster 2 holds 0.00 % of the rows (0 of 2); "
              "every row is a cluster of its own (k = 3 over 2 rows)");
    EXPECT_EQ(warning({2, 1}, std::nan("")), "");
}

}  // namespace
