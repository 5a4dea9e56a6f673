// The hierarchical kind of the model family (model_kind.hpp): agglomerative clustering
// (hclust_linkage.hpp) over the rows themselves up to max_leaves rows, above that over
// max_leaves micro-clusters (hclust_microcluster.hpp), cut into k clusters as scipy's
// fcluster(Z, k, "maxclust") (hclust_cut.hpp). The model keeps the leaves (scaled space) with
// their row counts, the merges in scipy's linkage convention and the cluster of every leaf; a
// row belongs to the cluster of its nearest leaf (a k-d tree over the leaves, kdtree.hpp).
#include <algorithm>
#include <cmath>
#include <string>

#include "distance.hpp"
#include "cluster_order.hpp"
#include "hclust_cut.hpp"
#include "hclust_microcluster.hpp"
#include "hclust_model.hpp"
#include "kdtree.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// Lloyd passes of the micro-cluster summary (measured: bench/hclust_bench.py).
constexpr int32_t kMicroPasses = 3;

// Builds a tree part's arrays in kind-array form.
KindArray integers(std::vector<int64_t> v, int64_t rows) {
    KindArray a;
    a.rows = rows;
    a.integers = std::move(v);
    return a;
}

// Builds a tree part's heights (doubles) in kind-array form.
KindArray doubles(std::vector<double> v, int64_t rows) {
    KindArray a;
    a.rows = rows;
    a.values = std::move(v);
    return a;
}

// Throws Error(kind) "invalid segmodel: hierarchical <what>".
[[noreturn]] void fail(ErrorKind kind, const std::string& what) {
    throw Error(kind, "invalid segmodel: hierarchical " + what);
}

// Rows a prepared model labels by the full search before it computes its leaves' covers (per
// leaf): covers cost about 4-10 us a leaf and save about 1.3-2.6 us a row (20,000 leaves x 8,
// kdtree.cpp), so a session labelling fewer rows with the model never pays for them, and one
// labelling many pays at most about twice what computing them first would have cost (ski
// rental). The wall keeps a prepared model per backend (src/pg/model_store.cpp), so the
// count runs over the statements of a session, not one statement.
constexpr int64_t kRowsPerLeafBeforeCovers = 4;

// The prepared block: the k-d tree over the leaves, then the leaves' covers by cluster
// (KdTreeView::group_covers), the labelling state and the covers' scratch.
struct Prepared {
    struct State {
        int64_t rows;    // rows labelled so far
        int64_t covers;  // 1 once the covers are computed
    };
    const KdTreeView tree;
    double* covers;
    State* state;
    void* scratch;

    Prepared(const ModelView& v, void* block)
        : tree(block),
          covers(reinterpret_cast<double*>(static_cast<char*>(block) +
                                           kdtree_bytes(v.kind_rows[kLeaves], v.dims))),
          state(reinterpret_cast<State*>(covers + v.kind_rows[kLeaves])),
          scratch(state + 1) {}

    static size_t bytes(const ModelView& v) {
        const int64_t L = v.kind_rows[kLeaves];
        return kdtree_bytes(L, v.dims) + sizeof(double) * size_t(L) + sizeof(State) +
               kdtree_cover_scratch_bytes(L, v.dims);
    }
};

class HierarchicalKind final : public ModelKind {
  public:
    ModelAlgorithm algorithm() const override { return ModelAlgorithm::Hierarchical; }
    const char* fit_function() const override { return "hclust_fit"; }
    bool takes(ModelOperation op) const override {
        return op == ModelOperation::AssignNumbers || op == ModelOperation::Dendrogram;
    }

    std::vector<KindArraySpec> arrays() const override {
        return {
            {"linkage_code", true, KindExtent::One, KindExtent::One},
            {"leaf_limit", true, KindExtent::One, KindExtent::One},
            {"leaves", false, KindExtent::Free, KindExtent::Dims},
            {"leaf_sizes", true, KindExtent::Free, KindExtent::One},
            {"leaf_clusters", true, KindExtent::Free, KindExtent::One},
            {"merge_left", true, KindExtent::Free, KindExtent::One},
            {"merge_right", true, KindExtent::Free, KindExtent::One},
            {"merge_height", false, KindExtent::Free, KindExtent::One},
            {"merge_size", true, KindExtent::Free, KindExtent::One},
        };
    }

