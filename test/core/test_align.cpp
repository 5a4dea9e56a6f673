// seg_align's core: cost matrix, permutation rules for equal and different k, renumbering.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "align.hpp"
#include "model_test_util.hpp"

namespace {

// A valid model with k clusters on one feature: centroid c at `at[c]` (scaled space),
// sizes as given, scaler center 0 / scale `scale`.
cseg::Model line_model(const std::vector<double>& at, const std::vector<int64_t>& sizes,
                       double scale = 1.0, double center = 0.0) {
    cseg::Model m;
    m.k = static_cast<int32_t>(at.size());
    m.dims = 1;
    m.scaler.method = cseg::ScaleMethod::Standard;
    m.scaler.center = {center};
    m.scaler.scale = {scale};
    m.centroids = at;
    m.sizes = sizes;
    for (int64_t s : sizes) m.n_rows += s;
    for (size_t c = 0; c < at.size(); ++c) m.mean_distance.push_back(0.1 * double(c + 1));
    m.feature_mean = {center};
    m.feature_std = {scale};
    cseg::validate_model(m, cseg::ErrorKind::Internal);
    return m;
}

// sample_model with ordinary centroids (its own reach 1.8e308, whose distances overflow).
cseg::Model ordinary_model() {
    cseg::Model m = cseg::test::sample_model();
    m.centroids = {0.1, -1.25, -0.0, 5e-324, 3.0, -3.5};
    return m;
}

TEST(Align, PermutedCopyAlignsBackExactly) {
    const cseg::Model ref = ordinary_model();
    const cseg::Model shuffled = cseg::renumber_clusters(ref, {2, 0, 1});
    EXPECT_NE(shuffled.centroids, ref.centroids);
    EXPECT_EQ(cseg::alignment_permutation(shuffled, ref), (std::vector<int32_t>{1, 2, 0}));
    const cseg::Model back = cseg::align_model(shuffled, ref);
    EXPECT_EQ(back.centroids, ref.centroids);
    EXPECT_EQ(back.sizes, ref.sizes);
    EXPECT_EQ(back.mean_distance, ref.mean_distance);
    EXPECT_EQ(back.inertia, ref.inertia);
    EXPECT_EQ(back.n_rows, ref.n_rows);
}

TEST(Align, RenumberMovesEveryPerClusterField) {
    const cseg::Model m = ordinary_model();
    const cseg::Model r = cseg::renumber_clusters(m, {1, 2, 0});
    for (int32_t c = 0; c < m.k; ++c) {
        const int32_t to = std::vector<int32_t>{1, 2, 0}[size_t(c)];
        EXPECT_EQ(r.sizes[size_t(to)], m.sizes[size_t(c)]);
        EXPECT_EQ(r.mean_distance[size_t(to)], m.mean_distance[size_t(c)]);
        for (int32_t j = 0; j < m.dims; ++j) EXPECT_EQ(r.centroid(to)[j], m.centroid(c)[j]);
    }
}

TEST(Align, ComparesInTheReferencesScaledSpace) {
    // Same clusters in original units (-10, 0, 10), stored with different scalers and orders.
    const cseg::Model ref = line_model({-1.0, 0.0, 1.0}, {5, 4, 3}, 10.0);
    const cseg::Model model = line_model({0.0, 0.5, -0.5}, {6, 5, 4}, 20.0);
    const std::vector<double> cost = cseg::alignment_costs(model, ref);
    // model cluster 1 = 10 original = 1.0 in ref space: distance^2 to ref cluster 2 is 0.
    EXPECT_DOUBLE_EQ(cost[size_t(1 * 3 + 2)], 0.0);
    EXPECT_DOUBLE_EQ(cost[size_t(1 * 3 + 0)], 4.0);
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{1, 2, 0}));
}

TEST(Align, ExtraClustersGetTheRemainingNumbersLargestFirst) {
    const cseg::Model ref = line_model({0.0, 10.0}, {5, 5});
    // Model clusters: 9.5 (size 7), 50 (size 2), 0.2 (size 6), -40 (size 4).
    const cseg::Model model = line_model({9.5, 50.0, 0.2, -40.0}, {7, 2, 6, 4});
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{1, 3, 0, 2}));
    const cseg::Model aligned = cseg::align_model(model, ref);
    EXPECT_EQ(aligned.sizes, (std::vector<int64_t>{6, 7, 4, 2}));
}

TEST(Align, FewerClustersStayDenseInTheReferencesOrder) {
    const cseg::Model ref = line_model({0.0, 10.0, 20.0, 30.0}, {4, 3, 2, 1});
    // Closest partners: 29 -> 3, 1 -> 0, 19 -> 2; numbered 0, 1, 2 in partner order.
    const cseg::Model model = line_model({29.0, 1.0, 19.0}, {5, 4, 3});
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{2, 0, 1}));
}

