// The k sweep: options, each model identical to a direct fit, scores identical to the metrics
// on the same labels, undefined scores at k = 1, the elbow and the best silhouette.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "distance.hpp"
#include "model_fit.hpp"
#include "kneedle.hpp"
#include "metrics.hpp"
#include "model_json.hpp"
#include "model_test_util.hpp"
#include "row_order.hpp"
#include "sweep.hpp"
#include "test_rows.hpp"

namespace cseg {
namespace {

using test::expect_error;
using test::view;

// Mall_Customers.csv (age, income, score) in canonical row order, as the aggregate has it.
RowMatrix mall_sorted() {
    RowMatrix X = test::numeric_columns(
        test::read_csv(std::string(CSEG_DATA_DIR) + "/Mall_Customers.csv", ','), {2, 3, 4});
    sort_rows(X.data(), nullptr, X.rows(), static_cast<int32_t>(X.cols()));
    return X;
}

TEST(SweepOptions, DefaultsOwnKeysAndPassThrough) {
    SweepOptions o = parse_sweep_options("{}");
    EXPECT_EQ(o.silhouette_sample, 10000);
    EXPECT_EQ(o.elbow_sensitivity, 1.0);
    EXPECT_EQ(kmeans_options_to_json(o.kmeans), kmeans_options_to_json(KMeansOptions()));
    o = parse_sweep_options(
        R"({"silhouette_sample": null, "elbow_sensitivity": 0.5, "n_init": 3, "tol": 1.5e-7,
            "seed": 9223372036854775807, "scale": "robust", "feature_names": ["a", "b"]})");
    EXPECT_EQ(o.silhouette_sample, 0);
    EXPECT_EQ(o.elbow_sensitivity, 0.5);
    EXPECT_EQ(o.kmeans.n_init, 3);
    EXPECT_EQ(o.kmeans.tol, 1.5e-7);
    EXPECT_EQ(o.kmeans.seed, 9223372036854775807ULL);
    EXPECT_EQ(o.kmeans.scale, ScaleMethod::Robust);
    EXPECT_EQ(o.kmeans.feature_names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(parse_sweep_options(R"({"silhouette_sample": 500})").silhouette_sample, 500);
}

TEST(SweepOptions, Errors) {
    const auto bad = [](const char* json, const char* needle) {
        return expect_error([&] { parse_sweep_options(json); }, ErrorKind::InvalidParameter,
                            needle);
    };
    bad(R"({"silhouette_sample": 0})", "kmeans_sweep option \"silhouette_sample\" must be");
    bad(R"({"silhouette_sample": 1.5})", "\"silhouette_sample\" must be a positive integer");
    bad(R"({"elbow_sensitivity": -1})", "\"elbow_sensitivity\" must be a number >= 0");
    bad(R"({"elbow_sensitivity": "1"})", "\"elbow_sensitivity\" must be a number >= 0");
    bad(R"({"n_init": 0})", "kmeans_sweep option \"n_init\"");
    bad("[1]", "kmeans_sweep options must be a JSON object");
    // Every k is fitted on all rows: kmeans_fit's "sample" is refused (issue 11, item 10).
    bad(R"({"sample": 50})", "kmeans_sweep has no option \"sample\"");
    try {
        parse_sweep_options(R"({"k": 3})");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown kmeans_sweep option \"k\""),
                  std::string::npos)
            << e.what();
        EXPECT_NE(e.detail().find("silhouette_sample, elbow_sensitivity"), std::string::npos)
            << e.detail();
    }
}

TEST(Sweep, EveryKEqualsADirectFitAndItsScores) {
    const RowMatrix X = mall_sorted();
    SweepOptions o;
    o.kmeans.n_init = 4;
    const SweepResult r = kmeans_sweep(view(X), 1, 6, o, Interrupt());
    ASSERT_EQ(r.points.size(), 6u);
    EXPECT_EQ(r.n_rows, 200);
    EXPECT_EQ(r.n_skipped, 0);
    EXPECT_EQ(r.silhouette_rows, 200);
    for (const SweepPoint& p : r.points) {
        SCOPED_TRACE("k = " + std::to_string(p.k));
        RowMatrix work = X;
        const Model m = fit_kmeans_model(RowMap(work.data(), work.rows(), work.cols()), p.k,
                                         o.kmeans, Interrupt());
        EXPECT_EQ(model_to_json(p.model), model_to_json(m));
        EXPECT_EQ(p.inertia, m.inertia);
        if (p.k == 1) {
            EXPECT_TRUE(std::isnan(p.silhouette));
            EXPECT_TRUE(std::isnan(p.davies_bouldin));
            EXPECT_TRUE(std::isnan(p.calinski_harabasz));
            EXPECT_FALSE(p.best_silhouette);
            continue;
        }
        // work now holds the scaled rows: label them as seg_assign does and score.
        std::vector<int32_t> labels;
        for (int64_t i = 0; i < work.rows(); ++i)
            labels.push_back(
                nearest_centroid(work.row(i).data(), m.centroids.data(), m.k, m.dims, nullptr));
        EXPECT_EQ(p.silhouette, silhouette_score(view(work), labels.data(), Interrupt()));
        EXPECT_EQ(p.davies_bouldin, davies_bouldin(view(work), labels.data(), Interrupt()));
        EXPECT_EQ(p.calinski_harabasz, calinski_harabasz(view(work), labels.data(), Interrupt()));
    }
}

