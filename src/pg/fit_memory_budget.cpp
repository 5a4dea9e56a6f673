// customer_seg.max_memory as a real cap on k-means fits (fit_memory_budget.hpp).
#include "fit_memory_budget.hpp"

#include <cstdio>
#include <string>

#include "errors.hpp"
#include "fit_settings.hpp"

namespace cseg_pg {

namespace {

// "12.3 MB".
std::string megabytes(double bytes) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
    return buf;
}

}  // namespace

// The current user's budget and threads.
FitBudget fit_budget() {
    return FitBudget{memory_budget_bytes(), memory_budget_text(), effective_fit_threads()};
}

// Rows (and labels) allocated, plus the one-row scratch of a reservoir.
double row_buffer_bytes(const RowBuffer* st) {
    const double row = sizeof(double) * static_cast<double>(st->dims) +
                       (st->has_labels ? sizeof(int32) : 0);
    return row * static_cast<double>(st->capacity) +
           (st->scratch != nullptr ? sizeof(double) * static_cast<double>(st->dims) : 0.0);
}

// Fewer threads first, then the error: the model is the same for any number of threads.
int32 fit_threads_within_budget(const FitBudget& budget, double held, int64 n, int32 d, int32 k,
                                const cseg::KMeansOptions& opts, const char* fn) {
    /* k > n fails in the fit, before anything of size k is allocated, with the clearer
       "needs at least k usable rows": count at most n clusters. */
    if (k > n) k = static_cast<int32>(n < 1 ? 1 : n);
    for (int32 t = budget.threads > 1 ? budget.threads : 1; t >= 1; --t) {
        if (held + cseg::kmeans_fit_memory(n, d, k, opts, t).bytes <= budget.bytes) return t;
    }
    const cseg::FitMemory one = cseg::kmeans_fit_memory(n, d, k, opts, 1);
    throw cseg::Error(
        cseg::ErrorKind::OutOfMemory,
        std::string(fn) + " needs " + megabytes(held + one.bytes) +
            " even on one thread, more than customer_seg.max_memory (" + budget.text + ")",
        "The rows take " + megabytes(held) + "; the fit of " + std::to_string(n) + " rows x " +
            std::to_string(d) + " features into k = " + std::to_string(k) + " clusters needs " +
            megabytes(one.bytes) + " (" +
            (one.variant == cseg::LloydVariant::Elkan     ? "Elkan's bounds"
             : one.variant == cseg::LloydVariant::Hamerly ? "Hamerly's bounds"
                                                          : "plain Lloyd") +
            ", one restart's buffers " + megabytes(one.per_restart) + ").",
        "Raise customer_seg.max_memory, lower k or n_init, or fit on a sample of the rows "
        "(option \"sample\").");
}

// The check, with what is held and what is needed in the message.
void require_fit_memory(const FitBudget& budget, double held, double need, const char* fn,
                        const char* what) {
    if (held + need <= budget.bytes) return;
    throw cseg::Error(cseg::ErrorKind::OutOfMemory,
                      std::string(fn) + " needs " + megabytes(held + need) +
                          ", more than customer_seg.max_memory (" + budget.text + ")",
                      "The rows take " + megabytes(held) + "; " + what + " needs " +
                          megabytes(need) + ".",
                      "Raise customer_seg.max_memory, or work on a sample of the rows.");
}

}  // namespace cseg_pg
