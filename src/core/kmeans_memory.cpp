// The memory bound of a k-means fit (kmeans_memory.hpp). Every term names the buffer it counts;
// sizes are in doubles of bytes so no product can overflow.
#include "kmeans_memory.hpp"

#include <algorithm>
#include <cmath>

#include "distance.hpp"
#include "feature_pipeline.hpp"
#include "kmeans.hpp"
#include "kmeans_init.hpp"
#include "pca.hpp"
#include "task_threads.hpp"

namespace cseg {

namespace {

constexpr double kDouble = 8.0, kInt64 = 8.0, kInt32 = 4.0;
// Per thread: its stack's touched pages, the allocator's arena and the sort's scratch
// (row_order.cpp: at most 2^11 + 1 bucket starts and heads per level, 48-row short segments).
constexpr double kPerThread = 256.0 * 1024;
// The model being built, encoded and copied out (a few k x d arrays), and small vectors.
constexpr double kFixed = 64.0 * 1024;

// Lloyd's state for one restart (kmeans.cpp, class Lloyd), its assignment passes run by
// `block_threads` threads, and the KMeansRun it returns.
double lloyd_bytes(double n, double d, double k, LloydVariant variant, double block_threads) {
    const bool elkan = variant == LloydVariant::Elkan;
    const double s = padded_centers(static_cast<int32_t>(k));
    const double blocks = std::ceil(n / static_cast<double>(kTaskBlockRows));
    double b = kDouble * (2 * k * d)       // centers_, centers_new_
               + kDouble * s * d           // ct_
               + kDouble * k * d           // sums_
               + kDouble * 2 * k           // shift_, counts_
               + kDouble * s * kRowBlock   // dist_
               + kInt32 * n;               // labels_
    if (elkan)
        b += kDouble * (n + n * k + k * k + 2 * k);  // upper_, lower_ (n x k), half_cc_, ...
    else if (variant == LloydVariant::Hamerly)
        b += kDouble * (2 * n + 2 * k);  // upper_, lower_, half_min_, up_shift_
    if (blocks > 1)  // per-block sums and counts of one pass, each running block's distances
        b += blocks * (kDouble * k * d + kInt64 * k + 1) + block_threads * kDouble * s * kRowBlock;
    b += kDouble * k * d + kInt32 * n;  // the KMeansRun (centres, labels)
    return b;
}

// Greedy k-means++ for one restart (kmeans_init.cpp) with `block_threads` scoring threads.
double plusplus_bytes(double n, double d, double k, double block_threads) {
    const double t = kmeans_plusplus_trials(static_cast<int32_t>(k));
    const double st = padded_centers(static_cast<int32_t>(t));
    const double blocks = std::ceil(n / static_cast<double>(kTaskBlockRows));
    return kDouble * n                       // closest
           + kDouble * blocks * (1 + t)      // block_weight, block_pots
           + kDouble * t * (d + 3)           // cand_rows, targets, candidates, pots
           + kDouble * st * d                // ct
           + (t <= 16 ? 2.0 * n : 0.0)       // closer (16-bit masks)
           + block_threads * kDouble * st * kRowBlock  // each scoring block's distances
           + kInt64 * k + kDouble * k * d;   // indices, the initial centres
}

// Hartigan's refinement of one run (kmeans_hartigan.cpp).
double hartigan_bytes(double d, double k) {
    const double s = padded_centers(static_cast<int32_t>(k));
    return kDouble * (2 * k * d + s * d + s * kRowBlock + 2 * k);  // work, start, ct, block, ...
}

}  // namespace

// The bound: restarts competing on a sample (kmeans_compete_rows), phase 1 (restarts side by
// side, each with its k-means++), phase 2 (finalists side by side, every finalist's result
// kept until the end), or one restart on all threads.
FitMemory kmeans_fit_memory(int64_t rows, int32_t dims, int32_t clusters,
                            const KMeansOptions& opts, int32_t threads) {
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double d = dims, k = std::max(clusters, 1);
    const double t = std::max(threads, 1);
    const double n_init = std::max(opts.n_init, 1);
    const LloydVariant variant = choose_lloyd_variant(rows, std::max(clusters, 1), dims);
    const bool plusplus = opts.init == InitMethod::KMeansPlusPlus;
    const double refine = opts.refine == RefineMethod::Hartigan ? hartigan_bytes(d, k) : 0.0;

    FitMemory m{};
    m.variant = variant;
    double fit = 0.0;
    const int64_t m_rows = opts.n_init > 1 ? kmeans_compete_rows(rows, clusters, opts.n_init) : 0;
    if (m_rows > 0 && m_rows >= clusters && m_rows < rows) {
        // Restarts competing on a sample (compete_on_sample): phase 1, restarts side by side
        // on the sample rows; phase 2, one Lloyd on all rows for the finalists in turn (its
        // blocks on every thread), the best run so far and the next one, then the refinement.
        const double ms = static_cast<double>(m_rows);
        const double c = std::min(t, n_init);
        const LloydVariant sample_variant =
            choose_lloyd_variant(m_rows, std::max(clusters, 1), dims);
        const double sample = (kDouble * d + kInt64) * ms;  // the sample rows, their numbers
        const double first = n_init * kDouble * k * d;      // every restart's sample centres
        const double restart = lloyd_bytes(ms, d, k, sample_variant, 1) +
                               (plusplus ? plusplus_bytes(ms, d, k, 1) : kDouble * k * d);
        const double finalist = lloyd_bytes(n, d, k, variant, t) + kInt32 * n + kDouble * k * d;
        m.concurrent = static_cast<int32_t>(c);
        m.per_restart = finalist + refine;
        fit = sample + first + std::max(c * restart, m.per_restart);
    } else if (n_init <= 1) {
        m.concurrent = 1;
        m.per_restart = lloyd_bytes(n, d, k, variant, t) +
                        (plusplus ? plusplus_bytes(n, d, k, t) : kDouble * k * d) + refine;
        fit = m.per_restart;
    } else {
        const double c = std::min(t, n_init);
        m.concurrent = static_cast<int32_t>(c);
        const double first = n_init * kDouble * k * d;  // every restart's centres
        const double restart = lloyd_bytes(n, d, k, variant, 1) +
                               (plusplus ? plusplus_bytes(n, d, k, 1) : kDouble * k * d);
        const double finalist = lloyd_bytes(n, d, k, variant, 1) + refine;
        const double results = n_init * (kDouble * k * d + kInt32 * n);  // "second"
        m.per_restart = std::max(restart, finalist);
        fit = first + std::max(c * restart, c * finalist + results);
    }
    // Before the restarts: the feature pipeline (a column copy and its brackets), then the
    // scaler (robust: one column copy) beside the column statistics and the tolerance's
    // per-block column sums, then the projection; after: order_clusters' per-cluster sums.
    const double blocks = std::ceil(n / static_cast<double>(kTaskBlockRows));
    const double before =
        std::max({feature_pipeline_fit_bytes(rows, dims, pipeline_spec(opts), threads),
                  (opts.scale == ScaleMethod::Robust ? kDouble * n : 0.0) +
                      kDouble * (blocks + 4) * d,
                  projection_fit_bytes(rows, dims, threads)});
    m.bytes = std::max(fit, before) + kDouble * 2 * k + t * kPerThread + kFixed;
    return m;
}

}  // namespace cseg
