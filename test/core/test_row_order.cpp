// Canonical row order: sorted, a permutation of the input, labels carried along.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "row_order.hpp"

TEST(RowOrder, SortsLexicographicallyAndCarriesLabels) {
    std::vector<double> data = {3, 1, 1, 9, 3, 0, -0.0, 5, 0.0, 4, 1, 2};
    std::vector<int32_t> labels = {30, 19, 31, 100, 101, 12};
    cseg::sort_rows(data.data(), labels.data(), 6, 2);
    const std::vector<double> want = {-0.0, 5, 0.0, 4, 1, 2, 1, 9, 3, 0, 3, 1};
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(data[i], want[i]) << i;
    EXPECT_TRUE(std::signbit(data[0]));
    EXPECT_EQ(labels, (std::vector<int32_t>{100, 101, 12, 19, 31, 30}));
}

TEST(RowOrder, AnyInputOrderGivesTheSameResult) {
    std::vector<double> base;
    for (int i = 0; i < 500; ++i) {
        base.push_back((i * 37) % 11);
        base.push_back((i * 101) % 7 - 3.5);
        base.push_back(i % 3 == 0 ? std::numeric_limits<double>::quiet_NaN() : i * 0.25);
    }
    std::vector<double> a = base, b;
    for (int i = 499; i >= 0; --i) b.insert(b.end(), base.begin() + i * 3, base.begin() + i * 3 + 3);
    cseg::sort_rows(a.data(), nullptr, 500, 3);
    cseg::sort_rows(b.data(), nullptr, 500, 3);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(double)));
    for (int i = 1; i < 500; ++i) EXPECT_LE(a[(i - 1) * 3], a[i * 3]);
}

TEST(RowOrder, CancelsBetweenPhases) {
    std::vector<double> data(3000, 1.0);
    const cseg::Interrupt always([] { return true; });
    EXPECT_THROW(cseg::sort_rows(data.data(), nullptr, 1000, 3, always), cseg::Cancelled);
}
