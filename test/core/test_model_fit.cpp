// Unit tests of fit_kmeans_model, the kmeans_fit pipeline: missing-value policies, errors,
// cluster ordering, training statistics, determinism, known answers and cancellation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "csv.hpp"
#include "distance.hpp"
#include "model_fit.hpp"
#include "model_kind.hpp"
#include "task_threads.hpp"
#include "kmeans.hpp"

namespace cseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fits on a copy (the pipeline works in place).
Model fit(const RowMatrix& X, int32_t k, const KMeansOptions& o = KMeansOptions(),
          const Interrupt& interrupt = Interrupt()) {
    RowMatrix copy = X;
    return fit_kmeans_model(RowMap(copy.data(), copy.rows(), copy.cols()), k, o, interrupt);
}

// The ErrorKind fit throws (fails the test when it does not throw an Error).
ErrorKind fit_error(const RowMatrix& X, int32_t k, const KMeansOptions& o, std::string* what) {
    try {
        fit(X, k, o);
    } catch (const Error& e) {
        if (what != nullptr) *what = e.what();
        return e.kind();
    }
    ADD_FAILURE() << "no error";
    return ErrorKind::Internal;
}

// Exact equality of two vectors of doubles, bit for bit.
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0);
}

// Every numeric field of two models is bit-identical (n_skipped aside: the callers check it).
void expect_identical(const Model& a, const Model& b) {
    EXPECT_EQ(a.k, b.k);
    EXPECT_EQ(a.dims, b.dims);
    EXPECT_TRUE(same_bits(a.centroids, b.centroids));
    EXPECT_EQ(a.sizes, b.sizes);
    EXPECT_EQ(std::memcmp(&a.inertia, &b.inertia, sizeof(double)), 0);
    EXPECT_EQ(a.n_iter, b.n_iter);
    EXPECT_EQ(a.n_rows, b.n_rows);
    EXPECT_TRUE(same_bits(a.scaler.center, b.scaler.center));
    EXPECT_TRUE(same_bits(a.scaler.scale, b.scaler.scale));
    EXPECT_TRUE(same_bits(a.feature_mean, b.feature_mean));
    EXPECT_TRUE(same_bits(a.feature_std, b.feature_std));
    EXPECT_TRUE(same_bits(a.mean_distance, b.mean_distance));
    EXPECT_TRUE(same_bits(a.impute, b.impute));
    EXPECT_TRUE(same_bits(a.projection.mean, b.projection.mean));
    EXPECT_TRUE(same_bits(a.projection.components, b.projection.components));
    EXPECT_TRUE(same_bits(a.projection.variance, b.projection.variance));
}

// Checks what the model says about its training rows X (complete, original units): labels by
// nearest centroid reproduce sizes, inertia and mean distances; sizes are ordered.
void expect_consistent(const Model& m, const RowMatrix& X) {
    validate_model(m, ErrorKind::Internal);
    ASSERT_EQ(m.n_rows, X.rows());
    const int32_t k = m.k, d = m.dims;
    std::vector<int64_t> sizes(size_t(k), 0);
    std::vector<double> dist(size_t(k), 0.0);
    double inertia = 0.0;
    std::vector<double> row(static_cast<size_t>(d));
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        m.scaler.transform(X.row(i).data(), row.data());
        double best;
        const int32_t c = nearest_centroid(row.data(), m.centroids.data(), k, d, &best);
        ++sizes[size_t(c)];
        inertia += best;
        dist[size_t(c)] += std::sqrt(best);
    }
    EXPECT_EQ(sizes, m.sizes);
    EXPECT_NEAR(inertia, m.inertia, 1e-12 * std::max(1.0, m.inertia));
    for (int32_t c = 0; c < k; ++c) {
        const double mean = sizes[size_t(c)] > 0 ? dist[size_t(c)] / double(sizes[size_t(c)]) : 0.0;
        EXPECT_NEAR(m.mean_distance[size_t(c)], mean, 1e-12 * std::max(1.0, mean));
    }
    for (int32_t c = 1; c < k; ++c) {
        EXPECT_GE(m.sizes[size_t(c - 1)], m.sizes[size_t(c)]);
        if (m.sizes[size_t(c - 1)] == m.sizes[size_t(c)]) {
            const double* a = m.centroid(c - 1);
            const double* b = m.centroid(c);
            EXPECT_FALSE(std::lexicographical_compare(b, b + d, a, a + d)) << "cluster " << c;
        }
    }
    // Training statistics in original units.
    for (int32_t j = 0; j < d; ++j) {
        const double mean = X.col(j).mean();
        const double sd = std::sqrt((X.col(j).array() - mean).square().mean());
        EXPECT_NEAR(m.feature_mean[size_t(j)], mean, 1e-12 * std::max(1.0, std::fabs(mean)));
        EXPECT_NEAR(m.feature_std[size_t(j)], sd, 1e-12 * std::max(1.0, sd));
    }
}