TEST(Sweep, MarksTheElbowAndTheBestSilhouette) {
    const RowMatrix X = mall_sorted();
    SweepOptions o;
    o.kmeans.n_init = 4;
    const SweepResult r = kmeans_sweep(view(X), 2, 10, o, Interrupt());
    std::vector<double> k, inertia;
    int elbows = 0, bests = 0;
    const SweepPoint* best = nullptr;
    for (const SweepPoint& p : r.points) {
        k.push_back(p.k);
        inertia.push_back(p.inertia);
        elbows += p.elbow;
        bests += p.best_silhouette;
        if (best == nullptr || p.silhouette > best->silhouette) best = &p;
    }
    const int64_t knee =
        find_knee(k.data(), inertia.data(), 9, KneeCurve::Convex, KneeDirection::Decreasing);
    ASSERT_GE(knee, 0);
    EXPECT_EQ(elbows, 1);
    EXPECT_TRUE(r.points[size_t(knee)].elbow);
    EXPECT_EQ(bests, 1);
    EXPECT_TRUE(best->best_silhouette);
    // A higher sensitivity asks for a flatter tail: never an earlier elbow.
    o.elbow_sensitivity = 3.0;
    const SweepResult strict = kmeans_sweep(view(X), 2, 10, o, Interrupt());
    for (size_t i = 0; i < strict.points.size(); ++i)
        if (strict.points[i].elbow) {
            EXPECT_GE(i, size_t(knee));
        }
}

TEST(Sweep, SampledSilhouetteUsesTheSameRowsForEveryK) {
    const RowMatrix X = mall_sorted();
    SweepOptions o;
    o.kmeans.n_init = 2;
    o.kmeans.seed = 5;
    o.silhouette_sample = 60;
    const SweepResult r = kmeans_sweep(view(X), 3, 4, o, Interrupt());
    EXPECT_EQ(r.silhouette_rows, 60);
    for (const SweepPoint& p : r.points) {
        RowMatrix work = X;
        const Model m = fit_kmeans_model(RowMap(work.data(), work.rows(), work.cols()), p.k,
                                         o.kmeans, Interrupt());
        std::vector<int32_t> labels;
        for (int64_t i = 0; i < work.rows(); ++i)
            labels.push_back(
                nearest_centroid(work.row(i).data(), m.centroids.data(), m.k, m.dims, nullptr));
        EXPECT_EQ(p.silhouette, silhouette_score(view(work), labels.data(), Interrupt(), 60, 5));
        EXPECT_NE(p.silhouette, silhouette_score(view(work), labels.data(), Interrupt()));
    }
}

TEST(Sweep, MissingRowsAreSkippedOnce) {
    RowMatrix X = mall_sorted();
    X(3, 1) = std::numeric_limits<double>::quiet_NaN();
    X(7, 0) = std::numeric_limits<double>::infinity();
    SweepOptions o;
    o.kmeans.n_init = 1;
    const SweepResult r = kmeans_sweep(view(X), 2, 3, o, Interrupt());
    EXPECT_EQ(r.n_rows, 198);
    EXPECT_EQ(r.n_skipped, 2);
    for (const SweepPoint& p : r.points) EXPECT_EQ(p.model.n_rows, 198);
}

TEST(Sweep, KEqualToTheRowsHasNoScores) {
    RowMatrix X(4, 1);
    X << 0, 1, 5, 6;
    SweepOptions o;
    const SweepResult r = kmeans_sweep(view(X), 2, 4, o, Interrupt());
    EXPECT_FALSE(std::isnan(r.points[0].silhouette));  // k = 2
    EXPECT_FALSE(std::isnan(r.points[1].silhouette));  // k = 3 = n - 1
    EXPECT_TRUE(std::isnan(r.points[2].silhouette));   // k = 4 = n: sklearn refuses
    EXPECT_TRUE(r.points[0].best_silhouette);
}

TEST(Sweep, Errors) {
    const RowMatrix X = mall_sorted();
    const SweepOptions o;
    expect_error([&] { kmeans_sweep(view(X), 0, 3, o, Interrupt()); }, ErrorKind::InvalidParameter,
                 "1 <= k_min <= k_max, got k_min = 0");
    expect_error([&] { kmeans_sweep(view(X), 4, 3, o, Interrupt()); }, ErrorKind::InvalidParameter,
                 "k_max = 3");
    expect_error([&] { kmeans_sweep(view(X.topRows(5)), 2, 6, o, Interrupt()); },
                 ErrorKind::DataException, "kmeans_sweep needs at least k usable rows");
    const Interrupt cancel([] { return true; });
    EXPECT_THROW(kmeans_sweep(view(X), 2, 3, o, cancel), Cancelled);
}

}  // namespace
}  // namespace cseg
