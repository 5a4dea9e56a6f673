// The stream engine's core: the seeding state does not depend on how the rows are split or
// ordered, its moments equal the column statistics, and its Lloyd passes reproduce
// kmeans_single's iterations from the same starting centres.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "distance.hpp"
#include "errors.hpp"
#include "feature_stats.hpp"
#include "kmeans.hpp"
#include "kmeans_stream.hpp"
#include "model_codec.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "rng.hpp"

namespace {

// A seeding state with its own storage.
struct Seed {
    int64_t n_rows = 0, n_skipped = 0, sampled = 0;
    std::vector<double> moments;
    std::vector<uint64_t> keys;
    std::vector<int64_t> heap;
    std::vector<double> rows;
    cseg::StreamSeedView view;

    Seed(int32_t dims, int64_t capacity, uint64_t seed)
        : moments(size_t(6 * dims)), keys(size_t(capacity)), heap(size_t(capacity)),
          rows(size_t(capacity * dims)) {
        view.dims = dims;
        view.capacity = capacity;
        view.seed = seed;
        view.n_rows = &n_rows;
        view.n_skipped = &n_skipped;
        view.sampled = &sampled;
        view.count = moments.data();
        view.mean = view.count + dims;
        view.m2 = view.count + 2 * dims;
        view.min = view.count + 3 * dims;
        view.max = view.count + 4 * dims;
        view.missing = view.count + 5 * dims;
        view.keys = keys.data();
        view.heap = heap.data();
        view.rows = rows.data();
        cseg::stream_seed_reset(view);
    }