// Known answer (scikit-learn 1.2.1, `/usr/bin/python3 test/reference/kmeans_reference.py`):
// StandardScaler + KMeans(5, n_init=10, random_state=0) on age, income, score has inertia_
// 168.24758017556834; the pipeline must do at least as well on the raw columns.
TEST(FitModel, MallCustomersKnownAnswer) {
    const RowMatrix X = testdata::mall_customers();
    KMeansOptions o;
    o.has_feature_names = true;
    o.feature_names = {"age", "income", "score"};
    const Model m = fit(X, 5, o);
    EXPECT_EQ(m.k, 5);
    EXPECT_EQ(m.dims, 3);
    EXPECT_LE(m.inertia, 168.24758017556834 * (1 + 1e-9));
    EXPECT_GT(m.n_iter, 0);
    EXPECT_EQ(m.n_skipped, 0);
    EXPECT_EQ(m.feature_names, o.feature_names);
    EXPECT_EQ(m.options.feature_names, o.feature_names);
    EXPECT_EQ(m.options.n_init, 10);
    EXPECT_EQ(m.scaler.method, ScaleMethod::Standard);
    EXPECT_TRUE(m.impute.empty());
    expect_consistent(m, X);
    // The standard scaler's centre and scale are the training mean and population std.
    for (int32_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(m.scaler.center[size_t(j)], m.feature_mean[size_t(j)], 1e-12 * 100);
        EXPECT_NEAR(m.scaler.scale[size_t(j)], m.feature_std[size_t(j)], 1e-12 * 100);
    }
}

TEST(FitModel, WholesaleAndMarketing) {
    const RowMatrix W = testdata::wholesale_customers();
    const RowMatrix M = testdata::marketing_campaign();  // Income empty (NaN) in 24 rows
    const RowMatrix Mc = testdata::complete_rows(M);
    ASSERT_EQ(M.rows(), 2240);
    ASSERT_EQ(Mc.rows(), 2216);
    for (int32_t k : {3, 5, 8}) {
        const Model w = fit(W, k);
        expect_consistent(w, W);
        const Model m = fit(M, k);  // missing = "skip"
        EXPECT_EQ(m.n_skipped, 24);
        EXPECT_EQ(m.n_rows, 2216);
        expect_consistent(m, Mc);
        expect_identical(m, fit(Mc, k));  // skipping == leaving the rows out beforehand
    }
}

TEST(FitModel, BitIdenticalForSameRowsAndSeed) {
    const RowMatrix X = testdata::complete_rows(testdata::marketing_campaign());
    KMeansOptions o;
    o.seed = 42;
    o.n_init = 4;
    expect_identical(fit(X, 6, o), fit(X, 6, o));
    o.init = InitMethod::Random;
    o.scale = ScaleMethod::Robust;
    expect_identical(fit(X, 4, o), fit(X, 4, o));
}

// Rows the caller counted as complete skip the missing policy's scan and give the same model.
TEST(FitModel, RowsKnownCompleteGiveTheSameModel) {
    const RowMatrix X = testdata::complete_rows(testdata::marketing_campaign());
    KMeansOptions o;
    o.n_init = 3;
    for (MissingPolicy policy : {MissingPolicy::Skip, MissingPolicy::Error}) {
        o.missing = policy;
        Model m[2];
        for (int known = 0; known < 2; ++known) {
            RowMatrix copy = X;
            FitInput in;
            in.numeric = copy.data();
            in.n = copy.rows();
            in.dims = static_cast<int32_t>(copy.cols());
            in.complete = known == 1;
            m[known] = fit_model(model_kind(ModelAlgorithm::KMeans), in, 5, o, Interrupt(), 2);
        }
        expect_identical(m[0], m[1]);
        EXPECT_EQ(m[1].n_skipped, 0);
    }
}

