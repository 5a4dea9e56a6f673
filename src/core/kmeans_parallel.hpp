// kmeans_run's restarts (and then its refinement finalists) spread over several threads: the
// same result as kmeans_run, bit for bit, in about n_init / threads restart times (with
// n_init = 1, the blocks of its k-means++ scoring). The threads are task_threads.hpp's: pure
// computation, signals blocked, only the calling thread polls the interrupt.
// Determinism: each task depends only on (X, opts, its index) and writes only its own slot of
// kmeans_run_tasks' results; the winner is chosen after all are done, by kmeans_run's rule.
#pragma once

#include <cstdint>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "kmeans.hpp"
#include "model.hpp"

namespace cseg {

// kmeans_run(X, k, opts, interrupt) with its restarts on min(threads, opts.n_init) threads
// (the calling thread included). threads <= 1 simply calls kmeans_run; when a helper thread
// cannot be created, the threads already running do its share. Throws what kmeans_run throws.
KMeansRun kmeans_run_parallel(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                              const Interrupt& interrupt, int32_t threads);

}  // namespace cseg
