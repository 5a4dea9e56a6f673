// OrderStatistics (feature_stats.hpp) against a whole sort, on columns large enough to use
// the sample brackets: uniform, heavy-tailed, few distinct values, sorted, reversed, and a
// column whose stride sample sees only one value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "errors.hpp"
#include "feature_stats.hpp"

namespace {

// The ranks the feature pipeline asks for: the minimum and the deciles' neighbours.
std::vector<int64_t> decile_ranks(int64_t n) {
    std::vector<int64_t> ranks{0};
    for (int b = 1; b <= 9; ++b) {
        const double pos = b / 10.0 * double(n - 1);
        ranks.push_back(int64_t(std::floor(pos)));
        ranks.push_back(std::min<int64_t>(int64_t(std::floor(pos)) + 1, n - 1));
    }
    ranks.push_back(n / 2);
    ranks.push_back(n - 1);
    return ranks;
}

// Every asked-for rank and count_at_most at each of them equal a whole sort's.
void expect_exact(const std::vector<double>& values) {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<int64_t> ranks = decile_ranks(int64_t(values.size()));
    const cseg::OrderStatistics os(values, ranks, false, cseg::Interrupt());
    ASSERT_EQ(os.size(), int64_t(values.size()));
    for (const int64_t r : ranks) {
        EXPECT_EQ(os.at(r), sorted[size_t(r)]) << "rank " << r;
        const double c = sorted[size_t(r)];
        EXPECT_EQ(os.count_at_most(c),
                  int64_t(std::upper_bound(sorted.begin(), sorted.end(), c) - sorted.begin()))
            << "count at " << c;
        const double mid = r + 1 < int64_t(sorted.size())
                               ? sorted[size_t(r)] + (sorted[size_t(r + 1)] - sorted[size_t(r)]) / 2
                               : c;
        EXPECT_EQ(os.count_at_most(mid),
                  int64_t(std::upper_bound(sorted.begin(), sorted.end(), mid) - sorted.begin()));
    }
    // Outside every bracket: counted.
    EXPECT_EQ(os.count_at_most(-1e300), 0);
    EXPECT_EQ(os.count_at_most(1e300), int64_t(values.size()));
}

TEST(OrderStatistics, EqualsAWholeSortOnManyShapes) {
    const size_t n = size_t(cseg::OrderStatistics::kSortRows) * 2 + 12345;
    std::mt19937_64 rng(7);
    std::vector<double> v(n);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (double& x : v) x = u(rng);
    expect_exact(v);  // uniform
    std::lognormal_distribution<double> ln(0.0, 2.5);
    for (double& x : v) x = ln(rng);
    expect_exact(v);  // heavy-tailed
    std::uniform_int_distribution<int> few(0, 4);
    for (double& x : v) x = few(rng);
    expect_exact(v);  // five distinct values: every bracket is one tie
    for (size_t i = 0; i < n; ++i) v[i] = double(i);
    expect_exact(v);  // sorted
    std::reverse(v.begin(), v.end());
    expect_exact(v);  // reversed
    const size_t stride = n / 65536;
    for (size_t i = 0; i < n; ++i) v[i] = i % stride == 0 ? -1.0 : u(rng);
    expect_exact(v);  // the sample sees only -1
}

TEST(OrderStatistics, SmallColumnsAreSortedWhole) {
    std::vector<double> v{5, 1, 4, 2, 3};
    const cseg::OrderStatistics os(v, {0, 2}, false, cseg::Interrupt());
    ASSERT_TRUE(os.sorted());
    EXPECT_EQ(os.at(0), 1.0);
    EXPECT_EQ(os.at(4), 5.0);
    EXPECT_EQ(os.count_at_most(3.5), 3);
}

}  // namespace

TEST(CheckScaledRange, NamesTheFeatureWhenTheModelHasNames) {
    std::vector<double> x = {0.5, 1.0, 2.0, 3e200};  // 2 rows x 2 features, row-major
    const cseg::ConstRowMap X(x.data(), 2, 2);
    try {
        cseg::check_scaled_range(X, 10, {"age", "income"});
        FAIL() << "no error";
    } catch (const cseg::Error& e) {
        EXPECT_STREQ(e.what(), "feature \"income\" of row 12 is too large after scaling");
    }
    try {
        cseg::check_scaled_range(X, 0);
        FAIL() << "no error";
    } catch (const cseg::Error& e) {
        EXPECT_STREQ(e.what(), "feature 2 of row 2 is too large after scaling");
    }
}
