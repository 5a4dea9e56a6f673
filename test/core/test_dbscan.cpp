// Unit tests of DBSCAN (src/core/dbscan.cpp) against scikit-learn's DBSCAN: per-row answers in
// test/reference/dbscan_<set>.csv, written by test/reference/dbscan_reference.py.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "csv.hpp"
#include "dbscan.hpp"
#include "distance.hpp"
#include "model_codec.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "rng.hpp"
#include "scaler.hpp"
#include "test_rows.hpp"

namespace cseg {
namespace {

using test::view;
using test::standardised;
using test::data_set;

// scikit-learn's is_core and label per row.
struct SkAnswer {
    std::vector<int> is_core, label;
};
SkAnswer read_answer(const std::string& name) {
    std::ifstream in(std::string(CSEG_DATA_DIR) + "/../test/reference/dbscan_" + name + ".csv");
    SkAnswer a;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto comma = line.find(',');
        a.is_core.push_back(std::stoi(line.substr(0, comma)));
        a.label.push_back(std::stoi(line.substr(comma + 1)));
    }
    return a;
}

// Squared distance of two rows.
double dist2(const RowMatrix& X, Eigen::Index i, Eigen::Index j) {
    return (X.row(i) - X.row(j)).squaredNorm();
}

// Core rows and the clusters of core rows equal scikit-learn's exactly (both number clusters
// by their lowest-index core row); a border row is in a cluster with a core row within eps
// (scikit-learn's choice among several such clusters depends on row order, ours is the
// nearest core row), noise is noise.
TEST(Dbscan, MatchesScikitLearnOnTheShippedSets) {
    const struct {
        const char* set;
        double eps;
        int32_t min_samples;
        int32_t clusters;  // dbscan_reference.txt
    } cases[] = {{"mall", 0.5, 5, 6}, {"wholesale", 0.6, 4, 3}, {"marketing", 1.8, 6, 7}};
    for (const auto& c : cases) {
        SCOPED_TRACE(c.set);
        const RowMatrix X = data_set(c.set);
        const SkAnswer sk = read_answer(c.set);
        ASSERT_EQ(int64_t(sk.label.size()), X.rows());
        const DbscanRun run = dbscan_run(view(X), c.eps, c.min_samples, Interrupt());
        EXPECT_EQ(run.n_clusters, c.clusters);
        int border_differs = 0;
        for (Eigen::Index i = 0; i < X.rows(); ++i) {
            ASSERT_EQ(int(run.is_core[size_t(i)]), sk.is_core[size_t(i)]) << "row " << i;
            if (run.is_core[size_t(i)]) {
                ASSERT_EQ(run.labels[size_t(i)], sk.label[size_t(i)]) << "row " << i;
                continue;
            }
            ASSERT_EQ(run.labels[size_t(i)] < 0, sk.label[size_t(i)] < 0) << "row " << i;
            if (run.labels[size_t(i)] < 0) continue;
            // Its cluster has a core row within eps, and that is the nearest core row.
            double nearest = INFINITY;
            int32_t nearest_label = -2;
            for (Eigen::Index j = 0; j < X.rows(); ++j)
                if (run.is_core[size_t(j)] && dist2(X, i, j) < nearest) {
                    nearest = dist2(X, i, j);
                    nearest_label = run.labels[size_t(j)];
                }
            ASSERT_LE(nearest, c.eps * c.eps);
            ASSERT_EQ(run.labels[size_t(i)], nearest_label);
            border_differs += run.labels[size_t(i)] != sk.label[size_t(i)];
        }
        // On these sets no border row lies within eps of two clusters.
        EXPECT_EQ(border_differs, 0);
    }
}

// min_samples counts the row itself: 1 makes every row a core row.
TEST(Dbscan, MinSamplesCountsTheRowItself) {
    RowMatrix X(4, 1);
    X << 0.0, 1.0, 5.0, 5.5;
    DbscanRun r = dbscan_run(view(X), 1.0, 2, Interrupt());  // distance exactly eps counts
    EXPECT_EQ(r.labels, (std::vector<int32_t>{0, 0, 1, 1}));
    r = dbscan_run(view(X), 0.9, 2, Interrupt());
    EXPECT_EQ(r.labels, (std::vector<int32_t>{-1, -1, 0, 0}));
    r = dbscan_run(view(X), 0.1, 1, Interrupt());
    EXPECT_EQ(r.n_clusters, 4);
    r = dbscan_run(view(X), 0.6, 3, Interrupt());
    EXPECT_EQ(r.n_clusters, 0);
}

// A new row: the cluster of the nearest core row within eps, else -1.
TEST(Dbscan, CoreIndexAssign) {
    const double pts[] = {0, 0, 1, 0, 10, 10};
    const int32_t lab[] = {0, 0, 1};
    DbscanCoreIndex idx(pts, lab, 3, 2, 1.5);
    const double a[] = {0.6, 0.1}, b[] = {10.5, 10.0}, c[] = {5, 5};
    double d2 = 0;
    EXPECT_EQ(idx.assign(a, &d2), 0);
    EXPECT_NEAR(d2, 0.16 + 0.01, 1e-15);
    EXPECT_EQ(idx.assign(b), 1);
    EXPECT_EQ(idx.assign(c, &d2), -1);
    EXPECT_TRUE(std::isinf(d2));
}

// seg_assign's rule before the k-d tree (a scan of the stored core points, ties to the first):
// the reference the tree must reproduce bit for bit; a row whose squared distances overflow
// gets its exact (euclidean_distance) distance to the nearest core point.
int32_t scan_assign(const ModelView& v, const double* x, double* distance) {
    const int64_t m = v.kind_rows[2];  // core_points
    const double* pts = v.kind_doubles(2);
    const int64_t* cl = v.kind_integers(3);  // core_clusters
    double best = std::numeric_limits<double>::infinity();
    int64_t best_i = -1;
    for (int64_t i = 0; i < m; ++i) {
        const double* p = pts + i * v.dims;
        double s = 0.0;
        for (int32_t j = 0; j < v.dims && s < best; ++j) {
            const double t = x[j] - p[j];
            s += t * t;
        }
        if (s < best) {
            best = s;
            best_i = i;
        }
    }
    const double eps = v.kind_doubles(0)[0];
    if (!(best <= std::numeric_limits<double>::max())) {  // overflowed: exact distances
        double d = std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < m; ++i) {
            const double e = cseg::euclidean_distance(x, pts + i * v.dims, v.dims);
            if (e < d) d = e, best_i = i;
        }
        *distance = d;
        return d <= eps ? static_cast<int32_t>(cl[best_i]) : -1;
    }
    *distance = std::sqrt(best);
    if (best_i < 0 || best > eps * eps) return -1;
    return static_cast<int32_t>(cl[best_i]);
}

