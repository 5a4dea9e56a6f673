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
    for (int i = 499; i >= 0; --i)
        b.insert(b.end(), base.begin() + i * 3, base.begin() + i * 3 + 3);
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

namespace {

// A small deterministic generator (an MMIX linear congruential step), its high bits.
struct Lcg {
    uint64_t state;
    uint64_t operator()() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    }
};

// Values every sort must place: signed zeros, infinities, NaN, a denormal, a large negative.
const double kSpecials[] = {0.0,
                            -0.0,
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN(),
                            1e-310,
                            -1e300};

// The total order on bit patterns (sort_rows' keys: -0 < +0, NaN last).
uint64_t order_key(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return (bits & 0x8000000000000000ULL) ? ~bits : bits | 0x8000000000000000ULL;
}

// Reference: rows (with labels) sorted by std::sort on their order keys, then labels.
std::vector<std::pair<std::vector<double>, int32_t>> reference_sort(
    const std::vector<double>& data, const std::vector<int32_t>& labels, int32_t d) {
    const auto key = order_key;
    std::vector<std::pair<std::vector<double>, int32_t>> rows;
    for (size_t i = 0; i < labels.size(); ++i)
        rows.push_back(
            {std::vector<double>(data.begin() + i * d, data.begin() + (i + 1) * d), labels[i]});
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        for (int32_t j = 0; j < d; ++j)
            if (key(a.first[j]) != key(b.first[j])) return key(a.first[j]) < key(b.first[j]);
        return a.second < b.second;
    });
    return rows;
}

}  // namespace

TEST(RowOrder, MatchesAReferenceSortOnLargeInputsWithTiesAndSpecialValues) {
    // Continuous values (radix passes), few distinct values (whole columns equal within a
    // bucket), constant columns and special values, with labels breaking ties between
    // identical rows.
    Lcg next{99};
    for (int32_t d : {1, 3, 6}) {
        for (int kind = 0; kind < 3; ++kind) {
            const int64_t n = 30000;
            std::vector<double> data(size_t(n * d));
            std::vector<int32_t> labels(static_cast<size_t>(n));
            for (int64_t i = 0; i < n; ++i) {
                labels[size_t(i)] = int32_t(next() % 5);
                for (int32_t j = 0; j < d; ++j) {
                    double& v = data[size_t(i * d + j)];
                    if (kind == 0) v = (double(next()) - 2147483648.0) * 1e-3;
                    if (kind == 1) v = double(next() % 4) + (j == 1 ? 100.0 : 0.0);
                    if (kind == 2)
                        v = next() % 10 == 0 ? kSpecials[next() % 7] : double(next() % 50);
                }
            }
            const auto want = reference_sort(data, labels, d);
            cseg::sort_rows(data.data(), labels.data(), n, d);
            for (int64_t i = 0; i < n; ++i) {
                ASSERT_EQ(labels[size_t(i)], want[size_t(i)].second)
                    << "d=" << d << " kind=" << kind << " row " << i;
                ASSERT_EQ(0, std::memcmp(&data[size_t(i * d)], want[size_t(i)].first.data(),
                                         sizeof(double) * size_t(d)))
                    << "d=" << d << " kind=" << kind << " row " << i;
            }
        }
    }
}

TEST(RowOrder, IdenticalRowsAreOrderedByLabelWhateverTheInputOrder) {
    std::vector<double> a(8, 1.5), b(8, 1.5);
    std::vector<int32_t> la = {3, 1, 2, 0}, lb = {0, 2, 1, 3};
    cseg::sort_rows(a.data(), la.data(), 4, 2);
    cseg::sort_rows(b.data(), lb.data(), 4, 2);
    EXPECT_EQ(la, (std::vector<int32_t>{0, 1, 2, 3}));
    EXPECT_EQ(lb, la);
}

TEST(RowOrder, BucketsSortedOnThreadsGiveTheSerialResult) {
    // Wide and narrow first-pass buckets, ties, and labels; 1 to 7 threads; enough rows for
    // the first pass's key range and bucket counts to run in blocks on the threads, also on
    // the second column when the first is constant.
    for (const bool constant_first : {false, true}) {
        Lcg next{7};
        const int64_t n = 300000;
        const int32_t d = 3;
        std::vector<double> data(size_t(n * d));
        std::vector<int32_t> labels(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            labels[size_t(i)] = int32_t(next() % 3);
            data[size_t(i * d)] = constant_first    ? -2.5
                                  : next() % 4 == 0 ? 5.0
                                                    : double(next() % 1000) * 0.5;
            data[size_t(i * d + 1)] = constant_first ? double(next() % 100000) : double(next() % 7);
            data[size_t(i * d + 2)] = (double(next()) - 2147483648.0) * 1e-6;
        }
        std::vector<double> want = data;
        std::vector<int32_t> want_labels = labels;
        cseg::sort_rows(want.data(), want_labels.data(), n, d);
        for (int64_t i = 1; i < n; ++i)  // the serial sort itself is right
            ASSERT_TRUE(
                std::lexicographical_compare(want.data() + (i - 1) * d, want.data() + i * d,
                                             want.data() + i * d, want.data() + (i + 1) * d) ||
                std::equal(want.data() + (i - 1) * d, want.data() + i * d, want.data() + i * d));
        for (int32_t threads : {1, 2, 7}) {
            SCOPED_TRACE(threads);
            std::vector<double> got = data;
            std::vector<int32_t> got_labels = labels;
            cseg::sort_rows(got.data(), got_labels.data(), n, d, cseg::Interrupt(),
                            cseg::threads_runner(threads));
            EXPECT_EQ(got_labels, want_labels);
            EXPECT_EQ(0, std::memcmp(got.data(), want.data(), sizeof(double) * got.size()));
        }
    }
}

// sort_values: the total order of sort_rows (-0 < +0, NaN last), below and above the radix
// threshold, on continuous values, few distinct values, signed zeros and special values.
TEST(RowOrder, SortValuesMatchesTheTotalOrder) {
    Lcg next{7};
    const auto key = order_key;
    for (const int64_t n : {0, 1, 2, 100, 2047, 2048, 30000}) {
        for (int kind = 0; kind < 3; ++kind) {
            std::vector<double> v(static_cast<size_t>(n));
            for (double& x : v) {
                if (kind == 0) x = (double(next()) - 2147483648.0) * 1e-3;
                if (kind == 1) x = double(next() % 4) - 1.5;
                if (kind == 2) x = next() % 3 == 0 ? kSpecials[next() % 7] : double(next() % 50);
            }
            std::vector<uint64_t> want(v.size());
            for (size_t i = 0; i < v.size(); ++i) want[i] = key(v[i]);
            std::sort(want.begin(), want.end());
            cseg::sort_values(v.data(), n);
            for (int64_t i = 0; i < n; ++i)
                ASSERT_EQ(key(v[size_t(i)]), want[size_t(i)])
                    << "n=" << n << " kind=" << kind << " at " << i;
        }
    }
}
