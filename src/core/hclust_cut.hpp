// Flat clusters from a hierarchy: scipy's fcluster(Z, k, criterion="maxclust").
#pragma once

#include <cstdint>
#include <vector>

#include "hclust_linkage.hpp"

namespace cseg {

// The flat clustering of the L leaves of `merges` (scipy's linkage order, L - 1 rows) into
// at most k >= 1 clusters, as fcluster(Z, k, "maxclust"): the smallest threshold t among the
// nodes' heights (each node's height raised to the largest below it) that leaves no more than
// k clusters, joining every node whose height is <= t. When heights tie across the cut this is
// fewer than k clusters (no threshold separates equal heights). Returns one cluster number per
// leaf, 0 .. c-1 in order of first appearance among the leaves; *clusters = c. k >= L gives
// every leaf its own cluster, except that leaves joined at height 0 (equal rows) stay together.
std::vector<int32_t> hclust_cut(const std::vector<Merge>& merges, int64_t L, int64_t k,
                                int32_t* clusters);

}  // namespace cseg
