// Segment profiles: levels, z-scores, constant features, names and descriptions.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "model_fit.hpp"
#include "profile.hpp"

namespace cseg {
namespace {

// A two-cluster, three-feature model: standard scaler, feature 2 constant.
Model small_model() {
    Model m;
    m.k = 2;
    m.dims = 3;
    m.scaler.method = ScaleMethod::Standard;
    m.scaler.center = {10, 5, 100};
    m.scaler.scale = {2, 1, 4};
    // Scaled centroids; in original units (12, 5, 102) and (8, 5, 98.6).
    m.centroids = {1, 0, 0.5, -1, 0, -0.35};
    m.sizes = {6, 4};
    m.n_rows = 10;
    m.feature_mean = {10, 5, 100};
    m.feature_std = {2, 0, 4};
    return m;
}

TEST(Profile, LevelThresholds) {
    const std::vector<std::pair<double, const char*>> cases = {
        {-3, "very low"},    {-1, "very low"}, {-0.999, "low"},    {-0.5, "low"},
        {-0.499, "average"}, {0, "average"},   {0.499, "average"}, {0.5, "high"},
        {0.999, "high"},     {1, "very high"}, {7, "very high"}};
    for (const auto& [z, word] : cases) EXPECT_STREQ(level_name(level_of(z)), word) << z;
}

TEST(Profile, CellsInOriginalUnitsWithZScores) {
    const std::vector<ProfileCell> cells = profile_cells(small_model());
    ASSERT_EQ(cells.size(), 6u);
    const double want_value[] = {12, 5, 102, 8, 5, 98.6};
    const double want_z[] = {1, 0, 0.5, -1, 0, -0.35};
    const char* want_level[] = {"very high", "average", "high", "very low", "average", "average"};
    for (size_t i = 0; i < cells.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(cells[i].cluster, int32_t(i / 3));
        EXPECT_EQ(cells[i].feature, int32_t(i % 3));
        EXPECT_NEAR(cells[i].value, want_value[i], 1e-12);
        EXPECT_NEAR(cells[i].zscore, want_z[i], 1e-12);
        EXPECT_STREQ(level_name(cells[i].level), want_level[i]);
    }
}

TEST(Profile, NearlyConstantFeatureHasZeroZScore) {
    // A constant 0.1 summed in floating point: mean and std are off by rounding only.
    Model m = small_model();
    m.scaler.center[1] = 0.1;
    m.feature_mean[1] = 0.10000000000000002;
    m.feature_std[1] = 1.3877787807814457e-17;
    for (const ProfileCell& c : profile_cells(m))
        if (c.feature == 1) {
            EXPECT_EQ(c.zscore, 0.0);
        }
}

TEST(Profile, NamesAndDescriptions) {
    Model m = small_model();
    EXPECT_EQ(feature_label(m, 0), "feature_1");
    EXPECT_EQ(feature_label(m, 2), "feature_3");
    std::vector<ClusterSummary> s = describe_clusters(m);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].size, 6);
    EXPECT_DOUBLE_EQ(s[0].share, 0.6);
    EXPECT_DOUBLE_EQ(s[1].share, 0.4);
    // Most distinctive first: |z| 1, 0.5, 0 / 1, 0.35, 0 (ties keep feature order).
    EXPECT_EQ(s[0].description, "feature_1: very high, feature_3: high, feature_2: average");
    EXPECT_EQ(s[1].description, "feature_1: very low, feature_3: average, feature_2: average");
    m.feature_names = {"income", "score", "age"};
    EXPECT_EQ(describe_clusters(m)[0].description, "income: very high, age: high, score: average");
    m.n_rows = 0;
    m.sizes = {0, 0};
    EXPECT_EQ(describe_clusters(m)[0].share, 0.0);
}

TEST(Profile, FittedModelAgreesWithItsStatistics) {
    RowMatrix X = test::numeric_columns(
        test::read_csv(std::string(CSEG_DATA_DIR) + "/Mall_Customers.csv", ','), {2, 3, 4});
    const RowMatrix original = X;
    KMeansOptions o;
    o.n_init = 3;
    const Model m = fit_kmeans_model(RowMap(X.data(), X.rows(), X.cols()), 5, o, Interrupt());
    const std::vector<ProfileCell> cells = profile_cells(m);
    ASSERT_EQ(cells.size(), 15u);
    for (const ProfileCell& c : cells) {
        const Eigen::VectorXd col = original.col(c.feature);
        const double mean = col.mean();
        const double sd = std::sqrt((col.array() - mean).square().mean());
        EXPECT_NEAR(c.zscore, (c.value - mean) / sd, 1e-9);
        EXPECT_EQ(c.level, level_of(c.zscore));
    }
}

}  // namespace
}  // namespace cseg