// The DBSCAN kind's assign (k-d tree over the core points, prepared once) gives the scan's
// label and distance for every row: the training rows, points exactly eps from core points,
// midpoints between core points (distance ties), rows far away, and on a grid full of ties.
TEST(Dbscan, ModelAssignEqualsTheScan) {
    Rng rng(21);
    for (int32_t d : {2, 3, 7}) {
        RowMatrix X(1500, d);
        for (Eigen::Index i = 0; i < X.rows(); ++i)
            for (int32_t j = 0; j < d; ++j)  // half on an integer grid, half spread out
                X(i, j) = i % 2 == 0 ? double(rng.next() % 3) : rng.next_double() * 6.0;
        KMeansOptions o = parse_model_options(R"({"scale": "none"})", ModelAlgorithm::Dbscan);
        o.dbscan_eps = 1.0;
        o.dbscan_min_samples = 3;
        RowMatrix work = X;
        FitInput in;
        in.numeric = work.data();
        in.n = work.rows();
        in.dims = d;
        const Model m = fit_model(model_kind(ModelAlgorithm::Dbscan), in, 1, o, Interrupt());
        std::vector<uint64_t> encoded((model_encoded_size(m) + 7) / 8);
        model_encode(m, reinterpret_cast<uint8_t*>(encoded.data()));
        const ModelView v =
            model_view(reinterpret_cast<const uint8_t*>(encoded.data()), model_encoded_size(m));
        const ModelKind& kind = model_kind(ModelAlgorithm::Dbscan);
        std::vector<uint64_t> prepared((kind.prepared_bytes(v) + 7) / 8);
        kind.prepare(v, prepared.data());
        ASSERT_GT(v.kind_rows[2], 100);

        std::vector<std::vector<double>> queries;
        for (Eigen::Index i = 0; i < X.rows(); ++i)
            queries.emplace_back(X.row(i).data(), X.row(i).data() + d);
        const double* core = v.kind_doubles(2);
        for (int64_t i = 0; i + 1 < v.kind_rows[2]; i += 7) {
            std::vector<double> mid(static_cast<size_t>(d), 0.0);
            std::vector<double> at_eps(core + i * d, core + (i + 1) * d);
            for (int32_t j = 0; j < d; ++j) mid[size_t(j)] = 0.5 * (core[i * d + j] + core[(i + 1) * d + j]);
            at_eps[size_t(i % d)] += 1.0;  // exactly eps away along one axis
            queries.push_back(mid);
            queries.push_back(at_eps);
        }
        for (int32_t q = 0; q < 300; ++q) {  // anywhere around the rows
            std::vector<double> r(static_cast<size_t>(d));
            for (double& x : r) x = rng.next_double() * 10.0 - 2.0;
            queries.push_back(r);
        }
        queries.emplace_back(size_t(d), 1e200);
        queries.emplace_back(size_t(d), -50.0);
        queries.emplace_back(size_t(d), std::numeric_limits<double>::infinity());
        int64_t noise = 0, clustered = 0;
        for (const std::vector<double>& q : queries) {
            double want_distance = 0, got_distance = 0;
            const int32_t want = scan_assign(v, q.data(), &want_distance);
            const int32_t got = kind.assign(v, prepared.data(), {q.data(), nullptr}, &got_distance);
            ASSERT_EQ(got, want);
            ASSERT_EQ(std::memcmp(&got_distance, &want_distance, sizeof(double)), 0)
                << got_distance << " vs " << want_distance;
            (want < 0 ? noise : clustered) += 1;
        }
        EXPECT_GT(noise, 3);
        EXPECT_GT(clustered, 100);
    }
}

