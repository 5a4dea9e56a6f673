// Unit tests of seg_compare's core (src/core/compare.cpp): options, and every row equal to the
// model its own fit gives and scored alike, on the mall customers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "compare.hpp"
#include "csv.hpp"
#include "errors.hpp"
#include "hclust_model.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "row_order.hpp"

namespace cseg {
namespace {

const Interrupt kNoInterrupt;

// The mall customers in canonical order.
RowMatrix mall() {
    RowMatrix X = testdata::mall_customers();
    sort_rows(X.data(), nullptr, X.rows(), static_cast<int32_t>(X.cols()), kNoInterrupt);
    return X;
}

// The model fit_model gives kind a on a copy of X with the options of a's per-kind object.
Model own_fit(ModelAlgorithm a, const RowMatrix& X, int32_t k, const std::string& json,
              double eps = 0.0, int32_t min_samples = 0) {
    RowMatrix work = X;
    KMeansOptions o = parse_model_options(json, a);
    o.dbscan_eps = eps;
    o.dbscan_min_samples = min_samples;
    FitInput in;
    in.numeric = work.data();
    in.n = work.rows();
    in.dims = static_cast<int32_t>(work.cols());
    in.canonical = true;
    return fit_model(model_kind(a), in, k, o, kNoInterrupt);
}

TEST(Compare, OptionsMergePerKindOverCommon) {
    const CompareOptions o = parse_compare_options(
        R"({"seed": 4, "scale": "minmax", "gmm": {"covariance": "tied", "seed": 9},
            "eps": 0.3, "min_samples": 7, "silhouette_sample": null})");
    ASSERT_EQ(o.per_kind.size(), 4u);
    EXPECT_EQ(parse_model_options(o.per_kind[0], ModelAlgorithm::KMeans).seed, 4u);
    const KMeansOptions g = parse_model_options(o.per_kind[2], ModelAlgorithm::Gmm);
    EXPECT_EQ(g.seed, 9u);  // the kind's own object wins
    EXPECT_EQ(g.gmm_covariance, CovarianceType::Tied);
    EXPECT_EQ(g.scale, ScaleMethod::MinMax);
    EXPECT_EQ(o.per_kind[3], R"({"scale":"minmax"})");  // DBSCAN takes no seed
    EXPECT_EQ(o.eps, 0.3);
    EXPECT_EQ(o.min_samples, 7);
    EXPECT_EQ(o.silhouette_sample, 0);
    EXPECT_EQ(o.seed, 4u);
}

TEST(Compare, OptionErrorsNameTheKey) {
    for (const char* bad : {R"({"eps": 0})", R"({"min_samples": 0})", R"({"k": 3})",
                            R"({"gmm": []})", R"({"kmeans": {"missing": "skip"}})",
                            R"({"gmm": {"covariance": "x"}})", R"({"kprototypes": {}})", "[]"}) {
        try {
            parse_compare_options(bad);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter) << bad;
            EXPECT_NE(std::string(e.what()).find("seg_compare"), std::string::npos) << e.what();
        }
    }
}

TEST(Compare, EveryRowIsItsOwnFitScoredAlike) {
    const RowMatrix X = mall();
    const CompareOptions o = parse_compare_options(R"({"eps": 0.5, "min_samples": 5})");
    const CompareResult r =
        seg_compare(ConstRowMap(X.data(), X.rows(), X.cols()), 3, 5, o, kNoInterrupt);
    ASSERT_EQ(r.rows.size(), 10u);
    EXPECT_EQ(r.n_rows, 200);
    for (const CompareRow& row : r.rows) {
        ASSERT_TRUE(row.has_model);
        const Model own = row.algorithm == ModelAlgorithm::Dbscan
                              ? own_fit(row.algorithm, X, 1, "{}", 0.5, 5)
                              : own_fit(row.algorithm, X, row.k, "{}");
        EXPECT_EQ(model_to_json(row.model), model_to_json(own))
            << model_algorithm_name(row.algorithm) << " k = " << row.k;
        EXPECT_GE(row.seconds, 0.0);
        EXPECT_TRUE(std::isfinite(row.silhouette));
        EXPECT_EQ(std::isnan(row.bic), row.algorithm != ModelAlgorithm::Gmm);
    }
    const CompareRow& dbscan = r.rows.back();
    EXPECT_EQ(dbscan.algorithm, ModelAlgorithm::Dbscan);
    EXPECT_EQ(dbscan.k, 6);         // scikit-learn's DBSCAN(0.5, 5): 6 clusters
    EXPECT_EQ(dbscan.n_noise, 60);  // and 60 noise rows
}

TEST(Compare, OnlyNoiseIsARowWithoutModel) {
    const RowMatrix X = mall();
    const CompareOptions o = parse_compare_options(R"({"eps": 1e-6, "min_samples": 2})");
    const CompareResult r =
        seg_compare(ConstRowMap(X.data(), X.rows(), X.cols()), 2, 2, o, kNoInterrupt);
    const CompareRow& dbscan = r.rows.back();
    EXPECT_FALSE(dbscan.has_model);
    EXPECT_EQ(dbscan.k, 0);
    EXPECT_EQ(dbscan.n_noise, 200);
    EXPECT_TRUE(std::isnan(dbscan.silhouette));
}

TEST(Compare, RangeErrors) {
    const RowMatrix X = mall();
    const ConstRowMap m(X.data(), X.rows(), X.cols());
    const CompareOptions o = parse_compare_options("{}");
    EXPECT_THROW(seg_compare(m, 0, 2, o, kNoInterrupt), Error);
    EXPECT_THROW(seg_compare(m, 3, 2, o, kNoInterrupt), Error);
    EXPECT_THROW(seg_compare(m, 2, 201, o, kNoInterrupt), Error);
}

}  // namespace
}  // namespace cseg
