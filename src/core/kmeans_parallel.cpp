// k-means restarts on several threads (see kmeans_parallel.hpp).
#include "kmeans_parallel.hpp"

namespace cseg {

// kmeans_run_tasks with a runner that spreads each phase over the threads.
KMeansRun kmeans_run_parallel(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                              const Interrupt& interrupt, int32_t threads) {
    if (threads <= 1) return kmeans_run(X, k, opts, interrupt);
    return kmeans_run_tasks(X, k, opts, interrupt, LloydVariant::Auto, threads_runner(threads));
}

}  // namespace cseg
