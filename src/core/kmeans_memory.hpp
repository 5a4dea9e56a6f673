// How much memory a k-means fit needs beyond its rows, known before anything is allocated, so
// the wall can hold a fit to customer_seg.max_memory (bounds, per-thread buffers, restarts
// running side by side and their results all counted).
#pragma once

#include <cstdint>

#include "kmeans.hpp"
#include "model.hpp"

namespace cseg {

// An upper bound of fit_kmeans_model's working memory, in bytes, on top of the n x d rows.
struct FitMemory {
    double bytes;        // the peak of the whole fit (sort_rows included)
    double per_restart;  // one restart's Lloyd state, k-means++ and refinement buffers
    int32_t concurrent;  // restarts alive at once (min(threads, n_init))
    LloydVariant variant;  // plain (no bounds), Hamerly's n or Elkan's n x k lower bounds
};

// The bound for n rows of d features, k clusters, opts (n_init, init, scale) and `threads`
// threads, following the allocations of kmeans.cpp (Lloyd, kmeans_run_tasks), kmeans_init.cpp,
// kmeans_hartigan.cpp, scaler.cpp, row_order.cpp and model_fit.cpp: change it with them.
FitMemory kmeans_fit_memory(int64_t n, int32_t d, int32_t k, const KMeansOptions& opts,
                            int32_t threads);

}  // namespace cseg
