// kmeans_run's restarts (and then its refinement finalists) spread over several threads: the
// same result as kmeans_run, bit for bit, in about n_init / threads restart times. Pure
// computation, safe inside a PostgreSQL backend (see STYLE.md, "No threads inside a backend
// unless..."):
//   - every signal is blocked in the helper threads (pthread_sigmask before they are created),
//     so PostgreSQL's handlers only ever run on the calling thread;
//   - only the calling thread polls `interrupt`; on a cancel it tells the helpers to stop (an
//     atomic flag they poll where kmeans_run polls), joins them and throws Cancelled;
//   - an exception in a helper is caught there and rethrown on the calling thread after the
//     join (the one of the lowest restart number, so which error is reported is deterministic);
//   - helpers allocate with operator new only (the C++ heap, not palloc) and touch nothing but
//     X (read-only) and their own buffers.
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
// (the calling thread included). threads <= 1 or n_init = 1 simply calls kmeans_run; when a
// helper thread cannot be created, the threads already running do its share. Throws what
// kmeans_run throws.
KMeansRun kmeans_run_parallel(ConstRowMap X, int32_t k, const KMeansOptions& opts,
                              const Interrupt& interrupt, int32_t threads);

}  // namespace cseg