    // Linkage and max_leaves live in the arrays (the binary header has no room for them).
    void restore_options(Model& m) const override {
        const int64_t code = m.kind_arrays[kLinkage].integers[0];
        if (code >= 0 && code <= int64_t(Linkage::Single)) m.options.linkage = Linkage(code);
        m.options.max_leaves = m.kind_arrays[kLeafLimit].integers[0];
    }

    // The tree must be a tree over the leaves whose cut at k gives the leaves' clusters.
    void validate(const Model& m, ErrorKind kind) const override {
        const HierarchyView h = hierarchy_view(m);
        if (h.linkage_code < 0 || h.linkage_code > int64_t(Linkage::Single))
            fail(kind, "linkage_code must be 0 .. 3");
        if (Linkage(h.linkage_code) != m.options.linkage)
            fail(kind, "linkage_code does not match option \"linkage\"");
        if (h.leaf_limit != m.options.max_leaves || h.leaf_limit < 1)
            fail(kind, "leaf_limit must be >= 1 and match option \"max_leaves\"");
        if (h.leaves < 1 || h.leaves > h.leaf_limit || h.leaves > m.n_rows)
            fail(kind, "model must have between 1 and min(max_leaves, n_rows) leaves");
        if (h.merge_rows != h.leaves - 1) fail(kind, "merges must number leaves - 1");
        if (h.leaf_cluster_rows != h.leaves || h.leaf_size_rows != h.leaves)
            fail(kind, "leaf_sizes and leaf_clusters must have one entry per leaf");
        std::vector<int64_t> cluster_rows(static_cast<size_t>(m.k), 0);
        for (int64_t l = 0; l < h.leaves; ++l) {
            if (h.leaf_size[l] < 1 || h.leaf_size[l] > m.n_rows)
                fail(kind, "leaf_sizes must be between 1 and n_rows");
            if (h.leaf_cluster[l] < 0 || h.leaf_cluster[l] >= m.k)
                fail(kind, "leaf_clusters must be between 0 and k - 1");
            cluster_rows[size_t(h.leaf_cluster[l])] += h.leaf_size[l];
        }
        for (int32_t c = 0; c < m.k; ++c)
            if (cluster_rows[size_t(c)] != m.sizes[size_t(c)])
                fail(kind, "leaf sizes do not add up to the cluster sizes");
        const std::vector<Merge> merges = stored_merges(h, kind);
        int32_t clusters = 0;
        const std::vector<int32_t> cut = hclust_cut(merges, h.leaves, m.k, &clusters);
        if (clusters != m.k) fail(kind, "tree cut at k does not give k clusters");
        std::vector<int64_t> seen(static_cast<size_t>(clusters), -1);
        for (int64_t l = 0; l < h.leaves; ++l) {
            int64_t& s = seen[size_t(cut[size_t(l)])];
            if (s < 0) s = h.leaf_cluster[l];
            if (s != h.leaf_cluster[l]) fail(kind, "leaf_clusters are not the tree's cut at k");
        }
    }

