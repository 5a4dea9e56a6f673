// Unit tests of the Gaussian mixture (src/core/gmm.cpp) against scikit-learn's GaussianMixture:
// figures from test/reference/gmm_reference.py (its output: test/reference/gmm_reference.txt).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "csv.hpp"
#include "gmm.hpp"
#include "rng.hpp"
#include "scaler.hpp"

namespace cseg {
namespace {

// A read-only view of a matrix.
ConstRowMap view(const RowMatrix& X) { return ConstRowMap(X.data(), X.rows(), X.cols()); }

// Standard-scaled copy (gmm_fit's default scaling).
RowMatrix standardised(const RowMatrix& X) {
    RowMatrix Y = X;
    fit_scaler(view(X), ScaleMethod::Standard).transform_rows(RowMap(Y.data(), Y.rows(), Y.cols()));
    return Y;
}

// The standard-scaled sample sets, by name.
RowMatrix data_set(const std::string& name) {
    if (name == "mall") return standardised(testdata::mall_customers());
    if (name == "wholesale") return standardised(testdata::wholesale_customers());
    return standardised(testdata::complete_rows(testdata::marketing_campaign()));
}

CovarianceType type_of(const std::string& t) {
    if (t == "full") return CovarianceType::Full;
    if (t == "tied") return CovarianceType::Tied;
    if (t == "diag") return CovarianceType::Diag;
    return CovarianceType::Spherical;
}

// One line of test/reference/gmm_reference.txt.
struct Reference {
    const char* set;
    const char* type;
    int32_t k;
    int32_t n_iter;
    double lower_bound, score, bic, aic;
    double median_score;  // over random_state 0..9, init "kmeans"
};

// test/reference/gmm_reference.txt (scikit-learn 1.2.1).
const Reference kReference[] = {
    {"mall", "full", 5, 33, -3.296770176891423, -3.295903626391433, 1577.979001517427,
     1416.3614505565731, -3.4198448361610128},
    {"mall", "tied", 5, 15, -3.7833991124028308, -3.7831996108121295, 1645.7377784885527,
     1563.2798443248519, -3.7642118051285065},
    {"mall", "diag", 5, 18, -3.3543440861621265, -3.3540189422599074, 1521.7503673665963,
     1409.607576903963, -3.553755135492907},
    {"mall", "spherical", 5, 30, -3.7720024539937236, -3.771334957098963, 1635.693599636738,
     1556.5339828395852, -3.7597837329218478},
    {"wholesale", "full", 4, 39, -3.091718097466473, -3.091396327482503, 3396.0607628718685,
     2942.4287681846026, -3.2950860560090183},
    {"wholesale", "tied", 4, 25, -6.367769939496702, -6.3672794130696895, 5895.371070393117,
     5699.205883501327, -5.976509724735179},
    {"wholesale", "diag", 4, 23, -3.946184877643238, -3.94582861128431, 3782.75468900272,
     3574.3291779301926, -3.843842906337686},
    {"wholesale", "spherical", 4, 24, -4.928210743879576, -4.927611961657286, 4524.988542792693,
     4398.298526258412, -4.927832287278251},
    {"marketing", "full", 4, 24, -10.48847762024233, -10.488312688150751, 51191.01531213097,
     47706.20183388413, -8.31671780413772},
    {"marketing", "tied", 4, 19, -18.10530572459086, -18.10498815350162, 81805.10968303621,
     80647.30749631918, -18.200948363164628},
    {"marketing", "diag", 4, 23, -13.137087426916604, -13.137012835136446, 59232.394020595326,
     58485.240885324725, -11.140657857941981},
    {"marketing", "spherical", 4, 11, -18.05944713937651, -18.05902665766208, 80584.5517391569,
     80179.60614675833, -18.24758594198493},
};

// The fixed start of gmm_reference.py: uniform weights, means = rows 0, step, 2 step, ...
// (step = n / k), identity covariances.
GmmParams fixed_start(const RowMatrix& X, CovarianceType t, int32_t k) {
    const int32_t d = static_cast<int32_t>(X.cols());
    GmmParams p;
    p.covariance = t;
    p.k = k;
    p.dims = d;
    p.weights.assign(size_t(k), 1.0 / k);
    const int64_t step = X.rows() / k;
    for (int32_t c = 0; c < k; ++c)
        for (int32_t j = 0; j < d; ++j) p.means.push_back(X(c * step, j));
    p.covariances.assign(size_t(covariance_size(t, k, d)), 0.0);
    if (t == CovarianceType::Full || t == CovarianceType::Tied) {
        const int32_t blocks = t == CovarianceType::Full ? k : 1;
        for (int32_t c = 0; c < blocks; ++c)
            for (int32_t j = 0; j < d; ++j) p.covariances[size_t(c) * d * d + size_t(j) * d + j] = 1.0;
    } else {
        std::fill(p.covariances.begin(), p.covariances.end(), 1.0);
    }
    return p;
}

// Relative difference.
double rel(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

// EM from a fixed start is deterministic: the same iterations and figures as scikit-learn.
TEST(Gmm, FixedStartMatchesScikitLearn) {
    for (const Reference& r : kReference) {
        SCOPED_TRACE(std::string(r.set) + " " + r.type);
        const RowMatrix X = data_set(r.set);
        GmmOptions o;
        o.covariance = type_of(r.type);
        const GmmRun run = gmm_em(view(X), fixed_start(X, o.covariance, r.k), o, Interrupt());
        EXPECT_EQ(run.n_iter, r.n_iter);
        EXPECT_TRUE(run.converged);
        EXPECT_EQ(run.regularised, 0);
        EXPECT_LT(rel(run.lower_bound, r.lower_bound), 1e-6);
        EXPECT_LT(rel(run.log_likelihood, r.score), 1e-6);
        const int32_t d = static_cast<int32_t>(X.cols());
        EXPECT_LT(rel(gmm_bic(run.log_likelihood, X.rows(), o.covariance, r.k, d), r.bic), 1e-6);
        EXPECT_LT(rel(gmm_aic(run.log_likelihood, X.rows(), o.covariance, r.k, d), r.aic), 1e-6);
        EXPECT_NEAR(gmm_score(run.params, view(X), Interrupt()), run.log_likelihood, 1e-12);
    }
}

// With k-means initialisation our median score over seeds 0..9 is at least scikit-learn's
// median over random_state 0..9.
TEST(Gmm, MedianScoreOverSeedsAtLeastScikitLearns) {
    for (const Reference& r : kReference) {
        SCOPED_TRACE(std::string(r.set) + " " + r.type);
        const RowMatrix X = data_set(r.set);
        std::vector<double> scores;
        for (uint64_t seed = 0; seed < 10; ++seed) {
            GmmOptions o;
            o.covariance = type_of(r.type);
            o.seed = seed;
            scores.push_back(gmm_run(view(X), r.k, o, Interrupt()).log_likelihood);
        }
        std::sort(scores.begin(), scores.end());
        const double median = 0.5 * (scores[4] + scores[5]);
        EXPECT_GE(median, r.median_score - 1e-9 * std::abs(r.median_score));
    }
}

// scikit-learn's _n_parameters, by hand for d = 3, k = 5.
TEST(Gmm, ParameterCounts) {
    EXPECT_EQ(gmm_parameter_count(CovarianceType::Full, 5, 3), 5 * 6 + 15 + 4);
    EXPECT_EQ(gmm_parameter_count(CovarianceType::Tied, 5, 3), 6 + 15 + 4);
    EXPECT_EQ(gmm_parameter_count(CovarianceType::Diag, 5, 3), 15 + 15 + 4);
    EXPECT_EQ(gmm_parameter_count(CovarianceType::Spherical, 5, 3), 5 + 15 + 4);
    EXPECT_DOUBLE_EQ(gmm_bic(-2.0, 100, CovarianceType::Spherical, 5, 3),
                     400.0 + 24.0 * std::log(100.0));
    EXPECT_DOUBLE_EQ(gmm_aic(-2.0, 100, CovarianceType::Spherical, 5, 3), 400.0 + 48.0);
}

// Probabilities sum to 1, predict is their argmax, and labels are the per-row predictions.
TEST(Gmm, ProbaSumsToOneAndPredictIsArgmax) {
    const RowMatrix X = data_set("mall");
    for (const char* t : {"full", "tied", "diag", "spherical"}) {
        GmmOptions o;
        o.covariance = type_of(t);
        const GmmRun run = gmm_run(view(X), 5, o, Interrupt());
        std::vector<double> p(5);
        for (Eigen::Index i = 0; i < X.rows(); ++i) {
            gmm_proba_row(gmm_view(run.params), X.row(i).data(), p.data());
            double sum = 0.0;
            for (double v : p) {
                ASSERT_TRUE(std::isfinite(v));
                sum += v;
            }
            ASSERT_NEAR(sum, 1.0, 1e-12);
            std::vector<double> scratch(5);
            const int32_t best = gmm_predict_row(gmm_view(run.params), X.row(i).data(), scratch.data());
            ASSERT_EQ(best, run.labels[size_t(i)]);
            ASSERT_EQ(best, std::max_element(p.begin(), p.end()) - p.begin());
        }
    }
}

// Duplicated rows and reg_covar 0 make singular components: they are regularised, never NaN.
TEST(Gmm, SingularComponentsAreRegularisedNotNaN) {
    RowMatrix X(60, 3);
    for (Eigen::Index i = 0; i < X.rows(); ++i)
        for (Eigen::Index j = 0; j < 3; ++j) X(i, j) = double((i % 3) * (j + 1));  // 3 points
    for (const char* t : {"full", "tied", "diag", "spherical"}) {
        SCOPED_TRACE(t);
        GmmOptions o;
        o.covariance = type_of(t);
        o.reg_covar = 0.0;
        const GmmRun run = gmm_run(view(X), 3, o, Interrupt());
        EXPECT_GT(run.regularised, 0);
        EXPECT_TRUE(std::isfinite(run.log_likelihood));
        for (double v : run.params.covariances) EXPECT_TRUE(std::isfinite(v));
        for (double v : run.params.precisions_chol) EXPECT_TRUE(std::isfinite(v));
        std::vector<double> p(3);
        gmm_proba_row(gmm_view(run.params), X.row(1).data(), p.data());
        for (double v : p) EXPECT_TRUE(std::isfinite(v));
    }
}

// Spreading the blocks over threads changes nothing (several blocks: 150k rows).
TEST(Gmm, ThreadsGiveIdenticalResults) {
    Rng rng(5);
    RowMatrix X(150000, 4);
    for (Eigen::Index i = 0; i < X.size(); ++i)
        X.data()[i] = rng.next_double() + double((i / 4) % 3);
    GmmOptions o;
    o.max_iter = 5;
    const GmmRun a = gmm_run(view(X), 3, o, Interrupt());
    const GmmRun b = gmm_run(view(X), 3, o, Interrupt(), threads_runner(2));
    EXPECT_EQ(std::memcmp(&a.log_likelihood, &b.log_likelihood, sizeof(double)), 0);
    EXPECT_EQ(a.params.means, b.params.means);
    EXPECT_EQ(a.params.covariances, b.params.covariances);
    EXPECT_EQ(a.labels, b.labels);
}

// Bad options and too few rows are errors.
TEST(Gmm, BadInput) {
    const RowMatrix X = data_set("mall");
    GmmOptions o;
    EXPECT_THROW(gmm_run(view(X), 0, o, Interrupt()), Error);
    EXPECT_THROW(gmm_run(view(X.topRows(3)), 4, o, Interrupt()), Error);
    o.n_init = 0;
    EXPECT_THROW(gmm_run(view(X), 2, o, Interrupt()), Error);
    o = GmmOptions();
    o.reg_covar = -1;
    EXPECT_THROW(gmm_run(view(X), 2, o, Interrupt()), Error);
}

int g_polls = 0;
// Reports a cancel from the 3rd poll on.
bool cancel_soon() { return ++g_polls >= 3; }

// A pending cancel stops the fit with Cancelled.
TEST(Gmm, CancellationThrowsCancelled) {
    const RowMatrix X = data_set("wholesale");
    g_polls = 0;
    EXPECT_THROW(gmm_run(view(X), 4, GmmOptions(), Interrupt(&cancel_soon)), Cancelled);
}

}  // namespace
}  // namespace cseg