TEST(Align, OptimalMatchingBeatsGreedy) {
    // Greedy nearest-first gives model 0 (at 1) ref 0 (at 0) and leaves model 1 (at -9) with
    // ref 1 (at 2): 1 + 121 = 122. The optimum crosses over.
    const cseg::Model ref = line_model({0.0, 2.0}, {5, 5});
    const cseg::Model model = line_model({1.0, -9.0}, {5, 5});
    // Costs: model0->ref0 1, model0->ref1 1, model1->ref0 81, model1->ref1 121.
    // Optimum: model1->ref0 (81) + model0->ref1 (1) = 82 < 122.
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{1, 0}));
}

// A k-prototypes variant of line_model: one categorical attribute with the given mode texts
// (vocabulary: their sorted union), gamma 1.
cseg::Model with_modes(cseg::Model m, const std::vector<std::string>& modes) {
    m.algorithm = cseg::ModelAlgorithm::KPrototypes;
    std::vector<std::string> vocab = modes;
    std::sort(vocab.begin(), vocab.end());
    vocab.erase(std::unique(vocab.begin(), vocab.end()), vocab.end());
    m.categorical.dims = 1;
    m.categorical.categories = {vocab};
    for (const std::string& t : modes) {
        m.categorical.modes.push_back(
            int32_t(std::find(vocab.begin(), vocab.end(), t) - vocab.begin()));
        m.categorical.mode_share.push_back(0.5 + 0.1 * double(m.categorical.modes.size()));
    }
    m.categorical.gamma = 1.0;
    m.categorical.cost = m.inertia;
    cseg::validate_model(m, cseg::ErrorKind::Internal);
    return m;
}

TEST(Align, CategoricalModesCountForKPrototypes) {
    // Equal numeric centroids: only the modes tell the clusters apart.
    const cseg::Model ref = with_modes(line_model({0.0, 0.0, 0.0}, {5, 4, 3}), {"x", "y", "z"});
    const cseg::Model model = with_modes(line_model({0.0, 0.0, 0.0}, {6, 5, 4}), {"z", "x", "y"});
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{2, 0, 1}));
    const cseg::Model aligned = cseg::align_model(model, ref);
    // The modes moved with their clusters: cluster n's mode is the reference's cluster n's.
    for (int32_t c = 0; c < 3; ++c)
        EXPECT_EQ(aligned.categorical.categories[0][size_t(aligned.categorical.modes[size_t(c)])],
                  ref.categorical.categories[0][size_t(ref.categorical.modes[size_t(c)])]);
    EXPECT_EQ(aligned.categorical.mode_share, (std::vector<double>{0.7, 0.8, 0.6}));
    EXPECT_EQ(aligned.sizes, (std::vector<int64_t>{5, 4, 6}));
    cseg::test::expect_error(
        [&] {
            cseg::align_model(model, line_model({0.0, 1.0, 2.0}, {1, 1, 1}));
        },
        cseg::ErrorKind::InvalidParameter,
        "seg_align: the model is a kprototypes model but the reference a kmeans model");
}

TEST(Align, OverflowingCostsAreAnError) {
    // sample_model has a centroid at 1.8e308: its squared distances overflow.
    const cseg::Model m = cseg::test::sample_model();
    cseg::test::expect_error([&] { cseg::align_model(m, m); }, cseg::ErrorKind::DataException,
                             "overflows");
    // Large but representable distances are fine.
    const cseg::Model ref = line_model({-1e150, 0.0, 1e150}, {5, 4, 3});
    const cseg::Model model = line_model({1e150, -1e150, 1.0}, {6, 5, 4});
    EXPECT_EQ(cseg::alignment_permutation(model, ref), (std::vector<int32_t>{2, 0, 1}));
}

TEST(Align, RejectsDifferentDimsAndBadRenumberings) {
    const cseg::Model a = cseg::test::sample_model();
    const cseg::Model b = line_model({0.0, 1.0}, {1, 1});
    cseg::test::expect_error([&] { cseg::align_model(a, b); }, cseg::ErrorKind::InvalidParameter,
                             "the model has 2 features but the reference has 1");
    cseg::test::expect_error(
        [&] {
            cseg::renumber_clusters(a, {0, 0, 1});
        },
        cseg::ErrorKind::InvalidParameter, "not a permutation");
    cseg::test::expect_error(
        [&] {
            cseg::renumber_clusters(a, {0, 1});
        },
        cseg::ErrorKind::InvalidParameter, "expected k = 3");
}

// A reference trained on other features is refused when both models name their features
// (issue 11, item 11); a model without names is taken as it is.
TEST(Align, RejectsOtherFeatureNames) {
    cseg::Model a = ordinary_model();
    cseg::Model b = a;
    a.feature_names = {"x0", "x1"};
    b.feature_names = {"y", "x1"};
    cseg::test::expect_error([&] { cseg::align_model(a, b); }, cseg::ErrorKind::InvalidParameter,
                             "feature names [\"x0\", \"x1\"] differ from the reference's "
                             "[\"y\", \"x1\"]");
    b.feature_names = a.feature_names;
    EXPECT_NO_THROW(cseg::align_model(a, b));
    b.feature_names.clear();
    EXPECT_NO_THROW(cseg::align_model(a, b));
}

}  // namespace
