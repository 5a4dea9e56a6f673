// customer_seg.fit_threads: how many threads a k-means fit spreads its restarts over.
#include "fit_settings.hpp"

#include "pg.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace cseg_pg {

int fit_threads = 2;

// Registers customer_seg.fit_threads.
void define_fit_gucs() {
    DefineCustomIntVariable(
        "customer_seg.fit_threads", "Threads one k-means fit may use for its n_init restarts.",
        "The restarts of kmeans_fit (and seg_train) run on up to this many threads of the "
        "backend; the model is bit-identical for every setting. 1 keeps a fit on one core.",
        &fit_threads, 2, 1, 64, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace cseg_pg
