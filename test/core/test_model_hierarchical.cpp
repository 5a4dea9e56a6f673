// The hierarchical kind through the family's fit pipeline: scipy's heights and cut on the mall
// customers, nearest-leaf labels reproducing the sizes (exact and micro-cluster paths),
// seg_cut, the codecs' round trips and a malformed tree rejected.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <vector>

#include "csv.hpp"
#include "hclust_model.hpp"
#include "model_codec.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "distance.hpp"
#include "rng.hpp"

namespace cseg {
namespace {

// Fits hclust on the rows (a copy: the pipeline works in place).
Model fit(RowMatrix X, int32_t k, const char* options) {
    FitInput in;
    in.numeric = X.data();
    in.n = X.rows();
    in.dims = int32_t(X.cols());
    return fit_model(hierarchical_kind(), in, k,
                     parse_model_options(options, ModelAlgorithm::Hierarchical), {});
}

// A model encoded and prepared as the wall does it (the view points into `bytes`).
struct EncodedModel {
    std::vector<uint64_t> bytes, prepared;
    ModelView view{};
    const ModelKind* kind = nullptr;
    explicit EncodedModel(const Model& m) : bytes((model_encoded_size(m) + 7) / 8) {
        model_encode(m, reinterpret_cast<uint8_t*>(bytes.data()));
        view = model_view(reinterpret_cast<uint8_t*>(bytes.data()), model_encoded_size(m));
        kind = &model_kind(view.algorithm);
        prepared.resize((kind->prepared_bytes(view) + 7) / 8);
        kind->prepare(view, prepared.data());
    }
    // The kind's assign on one row (scaled units).
    int32_t assign(ModelRow row, double* distance = nullptr) {
        return kind->assign(view, prepared.data(), row, distance);
    }
};

// The labels seg_assign gives the rows (original units), through the encoded model.
std::vector<int32_t> assign_rows(const Model& m, const RowMatrix& X) {
    EncodedModel e(m);
    const ModelView& v = e.view;
    std::vector<int32_t> out;
    std::vector<double> x(size_t(v.dims));
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        for (int32_t j = 0; j < v.dims; ++j) x[size_t(j)] = (X(i, j) - v.center[j]) / v.scale[j];
        out.push_back(e.assign({x.data(), nullptr}));
    }
    return out;
}

// Rows per label.
std::vector<int64_t> counts(const std::vector<int32_t>& labels, int32_t k) {
    std::vector<int64_t> c(size_t(k), 0);
    for (int32_t l : labels) ++c[size_t(l)];
    return c;
}

// scipy 1.10.1 on the mall customers (test/reference/hclust_mall.csv, written by
// test/reference/hclust_reference.py): Ward heights, and fcluster's k = 5 partition.
TEST(ModelHierarchical, MallWardAsScipy) {
    const RowMatrix X = testdata::mall_customers();
    const Model m = fit(X, 5, R"({"feature_names": ["age", "income", "score"]})");
    EXPECT_EQ(m.algorithm, ModelAlgorithm::Hierarchical);
    EXPECT_EQ(m.k, 5);
    std::vector<double> scipy_heights;
    std::vector<int32_t> scipy_cut;
    std::ifstream in(std::string(CSEG_DATA_DIR) + "/../test/reference/hclust_mall.csv");
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = testdata::split_fields(line, ',');
        if (f[0] == "Z" && f[1] == "ward") scipy_heights.push_back(std::stod(f[5]));
        if (f[0] == "cut" && f[1] == "ward" && f[2] == "5")
            for (size_t j = 3; j < f.size(); ++j) scipy_cut.push_back(std::stoi(f[j]));
    }
    const HierarchyView h = hierarchy_view(m);
    ASSERT_EQ(h.merge_rows, int64_t(scipy_heights.size()));
    for (int64_t s = 0; s < h.merge_rows; ++s)
        EXPECT_NEAR(h.height[s], scipy_heights[size_t(s)], 1e-9 * scipy_heights[size_t(s)]) << s;
    // The same partition of the customers (numbers differ: ours are by size).
    const std::vector<int32_t> ours = assign_rows(m, X);
    std::map<int32_t, int32_t> to_scipy;
    for (size_t i = 0; i < ours.size(); ++i) {
        auto [it, fresh] = to_scipy.emplace(ours[i], scipy_cut[i]);
        EXPECT_EQ(it->second, scipy_cut[i]) << i;
    }
    EXPECT_EQ(to_scipy.size(), 5u);
    EXPECT_EQ(counts(ours, m.k), m.sizes);
    EXPECT_TRUE(std::is_sorted(m.sizes.rbegin(), m.sizes.rend()));
}

