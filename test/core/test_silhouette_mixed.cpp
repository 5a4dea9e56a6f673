// Unit tests of the silhouette under k-prototypes' mixed dissimilarity, against scikit-learn's
// silhouette on the precomputed dissimilarity matrix (test/reference/silhouette_mixed.py).
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "metrics.hpp"
#include "model_test_util.hpp"
#include "silhouette_mixed.hpp"

using namespace cseg;
using cseg::test::expect_error;

namespace {

// Ten rows: two scaled numbers, then two category codes (as doubles; -1 = unseen).
const std::vector<double> kRows = {
    0.0,  0.1, 0, 1,  0.2,  -0.1, 0, 1,  0.1,  0.3, 1, 1, 2.0, 2.1, 2, 0, 2.2,  1.9, 2, 0,
    1.9,  2.3, 2, -1, -1.0, 3.0,  1, 2,  -1.2, 2.8, 1, 2, 0.05, 0.0, 0, 0, 2.1, 2.0, -1, 0};
const std::vector<int32_t> kLabels = {0, 0, 0, 1, 1, 1, 2, 2, 0, 1};
constexpr double kGamma = 0.7;

}  // namespace

TEST(SilhouetteMixed, SamplesAndScoreEqualScikitLearnPrecomputed) {
    const ConstRowMap X(kRows.data(), 10, 4);
    // silhouette_samples(D, labels, metric="precomputed"), scikit-learn 1.2.
    const double expected[10] = {0.7848799227089588, 0.7769814566099023, 0.65234318422021,
                                 0.7781145142378919, 0.766514440875021,  0.6698181879691041,
                                 0.9145554568519746, 0.9118843484673301, 0.6790598058875746,
                                 0.6740378849291616};
    std::vector<double> out(10);
    silhouette_samples_mixed(X, 2, kGamma, kLabels.data(), out.data(), Interrupt());
    for (int i = 0; i < 10; ++i) EXPECT_NEAR(out[size_t(i)], expected[i], 1e-12) << "row " << i;
    EXPECT_NEAR(silhouette_score_mixed(X, 2, kGamma, kLabels.data(), Interrupt()),
                0.7608189202757129, 1e-12);
}

TEST(SilhouetteMixed, WithoutCategoriesIsTheEuclideanSilhouette) {
    std::vector<double> numbers;
    for (size_t i = 0; i < 10; ++i) numbers.insert(numbers.end(), &kRows[4 * i], &kRows[4 * i + 2]);
    const ConstRowMap X(numbers.data(), 10, 2);
    const double mixed = silhouette_score_mixed(X, 2, kGamma, kLabels.data(), Interrupt());
    EXPECT_NEAR(mixed, 0.9063555292616231, 1e-12);  // silhouette_score(X, labels)
    EXPECT_NEAR(mixed, silhouette_score(X, kLabels.data(), Interrupt()), 1e-12);
}

TEST(SilhouetteMixed, SampleIsSilhouetteScoresSample) {
    const ConstRowMap X(kRows.data(), 10, 4);
    // The same 6 rows silhouette_score would draw with seed 3, scored alone.
    const std::vector<int64_t> rows = sample_rows(10, 6, 3);
    std::vector<double> sub;
    std::vector<int32_t> sub_labels;
    for (int64_t r : rows) {
        sub.insert(sub.end(), &kRows[size_t(4 * r)], &kRows[size_t(4 * r + 4)]);
        sub_labels.push_back(kLabels[size_t(r)]);
    }
    const ConstRowMap S(sub.data(), 6, 4);
    EXPECT_DOUBLE_EQ(silhouette_score_mixed(X, 2, kGamma, kLabels.data(), Interrupt(), 6, 3),
                     silhouette_score_mixed(S, 2, kGamma, sub_labels.data(), Interrupt()));
}

TEST(SilhouetteMixed, Errors) {
    const ConstRowMap X(kRows.data(), 10, 4);
    const std::vector<int32_t> one(10, 4);
    expect_error([&] { silhouette_score_mixed(X, 2, kGamma, one.data(), Interrupt()); },
                 ErrorKind::InvalidParameter, "Number of labels is 1");
    std::vector<double> bad = kRows;
    bad[5] = std::numeric_limits<double>::quiet_NaN();
    const ConstRowMap B(bad.data(), 10, 4);
    expect_error([&] { silhouette_score_mixed(B, 2, kGamma, kLabels.data(), Interrupt()); },
                 ErrorKind::DataException, "NaN or infinity");
    expect_error([&] { silhouette_score_mixed(X, 2, kGamma, kLabels.data(), Interrupt(), -1); },
                 ErrorKind::InvalidParameter, "sample_size must not be negative");
}