// Equal sizes are ordered by centroid, lexicographically; otherwise largest first.
TEST(FitModel, ClusterOrder) {
    // Four tight groups of 5 at (10,10), (0,10), (10,0), (0,0), in that row order.
    RowMatrix X(20, 2);
    const double corners[4][2] = {{10, 10}, {0, 10}, {10, 0}, {0, 0}};
    for (int g = 0; g < 4; ++g)
        for (int r = 0; r < 5; ++r) {
            X(g * 5 + r, 0) = corners[g][0] + 0.01 * r;
            X(g * 5 + r, 1) = corners[g][1] - 0.01 * r;
        }
    KMeansOptions o;
    o.scale = ScaleMethod::None;
    for (uint64_t seed = 0; seed < 5; ++seed) {
        o.seed = seed;
        const Model m = fit(X, 4, o);
        EXPECT_EQ(m.sizes, (std::vector<int64_t>{5, 5, 5, 5}));
        EXPECT_NEAR(m.centroids[0], 0.02, 1e-12);
        EXPECT_NEAR(m.centroids[1], -0.02, 1e-12);
        EXPECT_NEAR(m.centroids[2], 0.02, 1e-12);
        EXPECT_NEAR(m.centroids[3], 9.98, 1e-12);
        EXPECT_NEAR(m.centroids[4], 10.02, 1e-12);
        EXPECT_NEAR(m.centroids[5], -0.02, 1e-12);
        EXPECT_NEAR(m.centroids[6], 10.02, 1e-12);
        EXPECT_NEAR(m.centroids[7], 9.98, 1e-12);
        expect_consistent(m, X);
    }
    // Groups of 3, 7 and 5 rows: sizes 7, 5, 3 whatever the initialisation.
    RowMatrix Y(15, 1);
    Y << 0, 0, 0, 50, 50, 50, 50, 50, 50, 50, 100, 100, 100, 100, 100;
    for (uint64_t seed = 0; seed < 5; ++seed) {
        o.seed = seed;
        const Model m = fit(Y, 3, o);
        EXPECT_EQ(m.sizes, (std::vector<int64_t>{7, 5, 3}));
        EXPECT_EQ(m.centroids, (std::vector<double>{50, 100, 0}));
        EXPECT_EQ(m.mean_distance, (std::vector<double>{0, 0, 0}));
    }
}

TEST(FitModel, MissingSkip) {
    RowMatrix X(8, 2);
    X << 1, 1, kNaN, 2, 1.5, 1, std::numeric_limits<double>::infinity(), 0, 9, 9, 9.5, 9,
        -std::numeric_limits<double>::infinity(), 3, 9, 8;
    const Model m = fit(X, 2);
    EXPECT_EQ(m.n_rows, 5);
    EXPECT_EQ(m.n_skipped, 3);
    RowMatrix kept(5, 2);
    kept << 1, 1, 1.5, 1, 9, 9, 9.5, 9, 9, 8;
    expect_consistent(m, kept);
    expect_identical(m, fit(kept, 2));
}

TEST(FitModel, MissingError) {
    RowMatrix X(4, 2);
    X << 1, 1, 2, 2, 3, kNaN, 4, 4;
    KMeansOptions o;
    o.missing = MissingPolicy::Error;
    std::string what;
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::NullValue);
    EXPECT_EQ(what, "1 row has a NULL or non-finite element, e.g. {3, NaN}");
    X(3, 0) = -std::numeric_limits<double>::infinity();
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::NullValue);
    EXPECT_EQ(what, "2 rows have a NULL or non-finite element, e.g. {3, NaN}");
    X(2, 1) = 3;
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::NullValue);
    EXPECT_EQ(what, "1 row has a NULL or non-finite element, e.g. {-Infinity, 4}");
    X(3, 0) = 4;
    const Model m = fit(X, 2, o);
    EXPECT_EQ(m.n_rows, 4);
    EXPECT_EQ(m.n_skipped, 0);
}

