// Reservoir sampling: Algorithm R's fill and replacement rule, uniform inclusion, determinism,
// and the merge of two reservoirs (parallel aggregation) against the same uniformity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "errors.hpp"
#include "reservoir.hpp"

namespace {

using cseg::ReservoirRows;

// Offers rows first .. first + n - 1 (one feature: the row's number) to a reservoir of
// `capacity` rows, as the kmeans_fit transition does; returns the kept values.
std::vector<double> sample_stream(int64_t first, int64_t n, int64_t capacity, uint64_t seed) {
    std::vector<double> kept;
    for (int64_t t = 0; t < n; ++t) {
        const int64_t slot = cseg::reservoir_slot(seed, t, capacity);
        if (slot == static_cast<int64_t>(kept.size()))
            kept.push_back(double(first + t));
        else if (slot >= 0)
            kept[size_t(slot)] = double(first + t);
    }
    return kept;
}

// Largest deviation, in standard deviations, of per-row inclusion counts from trials * p.
double worst_z(const std::vector<int64_t>& counts, int64_t trials, double p) {
    const double mean = double(trials) * p, sd = std::sqrt(double(trials) * p * (1.0 - p));
    double worst = 0.0;
    for (int64_t c : counts) worst = std::max(worst, std::fabs(double(c) - mean) / sd);
    return worst;
}

}  // namespace

TEST(Reservoir, FillsInOrderThenReplacesOrSkips) {
    const uint64_t seed = cseg::reservoir_seed(0);
    for (int64_t t = 0; t < 5; ++t) EXPECT_EQ(cseg::reservoir_slot(seed, t, 5), t);
    int64_t kept = 0;
    for (int64_t t = 5; t < 100000; ++t) {
        const int64_t s = cseg::reservoir_slot(seed, t, 5);
        ASSERT_GE(s, -1);
        ASSERT_LT(s, 5);
        kept += s >= 0;
    }
    // Expected kept = sum over t of 5 / (t + 1): about 5 * (ln(100000) - ln(5)) = 49.5.
    EXPECT_GT(kept, 25);
    EXPECT_LT(kept, 80);
}

TEST(Reservoir, SameSeedSameSampleOtherSeedOtherSample) {
    const std::vector<double> a = sample_stream(0, 10000, 50, cseg::reservoir_seed(7));
    const std::vector<double> b = sample_stream(0, 10000, 50, cseg::reservoir_seed(7));
    const std::vector<double> c = sample_stream(0, 10000, 50, cseg::reservoir_seed(8));
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(a.size(), 50u);
    EXPECT_EQ(std::set<double>(a.begin(), a.end()).size(), 50u);  // distinct rows
    EXPECT_NE(cseg::reservoir_seed(0), 0u);
}

TEST(Reservoir, EveryRowIsKeptWithProbabilityCapacityOverN) {
    constexpr int64_t n = 60, capacity = 6, trials = 20000;
    std::vector<int64_t> counts(n, 0);
    for (int64_t s = 0; s < trials; ++s)
        for (double v : sample_stream(0, n, capacity, cseg::reservoir_seed(uint64_t(s))))
            ++counts[size_t(v)];
    // A biased rule (e.g. an off-by-one in the bound) moves the first or last rows by far more.
    EXPECT_LT(worst_z(counts, trials, double(capacity) / n), 4.5);
}

TEST(Reservoir, MergeOfSmallReservoirsIsTheUnion) {
    std::vector<double> a_buf(10, -1.0), b_buf = {7.0, 8.0, 9.0};
    a_buf[0] = 1.0;
    a_buf[1] = 2.0;
    ReservoirRows a{a_buf.data(), 2, 2}, b{b_buf.data(), 3, 3};
    cseg::reservoir_merge(a, b, 1, 10, 0);
    EXPECT_EQ(a.rows, 5);
    EXPECT_EQ(a.seen, 5);
    EXPECT_EQ(std::vector<double>(a_buf.begin(), a_buf.begin() + 5),
              (std::vector<double>{1, 2, 7, 8, 9}));
    EXPECT_EQ(b_buf, (std::vector<double>{7, 8, 9}));  // b is only read
}

TEST(Reservoir, MergeIsUniformOverBothStreamsWeightedByRowsSeen) {
    // Rows 0..29 seen by a, rows 30..89 by b (twice as many), capacity 9: every row of the union
    // must end up in the merged sample with probability 9 / 90, whichever side saw it.
    constexpr int64_t na = 30, nb = 60, capacity = 9, trials = 20000;
    std::vector<int64_t> counts(na + nb, 0);
    for (int64_t s = 0; s < trials; ++s) {
        const uint64_t seed = cseg::reservoir_seed(uint64_t(s));
        std::vector<double> a_buf = sample_stream(0, na, capacity, seed);
        const std::vector<double> b_buf = sample_stream(na, nb, capacity, seed ^ 1);
        a_buf.resize(capacity);
        ReservoirRows a{a_buf.data(), capacity, na}, b{const_cast<double*>(b_buf.data()), capacity, nb};
        cseg::reservoir_merge(a, b, 1, capacity, seed);
        ASSERT_EQ(a.rows, capacity);
        ASSERT_EQ(a.seen, na + nb);
        ASSERT_EQ(std::set<double>(a_buf.begin(), a_buf.end()).size(), size_t(capacity));
        for (double v : a_buf) ++counts[size_t(v)];
    }
    EXPECT_LT(worst_z(counts, trials, double(capacity) / (na + nb)), 4.5);
}

TEST(Reservoir, MergeWithAPartlyFilledSideAndSeveralFeatures) {
    // a saw 2 rows (kept both), b saw 10 and kept 4: the merged 4 rows come from the 12.
    std::vector<double> a_buf(8, 0.0), b_buf;
    a_buf = {100, -100, 101, -101, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
        b_buf.push_back(200 + i);
        b_buf.push_back(-200 - i);
    }
    ReservoirRows a{a_buf.data(), 2, 2}, b{b_buf.data(), 4, 10};
    cseg::reservoir_merge(a, b, 2, 4, 3);
    EXPECT_EQ(a.rows, 4);
    EXPECT_EQ(a.seen, 12);
    std::set<double> firsts;
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(a_buf[size_t(2 * i + 1)], -a_buf[size_t(2 * i)]);  // rows stay whole
        firsts.insert(a_buf[size_t(2 * i)]);
    }
    EXPECT_EQ(firsts.size(), 4u);
}

TEST(Reservoir, MergeRejectsInconsistentCounts) {
    std::vector<double> buf(4, 0.0);
    ReservoirRows a{buf.data(), 3, 2}, b{buf.data(), 0, 0};  // 3 rows but only 2 seen
    EXPECT_THROW(cseg::reservoir_merge(a, b, 1, 4, 0), cseg::Error);
    ReservoirRows c{buf.data(), 2, 2}, d{buf.data(), 1, 9};  // saw 9, capacity 4: must hold 4
    EXPECT_THROW(cseg::reservoir_merge(c, d, 1, 4, 0), cseg::Error);
    EXPECT_EQ(c.rows, 2);
    EXPECT_EQ(c.seen, 2);
}
