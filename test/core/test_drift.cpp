// seg_drift's core: PSI against hand-computed values, epsilon for empty bins, verdicts, JSON.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "drift.hpp"
#include "json.hpp"
#include "model_test_util.hpp"

namespace {

TEST(Drift, PsiOfIdenticalSharesIsZero) {
    const std::vector<double> s = {0.5, 0.3, 0.2};
    EXPECT_EQ(cseg::population_stability_index(s.data(), s.data(), 3), 0.0);
}

TEST(Drift, PsiMatchesTheFormula) {
    const std::vector<double> e = {0.5, 0.3, 0.2}, a = {0.4, 0.4, 0.2};
    const double want = (0.4 - 0.5) * std::log(0.4 / 0.5) + (0.4 - 0.3) * std::log(0.4 / 0.3);
    EXPECT_NEAR(cseg::population_stability_index(e.data(), a.data(), 3), want, 1e-15);
    // Symmetric in its two arguments.
    EXPECT_NEAR(cseg::population_stability_index(a.data(), e.data(), 3), want, 1e-15);
}

TEST(Drift, EmptySegmentUsesEpsilon) {
    const std::vector<double> e = {0.5, 0.5}, a = {1.0, 0.0};
    const double eps = cseg::kPsiEpsilon;
    const double want = (1.0 - 0.5) * std::log(1.0 / 0.5) + (eps - 0.5) * std::log(eps / 0.5);
    const double psi = cseg::population_stability_index(e.data(), a.data(), 2);
    EXPECT_TRUE(std::isfinite(psi));
    EXPECT_NEAR(psi, want, 1e-12);
}

TEST(Drift, VerdictThresholds) {
    EXPECT_STREQ(cseg::drift_verdict(0.0), "stable");
    EXPECT_STREQ(cseg::drift_verdict(0.0999), "stable");
    EXPECT_STREQ(cseg::drift_verdict(0.1), "moderate shift");
    EXPECT_STREQ(cseg::drift_verdict(0.2499), "moderate shift");
    EXPECT_STREQ(cseg::drift_verdict(0.25), "major shift");
    EXPECT_STREQ(cseg::drift_verdict(3.0), "major shift");
}

TEST(Drift, ReportSharesDistancesAndTerms) {
    const std::vector<int64_t> now = {30, 0, 10}, train = {50, 30, 20};
    const std::vector<double> sums = {15.0, 0.0, 8.0}, md = {0.4, 0.6, 0.9};
    cseg::DriftInput in;
    in.k = 3;
    in.rows_now = now.data();
    in.distance_sum_now = sums.data();
    in.unlabelled = 2;
    in.sizes_training = train.data();
    in.mean_distance_training = md.data();
    const cseg::DriftReport r = cseg::drift_report(in);
    EXPECT_EQ(r.rows_now, 40);
    EXPECT_EQ(r.rows_training, 100);
    EXPECT_EQ(r.unlabelled, 2);
    EXPECT_DOUBLE_EQ(r.segments[0].share_now, 0.75);
    EXPECT_DOUBLE_EQ(r.segments[1].share_training, 0.3);
    EXPECT_DOUBLE_EQ(r.segments[0].mean_distance_now, 0.5);
    EXPECT_FALSE(r.segments[1].has_mean_distance_now);
    EXPECT_DOUBLE_EQ(r.mean_distance_now, 23.0 / 40.0);
    EXPECT_DOUBLE_EQ(r.mean_distance_training, (0.4 * 50 + 0.6 * 30 + 0.9 * 20) / 100.0);
    double terms = 0.0;
    for (const auto& s : r.segments) terms += s.psi;
    EXPECT_NEAR(terms, r.psi, 1e-12);
    const std::vector<double> e = {0.5, 0.3, 0.2}, a = {0.75, 0.0, 0.25};
    EXPECT_NEAR(r.psi, cseg::population_stability_index(e.data(), a.data(), 3), 1e-15);
    EXPECT_STREQ(r.verdict, "major shift");
}

TEST(Drift, NoRowsNowMeansNoPsi) {
    const std::vector<int64_t> now = {0, 0}, train = {3, 1};
    const std::vector<double> sums = {0.0, 0.0}, md = {1.0, 2.0};
    cseg::DriftInput in;
    in.k = 2;
    in.rows_now = now.data();
    in.distance_sum_now = sums.data();
    in.unlabelled = 5;
    in.sizes_training = train.data();
    in.mean_distance_training = md.data();
    const cseg::DriftReport r = cseg::drift_report(in);
    EXPECT_FALSE(r.has_psi);
    EXPECT_EQ(r.verdict, nullptr);
    const cseg::Json j = cseg::json_parse(cseg::drift_to_json(r), cseg::ErrorKind::Internal);
    EXPECT_TRUE(j.find("psi")->is_null());
    EXPECT_TRUE(j.find("verdict")->is_null());
    EXPECT_TRUE(j.find("mean_distance_now")->is_null());
    EXPECT_EQ(j.find("unlabelled")->int64_value(), 5);
}

// A model that imputes counts each fill (mapped back) in its training mean: the mean now
// divides the finite values and the fills by both counts; the PSI stays over finite values.
TEST(Drift, FeatureMeanNowCountsImputedValues) {
    const std::vector<int64_t> now = {12}, train = {12};
    const std::vector<double> dist = {0.0}, md = {0.0};
    const std::vector<double> shares(10, 0.1), mean_training = {65.0 / 12.0};
    const std::vector<int64_t> bins(10, 1), filled = {2};
    const std::vector<double> sum_now = {55.0 + 2 * 5.0};  // 1..10, two fills of 5
    cseg::FeatureDriftInput f;
    f.dims = 1;
    f.decile_shares = shares.data();
    f.mean_training = mean_training.data();
    f.bins_now = bins.data();
    f.sum_now = sum_now.data();
    f.filled_now = filled.data();
    cseg::DriftInput in;
    in.k = 1;
    in.rows_now = now.data();
    in.distance_sum_now = dist.data();
    in.sizes_training = train.data();
    in.mean_distance_training = md.data();
    in.features = &f;
    cseg::DriftReport r = cseg::drift_report(in);
    ASSERT_EQ(r.features.size(), 1u);
    EXPECT_EQ(r.features[0].rows_now, 10);
    EXPECT_DOUBLE_EQ(r.features[0].mean_now, 65.0 / 12.0);
    EXPECT_DOUBLE_EQ(r.features[0].psi, 0.0);
    f.filled_now = nullptr;  // no imputation: the finite values alone
    const std::vector<double> plain = {55.0};
    f.sum_now = plain.data();
    r = cseg::drift_report(in);
    EXPECT_DOUBLE_EQ(r.features[0].mean_now, 5.5);
}

TEST(Drift, JsonCarriesEveryKey) {
    // Shares 0.7 / 0.3 against 0.5 / 0.5: psi = 0.2 ln 1.4 + 0.2 ln (5/3) ~= 0.1695.
    const std::vector<int64_t> now = {7, 3}, train = {5, 5};
    const std::vector<double> sums = {4.0, 4.5}, md = {0.5, 1.0};
    cseg::DriftInput in;
    in.k = 2;
    in.rows_now = now.data();
    in.distance_sum_now = sums.data();
    in.sizes_training = train.data();
    in.mean_distance_training = md.data();
    const cseg::Json j =
        cseg::json_parse(cseg::drift_to_json(cseg::drift_report(in)), cseg::ErrorKind::Internal);
    for (const char* key :
         {"rows", "unlabelled", "training_rows", "psi", "verdict", "mean_distance_now",
          "mean_distance_training", "psi_epsilon", "segments"})
        EXPECT_NE(j.find(key), nullptr) << key;
    ASSERT_EQ(j.find("segments")->items().size(), 2u);
    const cseg::Json& s1 = j.find("segments")->items()[1];
    EXPECT_EQ(s1.find("segment")->int64_value(), 1);
    EXPECT_DOUBLE_EQ(s1.find("share_now")->number_value(), 0.3);
    EXPECT_DOUBLE_EQ(s1.find("mean_distance_now")->number_value(), 1.5);
    EXPECT_NEAR(j.find("psi")->number_value(), 0.2 * std::log(1.4) + 0.2 * std::log(5.0 / 3.0),
                1e-15);
    EXPECT_EQ(j.find("verdict")->text(), "moderate shift");
}

TEST(Drift, RejectsBadInput) {
    cseg::DriftInput in;
    cseg::test::expect_error([&] { cseg::drift_report(in); }, cseg::ErrorKind::InvalidParameter,
                             "k must be at least 1");
}

}  // namespace