// Above max_leaves: micro-clusters; labelling the training rows reproduces the sizes, and the
// model survives both codecs unchanged.
TEST(ModelHierarchical, MicroClustersAndRoundTrips) {
    const RowMatrix X = testdata::complete_rows(testdata::marketing_campaign());
    for (const char* opts :
         {R"({"max_leaves": 300})", R"({"max_leaves": 300, "linkage": "average"})",
          R"({"linkage": "single"})"}) {
        const Model m = fit(X, 4, opts);
        const HierarchyView h = hierarchy_view(m);
        EXPECT_LE(h.leaves, std::max<int64_t>(300, h.leaves == X.rows() ? X.rows() : 300)) << opts;
        EXPECT_EQ(counts(assign_rows(m, X), m.k), m.sizes) << opts;
        const std::string json = model_to_json(m);
        EXPECT_EQ(model_to_json(model_from_json(json)), json) << opts;
        std::vector<uint64_t> buf((model_encoded_size(m) + 7) / 8);
        model_encode(m, reinterpret_cast<uint8_t*>(buf.data()));
        const Model back = model_decode(reinterpret_cast<uint8_t*>(buf.data()),
                                        model_encoded_size(m), ErrorKind::InvalidBinary);
        EXPECT_EQ(model_to_json(back), json) << opts;
        EXPECT_NE(json.find(R"("max_leaves":)"), std::string::npos);
    }
}

// seg_cut: the tree cut again at k equals a fit at k (exact path); k out of range is an error.
TEST(ModelHierarchical, RecutEqualsFit) {
    const RowMatrix X = testdata::wholesale_customers();
    const Model m5 = fit(X, 5, "{}");
    const Model m3 = fit(X, 3, "{}");
    const Model cut = hclust_recut(m5, 3);
    EXPECT_EQ(cut.sizes, m3.sizes);
    EXPECT_EQ(cut.kind_arrays[kLeafClusters].integers, m3.kind_arrays[kLeafClusters].integers);
    for (size_t i = 0; i < cut.centroids.size(); ++i)
        EXPECT_NEAR(cut.centroids[i], m3.centroids[i], 1e-12);
    EXPECT_NEAR(cut.inertia, m3.inertia, 1e-9 * m3.inertia);
    EXPECT_THROW(hclust_recut(m5, 0), Error);
    EXPECT_THROW(hclust_recut(m5, 441), Error);
    EXPECT_EQ(hclust_recut(m5, 440).k, 440);
}

// A tree whose merge reuses a node, or whose leaf clusters are not its cut, is refused.
TEST(ModelHierarchical, MalformedTreeRejected) {
    const Model m = fit(testdata::mall_customers(), 3, "{}");
    Model bad = m;
    bad.kind_arrays[kMergeRight].integers[1] = bad.kind_arrays[kMergeLeft].integers[0];
    EXPECT_THROW(validate_model(bad, ErrorKind::InvalidText), Error);
    bad = m;
    std::swap(bad.kind_arrays[kLeafClusters].integers[0],
              bad.kind_arrays[kLeafClusters].integers.back());
    if (bad.kind_arrays[kLeafClusters].integers != m.kind_arrays[kLeafClusters].integers) {
        EXPECT_THROW(validate_model(bad, ErrorKind::InvalidText), Error);
    }
    bad = m;
    bad.kind_arrays[kLinkage].integers[0] = 7;
    EXPECT_THROW(validate_model(bad, ErrorKind::InvalidText), Error);
}

