// Summarising many rows into at most max_leaves micro-clusters before the hierarchy is built
// over them (hclust_fit above "max_leaves"): k-means-style, with exact nearest-centre search
// through a k-d tree instead of k-means++ (whose O(n L) seeding is the cost we avoid):
//   1. seeds: max_leaves distinct rows drawn uniformly with the core's seeded generator
//      (Floyd's sampling algorithm), in row order;
//   2. `passes` Lloyd passes: every row to its nearest centre (kdtree.hpp), every centre to the
//      mean of its rows (sums in row order); a centre left without rows is dropped;
//   3. a last assignment of every row to the final centres: the micro-cluster sizes are those
//      counts, so labelling the rows by nearest leaf reproduces them.
// A leaf is then a point of the hierarchy with its row count as weight: Ward's criterion
// depends on a cluster only through its centroid and size, so Ward over micro-clusters is
// exactly Ward's agglomeration started from that partition of the rows.
#pragma once

#include <cstdint>
#include <vector>

#include "interrupt.hpp"

namespace cseg {

// The micro-clusters of n rows.
struct MicroClusters {
    int64_t count = 0;            // m <= max_leaves
    std::vector<double> centers;  // m x d, row-major (scaled space)
    std::vector<int64_t> sizes;   // m, >= 1, sum n
    std::vector<int64_t> label;   // n: the row's micro-cluster (its nearest centre)
};

// Summarises n rows (n x d, row-major) into at most max_leaves >= 1 micro-clusters as above.
// Deterministic for the same rows, order, max_leaves, passes and seed. Polls interrupt every
// few thousand rows.
MicroClusters summarise_rows(const double* rows, int64_t n, int32_t d, int64_t max_leaves,
                             int32_t passes, uint64_t seed, const Interrupt& interrupt);

}  // namespace cseg
