// hungarian_assign against hand-solved problems and brute force over every permutation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "hungarian.hpp"
#include "model_test_util.hpp"
#include "rng.hpp"

namespace {

// Sum of the chosen costs; checks the answer is a valid (injective) assignment.
double total_cost(const std::vector<double>& cost, int32_t rows, int32_t cols,
                  const std::vector<int32_t>& col_of_row) {
    EXPECT_EQ(col_of_row.size(), size_t(rows));
    std::vector<char> used(size_t(cols), 0);
    double total = 0.0;
    int32_t assigned = 0;
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t c = col_of_row[size_t(r)];
        if (c < 0) continue;
        EXPECT_LT(c, cols);
        EXPECT_FALSE(used[size_t(c)]) << "column " << c << " used twice";
        used[size_t(c)] = 1;
        total += cost[size_t(r) * size_t(cols) + size_t(c)];
        ++assigned;
    }
    EXPECT_EQ(assigned, std::min(rows, cols));
    return total;
}

// Minimum over every injective assignment of the smaller side (brute force).
double brute_force(const std::vector<double>& cost, int32_t rows, int32_t cols) {
    const bool wide = rows <= cols;
    const int32_t n = wide ? rows : cols, m = wide ? cols : rows;
    std::vector<int32_t> perm(static_cast<size_t>(m));
    std::iota(perm.begin(), perm.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    do {  // the first n entries of each permutation of m pick the partners
        double t = 0.0;
        for (int32_t i = 0; i < n; ++i)
            t += wide ? cost[size_t(i) * size_t(cols) + size_t(perm[size_t(i)])]
                      : cost[size_t(perm[size_t(i)]) * size_t(cols) + size_t(i)];
        best = std::min(best, t);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

TEST(Hungarian, ClassicSquareExample) {
    // Worked by hand: rows take columns 1, 0, 2 for 1 + 2 + 2 = 5 (every other choice costs more).
    const std::vector<double> cost = {4, 1, 3,  //
                                      2, 0, 5,  //
                                      3, 2, 2};
    const auto a = cseg::hungarian_assign(cost.data(), 3, 3);
    EXPECT_EQ(a, (std::vector<int32_t>{1, 0, 2}));
    EXPECT_DOUBLE_EQ(total_cost(cost, 3, 3, a), 5.0);
}

TEST(Hungarian, IdentityIsOptimalForDiagonalZeros) {
    const int32_t n = 6;
    std::vector<double> cost(size_t(n * n), 1.0);
    for (int32_t i = 0; i < n; ++i) cost[size_t(i * n + i)] = 0.0;
    const auto a = cseg::hungarian_assign(cost.data(), n, n);
    for (int32_t i = 0; i < n; ++i) EXPECT_EQ(a[size_t(i)], i);
}

TEST(Hungarian, FindsAPermutationHiddenInTheCosts) {
    const std::vector<int32_t> hidden = {3, 0, 4, 1, 2};
    const int32_t n = 5;
    std::vector<double> cost(size_t(n * n), 10.0);
    for (int32_t i = 0; i < n; ++i) cost[size_t(i * n + hidden[size_t(i)])] = 0.5;
    EXPECT_EQ(cseg::hungarian_assign(cost.data(), n, n), hidden);
}

TEST(Hungarian, WideMatrixUsesTheBestColumns) {
    // 2 rows, 4 columns: row 0 -> column 3, row 1 -> column 1.
    const std::vector<double> cost = {9, 8, 7, 1,  //
                                      5, 0, 6, 2};
    EXPECT_EQ(cseg::hungarian_assign(cost.data(), 2, 4), (std::vector<int32_t>{3, 1}));
}

TEST(Hungarian, TallMatrixLeavesRowsUnassigned) {
    // 4 rows, 2 columns: column 0 <- row 2, column 1 <- row 0; rows 1 and 3 get -1.
    const std::vector<double> cost = {5, 1,  //
                                      6, 7,  //
                                      0, 4,  //
                                      8, 9};
    EXPECT_EQ(cseg::hungarian_assign(cost.data(), 4, 2), (std::vector<int32_t>{1, -1, 0, -1}));
}

TEST(Hungarian, NegativeCostsAndTies) {
    const std::vector<double> cost = {-1, -1, -1, -1};
    const auto a = cseg::hungarian_assign(cost.data(), 2, 2);
    EXPECT_DOUBLE_EQ(total_cost(cost, 2, 2, a), -2.0);
    // Deterministic: the same input gives the same answer.
    EXPECT_EQ(a, cseg::hungarian_assign(cost.data(), 2, 2));
}

TEST(Hungarian, MatchesBruteForceOnRandomMatrices) {
    cseg::Rng rng(12345);
    for (int32_t trial = 0; trial < 300; ++trial) {
        const int32_t rows = 1 + int32_t(rng.bounded(7));
        const int32_t cols = 1 + int32_t(rng.bounded(7));
        std::vector<double> cost(size_t(rows) * size_t(cols));
        // Small integers make ties frequent; some trials use wide real ranges.
        for (double& c : cost)
            c = trial % 2 == 0 ? double(rng.bounded(5)) : (rng.next_double() - 0.5) * 1e6;
        const auto a = cseg::hungarian_assign(cost.data(), rows, cols);
        EXPECT_NEAR(total_cost(cost, rows, cols, a), brute_force(cost, rows, cols),
                    1e-9 * (1.0 + std::abs(brute_force(cost, rows, cols))))
            << "trial " << trial << " (" << rows << " x " << cols << ")";
    }
}

TEST(Hungarian, EmptyAndSingle) {
    EXPECT_TRUE(cseg::hungarian_assign(nullptr, 0, 0).empty());
    EXPECT_EQ(cseg::hungarian_assign(nullptr, 2, 0), (std::vector<int32_t>{-1, -1}));
    const double one = 3.0;
    EXPECT_EQ(cseg::hungarian_assign(&one, 1, 1), (std::vector<int32_t>{0}));
}

TEST(Hungarian, RejectsNonFiniteCostsAndNegativeSizes) {
    const std::vector<double> cost = {1, std::nan(""), 2, 3};
    cseg::test::expect_error([&] { cseg::hungarian_assign(cost.data(), 2, 2); },
                             cseg::ErrorKind::InvalidParameter, "cost [0][1] is not finite");
    const std::vector<double> inf = {1, 2, std::numeric_limits<double>::infinity(), 3};
    cseg::test::expect_error([&] { cseg::hungarian_assign(inf.data(), 2, 2); },
                             cseg::ErrorKind::InvalidParameter, "cost [1][0] is not finite");
    cseg::test::expect_error([&] { cseg::hungarian_assign(cost.data(), -1, 2); },
                             cseg::ErrorKind::InvalidParameter, "negative");
}

TEST(Hungarian, PollsTheInterrupt) {
    const std::vector<double> cost(16, 1.0);
    const cseg::Interrupt always([] { return true; });
    EXPECT_THROW(cseg::hungarian_assign(cost.data(), 4, 4, always), cseg::Cancelled);
}

}  // namespace
