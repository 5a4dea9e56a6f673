// Agglomerative hierarchical clustering of L points (customers, or micro-clusters with row
// counts) in scaled space, with scipy.cluster.hierarchy.linkage's output convention.
//
// Algorithms after Müllner 2011 ("Modern hierarchical, agglomerative clustering algorithms",
// arXiv:1109.2378), the paper behind fastcluster and scipy's implementation:
//   ward      nearest-neighbour chain (Murtagh 1983, "A survey of recent advances in
//             hierarchical clustering algorithms") over cluster centroids and sizes:
//             O(L^2 d) time, O(L d) memory, no distance matrix.
//   single    Prim's minimum spanning tree with distances computed on the fly: O(L^2 d) time,
//             O(L d) memory.
//   complete, average
//             nearest-neighbour chain over the condensed L x L distance matrix with the
//             Lance-Williams updates (their merge distances cannot be derived from cluster
//             summaries): O(L^2) time, L (L - 1) / 2 doubles, checked against a memory budget.
//
// The same scans, tie rules and bookkeeping as scipy 1.10's _hierarchy.pyx (nn_chain,
// mst_single_linkage, label): the first strictly smaller distance in index order wins, the
// chain prefers its previous element, the merged cluster keeps the larger index, merges are
// stably sorted by height and relabelled with a union-find. Distances between two points are
// the same sum, in feature order, of unfused squares as scipy's pdist, so single, complete and
// average are bit-identical to scipy and ward's first merges are too (later ward heights come
// from centroids, not from scipy's Lance-Williams recurrence: equal to ~1e-15 relative).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "interrupt.hpp"

namespace cseg {

// The linkage criterion; stored in a model (option "linkage").
enum class Linkage : uint8_t { Ward = 0, Complete = 1, Average = 2, Single = 3 };

// "ward", "complete", "average", "single".
const char* linkage_name(Linkage linkage);

// Parses a linkage name; false when it is none of linkage_name's.
bool parse_linkage(std::string_view name, Linkage* linkage);

// One row of scipy's linkage matrix Z: the nodes merged (leaves 0 .. L-1, the node made by
// merge s is L + s; left < right), the merge distance and the rows under the new node.
struct Merge {
    int64_t left = 0;
    int64_t right = 0;
    double height = 0.0;
    int64_t size = 0;
};

// Bytes the condensed distance matrix of complete/average linkage over L points needs
// (0 for ward and single); saturates instead of overflowing.
double hclust_matrix_bytes(Linkage linkage, int64_t L);

// The L - 1 merges of the hierarchy over L >= 1 points (row-major L x d, scaled space) with
// row counts `weights` (nullptr: one row each), sorted by height as scipy's linkage. Weights
// enter the criterion as cluster sizes do (a point with weight w is a cluster of w rows at its
// centroid) and the sizes column. Complete/average first check hclust_matrix_bytes against
// memory_budget (bytes) and throw Error(OutOfMemory) naming both when it does not fit.
// Polls interrupt once per scan of the points (O(L d) work). Throws Error(ProgramLimit) for
// L beyond 2^31 - 1.
std::vector<Merge> hclust_linkage(const double* points, int64_t L, int32_t d,
                                  const int64_t* weights, Linkage linkage, double memory_budget,
                                  const Interrupt& interrupt);

}  // namespace cseg
