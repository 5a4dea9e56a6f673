// The hierarchical kind's part of a model (model_hierarchical.cpp): where its arrays are, the
// default max_leaves, and cutting a fitted tree again (seg_cut).
#pragma once

#include <cstdint>
#include <vector>

#include "errors.hpp"
#include "hclust_linkage.hpp"
#include "model.hpp"

namespace cseg {

// Indices of the hierarchical kind's arrays in Model::kind_arrays / ModelView (the order of
// HierarchicalKind::arrays()).
enum HierarchyArray : int32_t {
    kLinkage = 0,       // linkage_code: 1 x 1 (Linkage)
    kLeafLimit = 1,     // leaf_limit: 1 x 1 (the max_leaves used)
    kLeaves = 2,        // leaves: L x dims, scaled space
    kLeafSizes = 3,     // leaf_sizes: L rows under each leaf
    kLeafClusters = 4,  // leaf_clusters: L, the cluster of each leaf
    kMergeLeft = 5,     // merge_left, merge_right, merge_height, merge_size: L - 1 each,
    kMergeRight = 6,    //   scipy's linkage matrix by columns
    kMergeHeight = 7,
    kMergeSize = 8,
};

// The hierarchical part of a (decoded) model, as pointers into its arrays.
struct HierarchyView {
    int64_t linkage_code = 0, leaf_limit = 0;
    int64_t leaves = 0;            // L
    const double* leaf = nullptr;  // L x dims
    int64_t leaf_size_rows = 0, leaf_cluster_rows = 0;
    const int64_t* leaf_size = nullptr;     // L
    const int64_t* leaf_cluster = nullptr;  // L
    int64_t merge_rows = 0;                 // L - 1 (-1 when the merge columns differ)
    const int64_t* left = nullptr;
    const int64_t* right = nullptr;
    const double* height = nullptr;
    const int64_t* size = nullptr;
};

// The kind registered for ModelAlgorithm::Hierarchical.
class ModelKind;
const ModelKind& hierarchical_kind();

// max_leaves when the option is null: 20000 for ward and single (O(L d) memory; time measured
// in bench/hclust_bench.py), 10000 for complete and average (their L (L - 1) / 2 distance
// matrix is 400 MB there, within customer_seg.max_memory's default 1 GB).
int64_t hclust_default_max_leaves(Linkage linkage);

// The hierarchical arrays of m (its algorithm must be hierarchical, arrays present).
HierarchyView hierarchy_view(const Model& m);

// The stored merges, checked as a tree over the leaves (each merge joins two earlier nodes
// not merged before, left < right, sizes the rows under the node, heights ascending); throws
// Error(kind) naming the first problem.
std::vector<Merge> stored_merges(const HierarchyView& h, ErrorKind kind);

// The same tree cut into k clusters instead (seg_cut): leaf clusters from hclust_cut, numbered
// by size as a fit numbers them; sizes, centroids (the leaves' size-weighted means: the rows'
// means when the leaves are the rows) and mean distances from the leaves; inertia from the
// leaves (exact when the leaves are the rows; over micro-clusters it leaves out the spread
// inside each leaf). k may be fewer when heights tie across the cut, as in the fit. Throws
// Error(InvalidParameter) unless 1 <= k <= the number of leaves.
Model hclust_recut(const Model& m, int32_t k);

}  // namespace cseg
