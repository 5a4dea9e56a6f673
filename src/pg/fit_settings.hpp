// Settings of the fitting functions: customer_seg.fit_threads and customer_seg.max_memory,
// and the ceilings a superuser sets on them for every other role.
#pragma once

namespace cseg_pg {

// Threads one k-means fit may use for its restarts (GUC customer_seg.fit_threads).
extern int fit_threads;
// Memory budget in kB (GUC customer_seg.max_memory).
extern int max_memory_kb;

// Registers the GUCs; called from _PG_init.
void define_fit_gucs();

// customer_seg.fit_threads as it applies to the current user: at most
// customer_seg.fit_threads_limit unless the user is a superuser.
int effective_fit_threads();

// customer_seg.max_memory in bytes as it applies to the current user: at most
// customer_seg.max_memory_limit unless the user is a superuser.
double memory_budget_bytes();

// The budget as text for messages, e.g. "64MB" (or "64MB, capped by
// customer_seg.max_memory_limit" when the ceiling applies). palloc'd.
const char* memory_budget_text();

}  // namespace cseg_pg
