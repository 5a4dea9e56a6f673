// The silhouette (Rousseeuw 1987) of k-prototypes segments under the k-prototypes model's own
// mixed dissimilarity (Huang 1998): for two rows a, b with p scaled numbers and q categories,
//
//     d(a, b) = sqrt( sum_j (a_j - b_j)^2  +  gamma * #{attributes whose categories differ} )
//
// — the square root of Huang's cost, so for q = 0 it is the Euclidean distance and the
// silhouette equals silhouette_score's. A category unseen in training (code < 0) differs from
// every category, itself included. Equal to sklearn.metrics.silhouette_samples(D, labels,
// metric="precomputed") on the matrix D of these dissimilarities.
#pragma once

#include <cstdint>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

// Rows are n x (p + q): p scaled numbers, then q category codes stored as doubles. Silhouette
// of every row into out[0..n) (a row in a singleton cluster scores 0). O(n^2 (p + q)) time,
// O(n + clusters) memory. Throws Error(InvalidParameter) unless 2 <= distinct labels <= n - 1,
// Error(DataException) on a non-finite value, Cancelled.
void silhouette_samples_mixed(ConstRowMap X, int32_t p, double gamma, const int32_t* labels,
                              double* out, const Interrupt& interrupt);

// The mean of silhouette_samples_mixed, over all rows or, with 0 < sample_size < n, over the
// same seeded sample of rows silhouette_score would draw (sample_rows).
double silhouette_score_mixed(ConstRowMap X, int32_t p, double gamma, const int32_t* labels,
                              const Interrupt& interrupt, int64_t sample_size = 0,
                              uint64_t seed = 0);

}  // namespace cseg
