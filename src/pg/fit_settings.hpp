// Settings of the fitting functions (customer_seg.fit_threads).
#pragma once

namespace cseg_pg {

// Threads one k-means fit may use for its restarts (GUC customer_seg.fit_threads).
extern int fit_threads;

// Registers the GUC; called from _PG_init.
void define_fit_gucs();

}  // namespace cseg_pg
