// Cluster-quality metrics with scikit-learn's definitions (sklearn.metrics.cluster,
// _unsupervised.py): silhouette, Davies-Bouldin, Calinski-Harabasz.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

// Every function takes n rows of X and n raw int32 labels of any values (encoded as
// labels.hpp does). It throws Error(InvalidParameter) unless 2 <= distinct labels <= n - 1
// (sklearn's message) or when X has no feature, Error(DataException) on a NaN or infinite
// feature, and Cancelled when the interrupt reports a pending cancel.

// Mean silhouette coefficient (Rousseeuw 1987), as sklearn's silhouette_score. With
// 0 < sample_size < n, the mean over a seeded sample of sample_size rows drawn without
// replacement (the same seed and input give the same sample; sklearn's own sample cannot be
// reproduced); otherwise all rows. A negative sample_size is Error(InvalidParameter).
double silhouette_score(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt,
                        int64_t sample_size = 0, uint64_t seed = 0);

// Silhouette coefficient of every row into out[0..n), as sklearn's silhouette_samples;
// a row in a singleton cluster scores 0.
void silhouette_samples(ConstRowMap X, const int32_t* labels, double* out,
                        const Interrupt& interrupt);

// sample_size distinct row indices out of n (0 <= sample_size <= n), ascending, drawn with the
// core's generator from seed (a partial Fisher-Yates shuffle): the silhouette's sample_size
// and the charts' samples.
std::vector<int64_t> sample_rows(int64_t n, int64_t sample_size, uint64_t seed);

// Upper bounds, in bytes, of the metrics' working memory beyond the n x d rows and labels
// they are given, for at most n_labels distinct labels (follow the allocations of this file
// and labels.cpp: change them with them). silhouette_bytes covers silhouette_score (with
// sample_size as it takes it) and silhouette_samples (sample_size 0) but not the caller's
// output array; cluster_index_bytes covers davies_bouldin and calinski_harabasz.
double silhouette_bytes(int64_t n, int32_t d, int64_t n_labels, int64_t sample_size);
double cluster_index_bytes(int64_t n, int32_t d, int64_t n_labels);

// Sum of n values with Neumaier's compensation (the mean of many silhouettes can be near 0).
double compensated_sum(const double* v, int64_t n);

// Adds x to a running sum and its carry (Neumaier's compensation; the sum is sum + carry).
// The rounded sum then hardly depends on the order of the values: a parallel plan's partial
// sums, merged by adding one's sum to the other this way and the carries, give the serial
// plan's digits.
inline void compensated_add(double& sum, double& carry, double x) {
    const double t = sum + x;
    carry += std::abs(sum) >= std::abs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
}

// Per-row silhouettes of rows X with labels into out (silhouette_samples or its mixed twin).
using SilhouetteSamples =
    std::function<void(ConstRowMap X, const int32_t* labels, double* out)>;

// The mean of `samples` over all rows, or over the seeded sample of silhouette_score (0 <
// sample_size < n); a negative sample_size is Error(InvalidParameter). Shared by the numeric
// and the mixed silhouette scores.
double mean_silhouette(ConstRowMap X, const int32_t* labels, int64_t sample_size,
                       uint64_t seed, const SilhouetteSamples& samples);

// Davies-Bouldin index (Davies & Bouldin 1979), as sklearn's davies_bouldin_score.
double davies_bouldin(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt);

// Calinski-Harabasz variance ratio (Calinski & Harabasz 1974), as sklearn's
// calinski_harabasz_score.
double calinski_harabasz(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt);

}  // namespace cseg