    // Leaves (the rows, or micro-clusters above max_leaves), the tree, its cut at k; the
    // cluster centres are the means of their rows.
    KindFit fit(const FitRows& rows, int32_t k, Model& m, const Interrupt& interrupt,
                int32_t) const override {
        const int64_t n = rows.X.rows();
        const int32_t d = int32_t(rows.X.cols());
        const Linkage linkage = m.options.linkage;
        const int64_t limit =
            m.options.max_leaves > 0 ? m.options.max_leaves : hclust_default_max_leaves(linkage);
        m.options.max_leaves = limit;
        std::vector<double> leaves;
        std::vector<int64_t> leaf_size, row_leaf(static_cast<size_t>(n));
        int64_t L = n;
        m.n_iter = 0;
        if (n <= limit) {
            leaves.assign(rows.X.data(), rows.X.data() + n * d);
            leaf_size.assign(static_cast<size_t>(n), 1);
            for (int64_t i = 0; i < n; ++i) row_leaf[size_t(i)] = i;
        } else {
            MicroClusters mc =
                summarise_rows(rows.X.data(), n, d, limit, kMicroPasses, m.options.seed, interrupt);
            L = mc.count;
            leaves = std::move(mc.centers);
            leaf_size = std::move(mc.sizes);
            row_leaf = std::move(mc.label);
            m.n_iter = kMicroPasses;
        }
        const std::vector<Merge> merges =
            hclust_linkage(leaves.data(), L, d, n <= limit ? nullptr : leaf_size.data(), linkage,
                           rows.memory_budget, interrupt);
        int32_t clusters = 0;
        const std::vector<int32_t> cut = hclust_cut(merges, L, k, &clusters);
        m.k = clusters;

        KindFit out;
        out.labels.resize(static_cast<size_t>(n));
        out.centers = RowMatrix::Zero(clusters, d);
        std::vector<int64_t> count(static_cast<size_t>(clusters), 0);
        for (int64_t i = 0; i < n; ++i) {
            const int32_t c = cut[size_t(row_leaf[size_t(i)])];
            out.labels[size_t(i)] = c;
            ++count[size_t(c)];
            for (int32_t f = 0; f < d; ++f) out.centers(c, f) += rows.X(i, f);
        }
        for (int32_t c = 0; c < clusters; ++c) out.centers.row(c) /= double(count[size_t(c)]);
        m.inertia = 0.0;
        for (int64_t i = 0; i < n; ++i)
            m.inertia += squared_distance(
                rows.X.data() + i * d, out.centers.data() + int64_t{out.labels[size_t(i)]} * d, d);

        std::vector<int64_t> left(merges.size()), right(merges.size()), size(merges.size());
        std::vector<double> height(merges.size());
        for (size_t s = 0; s < merges.size(); ++s) {
            left[s] = merges[s].left;
            right[s] = merges[s].right;
            height[s] = merges[s].height;
            size[s] = merges[s].size;
        }
        const int64_t steps = int64_t(merges.size());
        m.kind_arrays.clear();
        m.kind_arrays.push_back(integers({int64_t(linkage)}, 1));
        m.kind_arrays.push_back(integers({limit}, 1));
        m.kind_arrays.push_back(doubles(std::move(leaves), L));
        m.kind_arrays.push_back(integers(std::move(leaf_size), L));
        m.kind_arrays.push_back(integers(std::vector<int64_t>(cut.begin(), cut.end()), L));
        m.kind_arrays.push_back(integers(std::move(left), steps));
        m.kind_arrays.push_back(integers(std::move(right), steps));
        m.kind_arrays.push_back(doubles(std::move(height), steps));
        m.kind_arrays.push_back(integers(std::move(size), steps));
        return out;
    }

    // The leaves' clusters in the final numbering.
    void finish_fit(const FitRows&, const KindFit&, const std::vector<int32_t>&,
                    const std::vector<int32_t>& order, Model& m, const Interrupt&) const override {
        std::vector<int32_t> new_number(order.size());
        for (size_t c = 0; c < order.size(); ++c) new_number[size_t(order[c])] = int32_t(c);
        renumber(m, new_number);
    }

    // The leaves' clusters follow their clusters (the tree and its cut are unchanged).
    bool renumber(Model& m, const std::vector<int32_t>& new_number) const override {
        for (int64_t& c : m.kind_arrays[kLeafClusters].integers) c = new_number[size_t(c)];
        return true;
    }

    size_t prepared_bytes(const ModelView& v) const override { return Prepared::bytes(v); }

    // The k-d tree over the leaves; no covers yet.
    void prepare(const ModelView& v, void* prepared) const override {
        kdtree_build(v.kind_doubles(kLeaves), v.kind_rows[kLeaves], v.dims, prepared);
        *Prepared(v, prepared).state = {0, 0};
    }