    // The sampled rows, sorted (a set, whatever the heap order).
    std::vector<std::vector<double>> sample() const {
        std::vector<std::vector<double>> out;
        for (int64_t i = 0; i < sampled; ++i) {
            const double* r = rows.data() + heap[size_t(i)] * view.dims;
            out.emplace_back(r, r + view.dims);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
};

// A pass state with its own storage.
struct Pass {
    int64_t n_rows = 0, n_skipped = 0;
    double inertia = 0;
    std::vector<double> sums, dist_sum;
    std::vector<int64_t> counts;
    cseg::LloydSumsView view;

    Pass(int32_t k, int32_t dims) : sums(size_t(k * dims)), dist_sum(size_t(k)), counts(size_t(k)) {
        view.k = k;
        view.dims = dims;
        view.n_rows = &n_rows;
        view.n_skipped = &n_skipped;
        view.inertia = &inertia;
        view.sums = sums.data();
        view.counts = counts.data();
        view.dist_sum = dist_sum.data();
        cseg::lloyd_sums_reset(view);
    }
};

// n rows of 3 features in 4 overlapping groups.
cseg::RowMatrix groups(int64_t n, uint64_t seed) {
    cseg::Rng rng(seed);
    cseg::RowMatrix X(n, 3);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t g = int64_t(rng.bounded(4));
        for (int32_t j = 0; j < 3; ++j)
            X(i, j) = double((g + j) % 3) * 2.0 + rng.next_double() + rng.next_double();
    }
    return X;
}

TEST(KMeansStream, SeedStateIsTheSameForAnySplitAndOrder) {
    const cseg::RowMatrix X = groups(5000, 7);
    Seed whole(3, 300, 42);
    for (int64_t i = 0; i < X.rows(); ++i) cseg::stream_seed_add(whole.view, X.row(i).data());

    // Reversed, in three parts merged in another order.
    Seed a(3, 300, 42), b(3, 300, 42), c(3, 300, 42);
    for (int64_t i = X.rows() - 1; i >= 0; --i) {
        Seed& part = i % 3 == 0 ? a : (i % 3 == 1 ? b : c);
        cseg::stream_seed_add(part.view, X.row(i).data());
    }
    cseg::stream_seed_merge(c.view, a.view);
    cseg::stream_seed_merge(c.view, b.view);

    EXPECT_EQ(whole.n_rows, 5000);
    EXPECT_EQ(c.n_rows, 5000);
    EXPECT_EQ(whole.sampled, 300);
    EXPECT_EQ(whole.sample(), c.sample());
    for (int32_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(whole.view.mean[j], c.view.mean[j], 1e-12);
        EXPECT_NEAR(whole.view.m2[j] / c.view.m2[j], 1.0, 1e-12);
        EXPECT_EQ(whole.view.min[j], c.view.min[j]);
        EXPECT_EQ(whole.view.max[j], c.view.max[j]);
    }
    // Another seed draws another sample.
    Seed other(3, 300, 43);
    for (int64_t i = 0; i < X.rows(); ++i) cseg::stream_seed_add(other.view, X.row(i).data());
    EXPECT_NE(whole.sample(), other.sample());
}

TEST(KMeansStream, MomentsAreTheColumnStatistics) {
    const cseg::RowMatrix X = groups(2000, 3);
    Seed s(3, 10, 1);
    for (int64_t i = 0; i < X.rows(); ++i) cseg::stream_seed_add(s.view, X.row(i).data());
    std::vector<double> mean, sd;
    cseg::column_mean_std(cseg::ConstRowMap(X.data(), X.rows(), 3), mean, sd, cseg::Interrupt());
    for (int32_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(s.view.mean[j], mean[size_t(j)], 1e-12);
        EXPECT_NEAR(std::sqrt(s.view.m2[j] / s.view.count[j]), sd[size_t(j)], 1e-12);
    }
}

TEST(KMeansStream, NegativeZeroAndNaNHashAlike) {
    const double a[2] = {0.0, std::nan("1")};
    const double b[2] = {-0.0, std::nan("2")};
    EXPECT_EQ(cseg::stream_row_hash(a, 2, 9), cseg::stream_row_hash(b, 2, 9));
    EXPECT_NE(cseg::stream_row_hash(a, 2, 9), cseg::stream_row_hash(a, 2, 10));
}

TEST(KMeansStream, PassesFollowLloydFromTheSameStart) {
    const cseg::RowMatrix X = groups(3000, 11);
    Seed s(3, 500, 5);
    for (int64_t i = 0; i < X.rows(); ++i) cseg::stream_seed_add(s.view, X.row(i).data());
    cseg::KMeansOptions opts;
    opts.n_init = 2;
    opts.refine = cseg::RefineMethod::None;
    cseg::Model m = cseg::stream_start(s.view, 4, opts, cseg::Interrupt());
    EXPECT_EQ(m.n_rows, 500);  // the sample's

    // The rows in the model's scaled space; Lloyd in memory from the same centres.
    cseg::RowMatrix Z = X;
    m.scaler.transform_rows(cseg::RowMap(Z.data(), Z.rows(), 3));
    const cseg::ConstRowMap Zc(Z.data(), Z.rows(), 3);
    cseg::RowMatrix start(4, 3);
    std::copy(m.centroids.begin(), m.centroids.end(), start.data());
    const double tol = cseg::stream_tolerance(s.view, m);
    EXPECT_NEAR(tol, cseg::kmeans_tolerance(Zc, 1e-4), 1e-15);
    const cseg::KMeansRun run =
        cseg::kmeans_single(Zc, start, 300, tol, cseg::LloydVariant::Plain, cseg::Interrupt());

    // The stream engine: a pass over every row per iteration.
    auto pass_over = [&](const cseg::Model& model, Pass& p) {
        for (int64_t i = 0; i < Z.rows(); ++i) {
            double sq;
            const int32_t c = cseg::nearest_centroid(Z.row(i).data(), model.centroids.data(),
                                                     model.k, 3, &sq);
            cseg::lloyd_sums_add(p.view, Z.row(i).data(), c, sq);
        }
    };
    int32_t passes = 0;
    for (;;) {
        Pass p(4, 3);
        pass_over(m, p);
        const cseg::Model next = cseg::stream_update(m, p.view);
        const double shift = cseg::stream_centre_shift(m, next);
        m = next;
        ++passes;
        if (shift <= tol || passes >= 300) break;
    }
    Pass last(4, 3);
    pass_over(m, last);
    const cseg::Model done = cseg::stream_finish(m, last.view);
    EXPECT_EQ(passes, run.n_iter);
    EXPECT_NEAR(done.inertia / run.inertia, 1.0, 1e-12);
    std::vector<int64_t> run_sizes(4, 0);
    for (int32_t label : run.labels) ++run_sizes[size_t(label)];
    std::sort(run_sizes.rbegin(), run_sizes.rend());
    EXPECT_EQ(done.sizes, run_sizes);  // numbered by size, largest first
    EXPECT_EQ(done.n_rows, 3000);
}

TEST(KMeansStream, RobustScalingAndTooFewRowsAreErrors) {
    Seed s(2, 10, 1);
    const double r[2] = {1.0, 2.0};
    cseg::stream_seed_add(s.view, r);
    cseg::KMeansOptions opts;
    EXPECT_THROW(cseg::stream_start(s.view, 2, opts, cseg::Interrupt()), cseg::Error);
    opts.scale = cseg::ScaleMethod::Robust;
    EXPECT_THROW(cseg::stream_start(s.view, 1, opts, cseg::Interrupt()), cseg::Error);
}

}  // namespace


namespace cseg {
// ModelKind::assign_rows (the stream pass's blocks) gives the labels and distances of one
// assign() per row, bit for bit: for k-means (its blocked override, near ties and rows far
// outside the model included) and for the hierarchical kind (the default loop).
TEST(KMeansStream, AssignRowsEqualsAssignPerRow) {
    for (const int32_t k : {1, 3, 8, 13}) {
        for (const int32_t d : {1, 3, 8}) {
            Rng rng(uint64_t(100 * k + d));
            const int64_t n = 203;  // not a multiple of the 4-row block
            RowMatrix X(n, d);
            for (int64_t i = 0; i < n; ++i)
                for (int32_t j = 0; j < d; ++j) X(i, j) = rng.next_double() * 10.0 + (i % 5);
            for (const ModelAlgorithm algorithm :
                 {ModelAlgorithm::KMeans, ModelAlgorithm::Hierarchical}) {
                if (algorithm == ModelAlgorithm::Hierarchical && k > n) continue;
                RowMatrix fitted = X;
                FitInput in;
                in.numeric = fitted.data();
                in.n = n;
                in.dims = d;
                const ModelKind& kind = model_kind(algorithm);
                const Model m = fit_model(kind, in, k, parse_model_options("{}", algorithm), {});
                std::vector<uint64_t> buf((model_encoded_size(m) + 7) / 8);
                model_encode(m, reinterpret_cast<uint8_t*>(buf.data()));
                const ModelView v =
                    model_view(reinterpret_cast<uint8_t*>(buf.data()), model_encoded_size(m));
                std::vector<uint64_t> prepared((kind.prepared_bytes(v) + 7) / 8 + 1);
                kind.prepare(v, prepared.data());
                // Scaled rows, with a duplicate of a centroid (a tie at 0), a midpoint of two
                // centroids (a near tie) and rows at 1e200 and -1e300 (the wide comparison).
                RowMatrix S(n, d);
                for (int64_t i = 0; i < n; ++i)
                    for (int32_t j = 0; j < d; ++j) S(i, j) = (X(i, j) - v.center[j]) / v.scale[j];
                for (int32_t j = 0; j < d; ++j) {
                    S(5, j) = v.centroids[j];
                    if (v.k > 1) S(6, j) = 0.5 * (v.centroids[j] + v.centroids[d + j]);
                    S(7, j) = 1e200;
                    S(9, j) = j == 0 ? -1e300 : 1.0;
                }
                std::vector<int32_t> labels(size_t(n), -2);
                std::vector<double> dist(size_t(n), -1.0);
                kind.assign_rows(v, prepared.data(), S.data(), n, labels.data(), dist.data());
                for (int64_t i = 0; i < n; ++i) {
                    double one = -1.0;
                    const int32_t c =
                        kind.assign(v, prepared.data(), {S.data() + i * d, nullptr}, &one);
                    ASSERT_EQ(labels[size_t(i)], c) << "k " << k << " d " << d << " row " << i;
                    ASSERT_EQ(std::memcmp(&dist[size_t(i)], &one, sizeof one), 0)
                        << dist[size_t(i)] << " vs " << one << " row " << i;
                }
            }
        }
    }
}

}  // namespace cseg

// Rows skipped for missing values are counted per feature, through merges, and a start with
// no usable row names the features in its detail (as kmeans_fit's does).
TEST(KMeansStream, SkippedRowsNameTheirMissingFeatures) {
    const double nan = std::nan("");
    Seed a(3, 10, 1), b(3, 10, 1);
    const double r1[3] = {1.0, nan, nan}, r2[3] = {nan, 2.0, nan}, r3[3] = {1.0, 2.0, nan};
    cseg::stream_seed_skip(a.view, r1);
    cseg::stream_seed_skip(a.view, r2);
    cseg::stream_seed_skip(b.view, r3);
    cseg::stream_seed_merge(a.view, b.view);
    EXPECT_EQ(a.n_skipped, 3);
    EXPECT_EQ(a.view.missing[0], 1.0);
    EXPECT_EQ(a.view.missing[1], 1.0);
    EXPECT_EQ(a.view.missing[2], 3.0);
    cseg::KMeansOptions opts;
    opts.feature_names = {"x", "y", "z"};
    opts.has_feature_names = true;
    try {
        cseg::stream_start(a.view, 2, opts, cseg::Interrupt(), 1);
        FAIL() << "no error";
    } catch (const cseg::Error& e) {
        EXPECT_EQ(std::string(e.detail()),
                  "3 rows with a NULL or non-finite element were skipped. Missing by feature: "
                  "\"z\" in 3 rows, \"x\" in 1 row, \"y\" in 1 row.");
    }
}