// assign, before and after its leaves' covers are computed (the early stop), gives every row
// the cluster of its nearest leaf by the plain float64 scan (lowest leaf on a tie), for rows
// (scaled) on the leaves, near them, halfway between leaves of two clusters and anywhere:
// micro-cluster and exact models, the tree cut at k = 1 (one cluster), at k and at one cluster
// per leaf.
TEST(ModelHierarchical, AssignIsTheNearestLeafsCluster) {
    const RowMatrix X = testdata::complete_rows(testdata::marketing_campaign());
    Rng rng(41);
    for (const char* opts : {R"({"max_leaves": 500})", R"({"linkage": "average"})"}) {
        const Model fitted = fit(X, 6, opts);
        const int64_t L = hierarchy_view(fitted).leaves;
        for (int32_t k : {1, 6, int32_t(L)}) {
            const Model m = k == 6 ? fitted : hclust_recut(fitted, k);
            const HierarchyView h = hierarchy_view(m);
            const int32_t d = m.dims;
            EncodedModel e(m);
            std::vector<double> x(static_cast<size_t>(d));
            // Enough rows for the covers to be computed part way (kRowsPerLeafBeforeCovers).
            for (int64_t q = 0; q < 4 * L + 2000; ++q) {
                const int64_t a = int64_t(rng.next_double() * double(L)) % L;
                int64_t b = int64_t(rng.next_double() * double(L)) % L;
                for (int64_t t = 0; t < L && h.leaf_cluster[b] == h.leaf_cluster[a]; ++t)
                    b = (b + 1) % L;
                for (int32_t j = 0; j < d; ++j) {
                    const double pa = h.leaf[a * d + j], pb = h.leaf[b * d + j];
                    x[size_t(j)] = q % 4 == 0   ? pa
                                   : q % 4 == 1 ? pa + (rng.next_double() - 0.5) * 0.1
                                   : q % 4 == 2 ? 0.5 * (pa + pb)
                                                : (rng.next_double() - 0.5) * 8.0;
                }
                int64_t nearest = 0;
                double best = squared_distance(x.data(), h.leaf, d);
                for (int64_t l = 1; l < L; ++l) {
                    const double s = squared_distance(x.data(), h.leaf + l * d, d);
                    if (s < best) best = s, nearest = l;
                }
                double distance = -1.0;
                EXPECT_EQ(e.assign({x.data(), nullptr}, &distance), h.leaf_cluster[nearest])
                    << opts << " k=" << k << " query " << q;
                const int32_t c = int32_t(h.leaf_cluster[nearest]);
                EXPECT_EQ(distance, std::sqrt(squared_distance(
                                        x.data(), m.centroids.data() + int64_t{c} * d, d)));
            }
        }
    }
}

// A cancel while the covers are being computed (the row that starts them, with the wall's
// interrupt) throws Cancelled part way through; the prepared model then still answers every
// row as the full search does, and computes the covers again on a later row.
int polls_before_cancel = 0;
bool cancel_on_second_poll() { return ++polls_before_cancel >= 2; }

TEST(ModelHierarchical, CancelDuringTheCoversLeavesTheModelExact) {
    const RowMatrix X = testdata::complete_rows(testdata::marketing_campaign());
    const Model m = fit(X, 6, R"({"max_leaves": 500})");
    const HierarchyView h = hierarchy_view(m);
    const int64_t L = h.leaves;
    ASSERT_GT(L, 256);  // two polls of group_covers at least
    const int32_t d = m.dims;
    EncodedModel e(m);
    const Interrupt cancel(cancel_on_second_poll);
    Rng rng(43);
    std::vector<double> x(static_cast<size_t>(d));
    int cancelled = 0;
    for (int64_t q = 0; q < 8 * L; ++q) {
        const int64_t a = int64_t(rng.next_double() * double(L)) % L;
        for (int32_t j = 0; j < d; ++j)
            x[size_t(j)] = h.leaf[a * d + j] + (rng.next_double() - 0.5) * 0.2;
        int64_t nearest = 0;
        double best = squared_distance(x.data(), h.leaf, d);
        for (int64_t l = 1; l < L; ++l) {
            const double s = squared_distance(x.data(), h.leaf + l * d, d);
            if (s < best) best = s, nearest = l;
        }
        polls_before_cancel = 0;
        ModelRow row{x.data(), nullptr, cancelled == 0 ? &cancel : nullptr};
        try {
            EXPECT_EQ(e.assign(row), h.leaf_cluster[nearest]) << "query " << q;
        } catch (const Cancelled&) {
            ++cancelled;
            EXPECT_EQ(e.assign({x.data(), nullptr}), h.leaf_cluster[nearest])
                << "query " << q << " after the cancel";
        }
    }
    EXPECT_EQ(cancelled, 1);  // the first row past 4 rows a leaf, and only that one
}

}  // namespace
}  // namespace cseg