    // The cluster of the nearest leaf (ties: the lowest leaf); the distance is Euclidean to
    // that cluster's centroid, as mean_distance measures it. Only the cluster is needed: once
    // this prepared model has labelled kRowsPerLeafBeforeCovers rows a leaf, the leaves'
    // covers are computed and the search stops at the first leaf whose cover holds the row
    // (a leaf of the nearest leaf's cluster, KdTreeView::nearest_in_group). A row far outside
    // the model (its squared distance overflows, or a coordinate beyond 2^40 may absorb the
    // leaves: needs_wide_comparison) is compared with every leaf again in extended precision
    // (nearest_centroid_wide) and its distance computed without overflow.
    int32_t assign(const ModelView& v, void* prepared, ModelRow row,
                   double* distance) const override {
        const Prepared p(v, prepared);
        const int64_t L = v.kind_rows[kLeaves];
        if (p.state->covers == 0 && ++p.state->rows > kRowsPerLeafBeforeCovers * L) {
            // A cancel inside leaves covers = 0: the next row starts them again.
            p.tree.group_covers(v.kind_doubles(kLeaves), v.kind_integers(kLeafClusters),
                                p.covers, p.scratch,
                                row.interrupt != nullptr ? *row.interrupt : Interrupt());
            p.state->covers = 1;
        }
        int64_t leaf = p.state->covers ? p.tree.nearest_in_group(row.x, p.covers)
                                       : p.tree.nearest(row.x);
        const double* leaves = v.kind_doubles(kLeaves);
        const double best = squared_distance(row.x, leaves + leaf * v.dims, v.dims);
        if (needs_wide_comparison(row.x, v.dims, best, best))
            leaf = nearest_centroid_wide(row.x, leaves, int32_t(L), v.dims);
        const int32_t c = int32_t(v.kind_integers(kLeafClusters)[leaf]);
        if (distance != nullptr)
            *distance = euclidean_distance(row.x, v.centroids + int64_t{c} * v.dims, v.dims);
        return c;
    }
};

}  // namespace

const ModelKind& hierarchical_kind() {
    static const HierarchicalKind kind;
    return kind;
}

int64_t hclust_default_max_leaves(Linkage linkage) {
    return linkage == Linkage::Ward || linkage == Linkage::Single ? 20000 : 10000;
}

HierarchyView hierarchy_view(const Model& m) {
    HierarchyView h;
    const std::vector<KindArray>& a = m.kind_arrays;
    h.linkage_code = a[kLinkage].integers[0];
    h.leaf_limit = a[kLeafLimit].integers[0];
    h.leaves = a[kLeaves].rows;
    h.leaf = a[kLeaves].values.data();
    h.leaf_size_rows = a[kLeafSizes].rows;
    h.leaf_size = a[kLeafSizes].integers.data();
    h.leaf_cluster_rows = a[kLeafClusters].rows;
    h.leaf_cluster = a[kLeafClusters].integers.data();
    h.merge_rows = std::min(
        {a[kMergeLeft].rows, a[kMergeRight].rows, a[kMergeHeight].rows, a[kMergeSize].rows});
    if (a[kMergeLeft].rows != a[kMergeRight].rows || a[kMergeLeft].rows != a[kMergeHeight].rows ||
        a[kMergeLeft].rows != a[kMergeSize].rows)
        h.merge_rows = -1;
    h.left = a[kMergeLeft].integers.data();
    h.right = a[kMergeRight].integers.data();
    h.height = a[kMergeHeight].values.data();
    h.size = a[kMergeSize].integers.data();
    return h;
}

