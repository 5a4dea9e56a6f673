// Holding a k-means fit to customer_seg.max_memory: the buffered rows plus everything the fit
// will allocate (kmeans_memory.hpp) must fit before anything is allocated.
#pragma once

#include "kmeans_memory.hpp"
#include "pg.hpp"
#include "row_buffer.hpp"

namespace cseg_pg {

// The budget as it applies to the current user, read before entering a guard.
struct FitBudget {
    double bytes;      // memory_budget_bytes()
    const char* text;  // memory_budget_text()
    int32 threads;     // effective_fit_threads()
};

// Reads the settings (may palloc: call outside guarded()).
FitBudget fit_budget();

// Bytes the aggregate state holds (its rows and scratch).
double row_buffer_bytes(const RowBuffer* st);

// The most threads (<= budget.threads) with which a k-means fit of n x d rows into k clusters
// fits the budget next to `held` bytes already held; throws cseg::Error(OutOfMemory) naming
// customer_seg.max_memory when even one thread does not. Call inside guarded().
int32 fit_threads_within_budget(const FitBudget& budget, double held, int64 n, int32 d, int32 k,
                                const cseg::KMeansOptions& opts, const char* fn);

// Throws cseg::Error(OutOfMemory) naming customer_seg.max_memory unless `held` bytes already
// held plus `need` bytes that `fn` is about to allocate for `what` fit the budget. Call inside
// guarded().
void require_fit_memory(const FitBudget& budget, double held, double need, const char* fn,
                        const char* what);

}  // namespace cseg_pg