TEST(FitModel, MissingImpute) {
    RowMatrix X(6, 2);
    X << 1, 10, kNaN, 20, 3, kNaN, 5, 40, std::numeric_limits<double>::infinity(), 50, 7, 60;
    KMeansOptions o;
    o.missing = MissingPolicy::Impute;
    const Model m = fit(X, 2, o);
    ASSERT_EQ(m.impute.size(), 2u);
    EXPECT_DOUBLE_EQ(m.impute[0], (1 + 3 + 5 + 7) / 4.0);
    EXPECT_DOUBLE_EQ(m.impute[1], (10 + 20 + 40 + 50 + 60) / 5.0);
    EXPECT_EQ(m.n_rows, 6);
    EXPECT_EQ(m.n_skipped, 0);
    RowMatrix filled = X;
    filled(1, 0) = filled(4, 0) = 4.0;
    filled(2, 1) = 36.0;
    expect_consistent(m, filled);
    // Same model as fitting the filled rows, apart from the recorded imputation.
    Model plain = fit(filled, 2);
    plain.impute = m.impute;
    expect_identical(m, plain);

    RowMatrix empty_feature(3, 2);
    empty_feature << 1, kNaN, 2, kNaN, 3, kNaN;
    std::string what;
    EXPECT_EQ(fit_error(empty_feature, 2, o, &what), ErrorKind::DataException);
    EXPECT_NE(what.find("feature 2"), std::string::npos) << what;
}

TEST(FitModel, TooFewUsableRows) {
    RowMatrix X(4, 2);
    X << 1, 1, kNaN, 2, 3, 3, 4, kNaN;
    std::string what;
    EXPECT_EQ(fit_error(X, 3, KMeansOptions(), &what), ErrorKind::DataException);
    EXPECT_EQ(what, "kmeans_fit needs at least k usable rows: got 2 usable rows for k = 3");
    EXPECT_EQ(fit_error(X, 5, KMeansOptions(), &what), ErrorKind::DataException);
    RowMatrix one(1, 2);
    one << 1, 2;
    EXPECT_EQ(fit_error(one, 2, KMeansOptions(), &what), ErrorKind::DataException);
    EXPECT_EQ(what, "kmeans_fit needs at least k usable rows: got 1 usable row for k = 2");
}

TEST(FitModel, BadParameters) {
    RowMatrix X(4, 2);
    X << 1, 1, 2, 2, 3, 3, 4, 4;
    std::string what;
    EXPECT_EQ(fit_error(X, 0, KMeansOptions(), &what), ErrorKind::InvalidParameter);
    EXPECT_EQ(fit_error(X, -3, KMeansOptions(), &what), ErrorKind::InvalidParameter);
    KMeansOptions o;
    o.n_init = 0;
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::InvalidParameter);
    o = KMeansOptions();
    o.tol = -1;
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::InvalidParameter);
    o = KMeansOptions();
    o.has_feature_names = true;
    o.feature_names = {"a", "b", "c"};
    EXPECT_EQ(fit_error(X, 2, o, &what), ErrorKind::InvalidParameter);
    EXPECT_NE(what.find("3 names"), std::string::npos) << what;
    RowMatrix huge(3, 1);
    huge << 0, 1e300, 2e300;
    o = KMeansOptions();
    o.scale = ScaleMethod::None;
    EXPECT_EQ(fit_error(huge, 2, o, &what), ErrorKind::DataException);
}

TEST(FitModel, EveryScaleMethod) {
    const RowMatrix X = testdata::wholesale_customers();
    for (ScaleMethod s :
         {ScaleMethod::Standard, ScaleMethod::MinMax, ScaleMethod::Robust, ScaleMethod::None}) {
        KMeansOptions o;
        o.scale = s;
        o.n_init = 2;
        const Model m = fit(X, 4, o);
        EXPECT_EQ(m.scaler.method, s);
        EXPECT_EQ(m.options.scale, s);
        expect_consistent(m, X);
    }
}