// Labels do not depend on the runner (several blocks).
TEST(Dbscan, ThreadsGiveIdenticalResults) {
    Rng rng(9);
    RowMatrix X(140000, 2);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.next_double() * 10.0;
    const DbscanRun a = dbscan_run(view(X), 0.05, 5, Interrupt());
    const DbscanRun b = dbscan_run(view(X), 0.05, 5, Interrupt(), threads_runner(2));
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.is_core, b.is_core);
    const DbscanRun c = dbscan_run(view(X), 0.05, 5, Interrupt(), threads_runner(3));
    EXPECT_EQ(a.labels, c.labels);
    EXPECT_EQ(a.n_clusters, c.n_clusters);
}

// The clusters as the breadth-first growth from the lowest core row numbers them: every core
// row of a cluster within eps of another of its core rows, clusters numbered by their lowest
// core row, borders in the cluster of their nearest core row.
TEST(Dbscan, ClustersNumberedByTheirLowestCoreRow) {
    Rng rng(21);
    RowMatrix X(3000, 2);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.next_double() * 10.0;
    const double eps = 0.25;
    const DbscanRun run = dbscan_run(view(X), eps, 4, Interrupt(), threads_runner(2));
    const int64_t n = X.rows();
    // The reference: breadth-first growth over all pairs.
    std::vector<int32_t> want(size_t(n), -1);
    int32_t clusters = 0;
    for (int64_t s = 0; s < n; ++s) {
        if (!run.is_core[size_t(s)] || want[size_t(s)] >= 0) continue;
        std::vector<int64_t> queue{s};
        want[size_t(s)] = clusters;
        for (size_t h = 0; h < queue.size(); ++h)
            for (int64_t q = 0; q < n; ++q)
                if (run.is_core[size_t(q)] && want[size_t(q)] < 0 &&
                    (X.row(queue[h]) - X.row(q)).squaredNorm() <= eps * eps) {
                    want[size_t(q)] = clusters;
                    queue.push_back(q);
                }
        ++clusters;
    }
    EXPECT_EQ(run.n_clusters, clusters);
    EXPECT_GT(clusters, 3);
    for (int64_t i = 0; i < n; ++i) {
        if (run.is_core[size_t(i)]) {
            EXPECT_EQ(run.labels[size_t(i)], want[size_t(i)]) << i;
        }
    }
}

// The k-distance curve equals scikit-learn's NearestNeighbors(10) on mall
// (dbscan_reference.txt: sum 145.26032482629768, max 1.954770037898919).
TEST(Dbscan, KDistancesMatchScikitLearn) {
    const RowMatrix X = data_set("mall");
    const std::vector<double> kd = k_distances(view(X), 10, Interrupt());
    double sum = 0;
    for (double v : kd) sum += v;
    EXPECT_NEAR(sum, 145.26032482629768, 1e-9);
    EXPECT_NEAR(kd.back(), 1.954770037898919, 1e-12);
    const DbscanChoice ch = dbscan_default_parameters(view(X), Interrupt());
    EXPECT_EQ(ch.min_samples, 6);
    EXPECT_GT(ch.eps, kd.front());
    EXPECT_LT(ch.eps, kd.back());
}

TEST(Dbscan, BadParameters) {
    RowMatrix X(3, 1);
    X << 0, 1, 2;
    EXPECT_THROW(dbscan_run(view(X), 0.0, 2, Interrupt()), Error);
    EXPECT_THROW(dbscan_run(view(X), NAN, 2, Interrupt()), Error);
    EXPECT_THROW(dbscan_run(view(X), 1.0, 0, Interrupt()), Error);
}

}  // namespace
}  // namespace cseg
