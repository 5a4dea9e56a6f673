// The scoring aggregates' preparation of buffered rows and their silhouette options.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "missing.hpp"
#include "model_test_util.hpp"
#include "scoring.hpp"

namespace cseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(SilhouetteOptions, DefaultsAndValues) {
    SilhouetteOptions o = parse_silhouette_options("{}");
    EXPECT_EQ(o.sample_size, 0);
    EXPECT_EQ(o.seed, 0u);
    o = parse_silhouette_options(R"({"sample_size": 50, "seed": 9223372036854775807})");
    EXPECT_EQ(o.sample_size, 50);
    EXPECT_EQ(o.seed, 9223372036854775807ULL);
    EXPECT_EQ(parse_silhouette_options(R"({"sample_size": null})").sample_size, 0);
    EXPECT_EQ(parse_silhouette_options(R"({"sample_size": 1e3})").sample_size, 1000);
}

TEST(SilhouetteOptions, Errors) {
    using test::expect_error;
    const auto bad = [](const char* json, const char* needle) {
        expect_error([&] { parse_silhouette_options(json); }, ErrorKind::InvalidParameter, needle);
    };
    bad(R"({"sample_size": 0})", "\"sample_size\" must be a positive integer");
    bad(R"({"sample_size": -3})", "\"sample_size\" must be a positive integer");
    bad(R"({"sample_size": 2.5})", "\"sample_size\" must be a positive integer");
    bad(R"({"sample_size": "10"})", "\"sample_size\" must be a positive integer");
    bad(R"({"seed": -1})", "\"seed\" must be an integer from 0 to 2^63-1");
    bad(R"({"seed": 9223372036854775808})", "\"seed\" must be");
    bad(R"({"samplesize": 10})", "unknown silhouette option \"samplesize\"");
    bad("[]", "silhouette options must be a JSON object, got an array");
    bad("{", "");
}

TEST(CompactRows, StrideKeepsTrailingColumnsAndLabels) {
    // 4 rows of 2 features + 1 passenger column; the passenger may be NaN without effect.
    std::vector<double> data = {1, 2, kNaN, kNaN, 3, 7, 4, 5, 8, 6, INFINITY, 9};
    std::vector<int32_t> labels = {10, 11, 12, 13};
    EXPECT_EQ(compact_complete_rows(data.data(), labels.data(), 4, 2, 3), 2);
    EXPECT_EQ(data[0], 1);
    EXPECT_EQ(data[1], 2);
    EXPECT_TRUE(std::isnan(data[2]));
    EXPECT_EQ(data[3], 4);
    EXPECT_EQ(data[4], 5);
    EXPECT_EQ(data[5], 8);
    EXPECT_EQ(labels[0], 10);
    EXPECT_EQ(labels[1], 12);
    // The original overload is the stride = d case without labels.
    std::vector<double> plain = {1, kNaN, 2, 3};
    EXPECT_EQ(compact_complete_rows(plain.data(), 2, 2), 1);
    EXPECT_EQ(plain[0], 2);
}

TEST(ScoredRows, DropsIncompleteRowsSortsAndSplitsIds) {
    const int64_t ids[] = {INT64_MIN, -1, 7, INT64_MAX, 42};  // -1's bits are a NaN
    std::vector<double> data = {5, 1, id_to_bits(ids[0]), kNaN, 0, id_to_bits(ids[1]),
                                2, 9, id_to_bits(ids[2]), 2,    3, id_to_bits(ids[3]),
                                5, 0, id_to_bits(ids[4])};
    std::vector<int32_t> labels = {1, 2, 3, 4, 5};
    const ScoredRows r = prepare_scored_rows(data.data(), labels.data(), 5, 2, true, Interrupt());
    EXPECT_EQ(r.n, 4);
    EXPECT_EQ(r.skipped, 1);
    EXPECT_EQ(std::vector<double>(data.begin(), data.begin() + 8),
              (std::vector<double>{2, 3, 2, 9, 5, 0, 5, 1}));
    EXPECT_EQ(std::vector<int32_t>(labels.begin(), labels.begin() + 4),
              (std::vector<int32_t>{4, 3, 5, 1}));
    EXPECT_EQ(r.ids, (std::vector<int64_t>{INT64_MAX, 7, 42, INT64_MIN}));
}

TEST(ScoredRows, AnyInputOrderGivesTheSameRows) {
    // Duplicate feature rows with different ids and labels: the id breaks the tie.
    std::vector<double> a, b;
    std::vector<int32_t> la, lb;
    for (int i = 0; i < 300; ++i) {
        const double row[3] = {double(i % 7), double(i % 3), id_to_bits(i)};
        a.insert(a.end(), row, row + 3);
        la.push_back(i % 5);
    }
    for (int i = 299; i >= 0; --i) {
        b.insert(b.end(), a.begin() + i * 3, a.begin() + i * 3 + 3);
        lb.push_back(la[size_t(i)]);
    }
    const ScoredRows ra = prepare_scored_rows(a.data(), la.data(), 300, 2, true, Interrupt());
    const ScoredRows rb = prepare_scored_rows(b.data(), lb.data(), 300, 2, true, Interrupt());
    EXPECT_EQ(ra.ids, rb.ids);
    EXPECT_EQ(la, lb);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), sizeof(double) * 600));
}

TEST(ScoredRows, WithoutIdsAndCancellation) {
    std::vector<double> data = {3, 1, 2};
    std::vector<int32_t> labels = {0, 1, 2};
    const ScoredRows r = prepare_scored_rows(data.data(), labels.data(), 3, 1, false, Interrupt());
    EXPECT_EQ(r.n, 3);
    EXPECT_TRUE(r.ids.empty());
    EXPECT_EQ(data, (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(labels, (std::vector<int32_t>{1, 2, 0}));
    const Interrupt cancel([] { return true; });
    EXPECT_THROW(prepare_scored_rows(data.data(), labels.data(), 3, 1, false, cancel), Cancelled);
}

}  // namespace
}  // namespace cseg