TEST(FitModel, KEqualsOneAndKEqualsN) {
    const RowMatrix X = testdata::mall_customers();
    const Model one = fit(X, 1);
    EXPECT_EQ(one.sizes, (std::vector<int64_t>{200}));
    for (double c : one.centroids) EXPECT_NEAR(c, 0.0, 1e-12);  // the mean, standard-scaled
    EXPECT_NEAR(one.inertia, 600.0, 1e-9);
    expect_consistent(one, X);

    RowMatrix Y(6, 2);
    Y << 3, 1, 1, 2, 2, 2, 1, 1, 5, 0, 4, 4;
    KMeansOptions o;
    o.scale = ScaleMethod::None;
    const Model all = fit(Y, 6, o);
    EXPECT_EQ(all.inertia, 0.0);
    EXPECT_EQ(all.sizes, (std::vector<int64_t>(6, 1)));
    EXPECT_EQ(all.centroids, (std::vector<double>{1, 1, 1, 2, 2, 2, 3, 1, 4, 4, 5, 0}));
    expect_consistent(all, Y);
}

// Fewer distinct rows than k still gives k clusters (some empty, as scikit-learn).
TEST(FitModel, DuplicatePoints) {
    RowMatrix X(10, 2);
    for (int i = 0; i < 10; ++i) {
        X(i, 0) = i < 6 ? 1.0 : 3.0;
        X(i, 1) = i < 6 ? 1.0 : 2.0;
    }
    for (InitMethod init : {InitMethod::KMeansPlusPlus, InitMethod::Random}) {
        KMeansOptions o;
        o.init = init;
        const Model m = fit(X, 4, o);
        EXPECT_EQ(m.k, 4);
        ASSERT_EQ(m.sizes.size(), 4u);
        EXPECT_EQ(m.sizes[0], 6);
        EXPECT_EQ(m.sizes[1], 4);
        EXPECT_EQ(m.sizes[2] + m.sizes[3], 0);
        EXPECT_EQ(m.inertia, 0.0);
        expect_consistent(m, X);
    }
}

int32_t g_polls = 0;
int32_t g_cancel_after = 0;

// Reports a pending cancel from the g_cancel_after-th poll on.
bool cancel_after_n() { return ++g_polls >= g_cancel_after; }

TEST(FitModel, ThreadsGiveTheSerialModelAndTheSerialError) {
    // More rows than a few task blocks: blocks of the scaling pass, k-means++ and Lloyd run on
    // threads, and the first bad row is the one reported however the blocks are scheduled.
    const int64_t n = 3 * kTaskBlockRows + 999;
    RowMatrix X(n, 3);
    uint64_t state = 5;
    for (int64_t i = 0; i < X.size(); ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        X.data()[i] = double(state >> 40) * 1e-3 + double(i % 7);
    }
    KMeansOptions o;
    o.n_init = 1;
    RowMatrix c1 = X, c2 = X;
    const Model serial = fit_kmeans_model(RowMap(c1.data(), n, 3), 4, o, Interrupt(), 1);
    const Model threaded = fit_kmeans_model(RowMap(c2.data(), n, 3), 4, o, Interrupt(), 3);
    expect_identical(serial, threaded);
    o.scale = ScaleMethod::None;
    X(kTaskBlockRows + 10, 1) = 1e150;      // block 1
    X(3 * kTaskBlockRows + 5, 2) = -1e150;  // block 3: later, reported by no schedule
    for (int32_t threads : {1, 2, 4}) {
        for (int rep = 0; rep < 5; ++rep) {
            RowMatrix copy = X;
            try {
                fit_kmeans_model(RowMap(copy.data(), n, 3), 4, o, Interrupt(), threads);
                ADD_FAILURE() << "no error";
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find("feature 2 of row " +
                                                     std::to_string(kTaskBlockRows + 11)),
                          std::string::npos)
                    << e.what();
            }
        }
    }
}

TEST(FitModel, Cancellation) {
    const RowMatrix X = testdata::marketing_campaign();
    g_polls = 0;
    g_cancel_after = std::numeric_limits<int32_t>::max();
    fit(X, 5, KMeansOptions(), Interrupt(&cancel_after_n));
    const int32_t total = g_polls;
    ASSERT_GT(total, 10);
    for (int32_t n : {1, 2, total / 2, total}) {
        g_polls = 0;
        g_cancel_after = n;
        EXPECT_THROW(fit(X, 5, KMeansOptions(), Interrupt(&cancel_after_n)), Cancelled);
        EXPECT_EQ(g_polls, n);
    }
}

}  // namespace
}  // namespace cseg