std::vector<Merge> stored_merges(const HierarchyView& h, ErrorKind kind) {
    const int64_t L = h.leaves;
    std::vector<Merge> merges(static_cast<size_t>(h.merge_rows));
    std::vector<int64_t> node_size(static_cast<size_t>(2 * L - 1), 0);
    std::vector<bool> used(static_cast<size_t>(2 * L - 1), false);
    for (int64_t l = 0; l < L; ++l) node_size[size_t(l)] = h.leaf_size[l];
    for (int64_t s = 0; s < h.merge_rows; ++s) {
        const int64_t a = h.left[s], b = h.right[s];
        if (a < 0 || b <= a || b >= L + s)
            fail(kind, "merge " + std::to_string(s) + " must join two earlier nodes, left < right");
        if (used[size_t(a)] || used[size_t(b)])
            fail(kind, "merge " + std::to_string(s) + " reuses a merged node");
        used[size_t(a)] = used[size_t(b)] = true;
        if (!(h.height[s] >= 0.0) || (s > 0 && h.height[s] < h.height[s - 1]))
            fail(kind, "merge heights must be >= 0 and ascending");
        node_size[size_t(L + s)] = node_size[size_t(a)] + node_size[size_t(b)];
        if (h.size[s] != node_size[size_t(L + s)])
            fail(kind, "merge " + std::to_string(s) + " size is not the rows under it");
        merges[size_t(s)] = {a, b, h.height[s], h.size[s]};
    }
    return merges;
}

Model hclust_recut(const Model& m, int32_t k) {
    const HierarchyView h = hierarchy_view(m);
    const int32_t d = m.dims;
    if (k < 1 || k > h.leaves)
        throw Error(ErrorKind::InvalidParameter,
                    "seg_cut: k must be between 1 and the number of leaves (" +
                        std::to_string(h.leaves) + "), got " + std::to_string(k));
    const std::vector<Merge> merges = stored_merges(h, ErrorKind::InvalidParameter);
    int32_t clusters = 0;
    const std::vector<int32_t> cut = hclust_cut(merges, h.leaves, k, &clusters);
    std::vector<int64_t> size(static_cast<size_t>(clusters), 0);
    std::vector<double> center(size_t(clusters) * size_t(d), 0.0);
    for (int64_t l = 0; l < h.leaves; ++l) {
        const int32_t c = cut[size_t(l)];
        size[size_t(c)] += h.leaf_size[l];
        for (int32_t f = 0; f < d; ++f)
            center[size_t(c) * d + f] += double(h.leaf_size[l]) * h.leaf[l * d + f];
    }
    for (int32_t c = 0; c < clusters; ++c)
        for (int32_t f = 0; f < d; ++f) center[size_t(c) * d + f] /= double(size[size_t(c)]);
    const std::vector<int32_t> order = cluster_order(size, center.data(), d);
    std::vector<int32_t> renumber(static_cast<size_t>(clusters));
    for (int32_t c = 0; c < clusters; ++c) renumber[size_t(order[size_t(c)])] = c;

    Model out = m;
    out.k = clusters;
    out.centroids.assign(size_t(clusters) * size_t(d), 0.0);
    out.sizes.assign(size_t(clusters), 0);
    for (int32_t c = 0; c < clusters; ++c) {
        const int32_t old = order[size_t(c)];
        std::copy_n(center.data() + size_t(old) * d, d, out.centroids.data() + size_t(c) * d);
        out.sizes[size_t(c)] = size[size_t(old)];
    }
    std::vector<double> dist_sum(static_cast<size_t>(clusters), 0.0);
    out.inertia = 0.0;
    std::vector<int64_t>& leaf_cluster = out.kind_arrays[kLeafClusters].integers;
    for (int64_t l = 0; l < h.leaves; ++l) {
        const int32_t c = renumber[size_t(cut[size_t(l)])];
        leaf_cluster[size_t(l)] = c;
        const double sq = squared_distance(h.leaf + l * d, out.centroids.data() + size_t(c) * d, d);
        out.inertia += double(h.leaf_size[l]) * sq;
        dist_sum[size_t(c)] += double(h.leaf_size[l]) * std::sqrt(sq);
    }
    out.mean_distance.assign(size_t(clusters), 0.0);
    for (int32_t c = 0; c < clusters; ++c)
        out.mean_distance[size_t(c)] = dist_sum[size_t(c)] / double(out.sizes[size_t(c)]);
    return out;
}

}  // namespace cseg
