// Helpers for the "skip" missing-value policy.
#include "missing.hpp"

#include <cmath>
#include <cstring>

namespace cseg {

// Any NaN or infinity in the row?
bool row_has_missing(const double* row, int32_t d) {
    for (int32_t j = 0; j < d; ++j)
        if (!std::isfinite(row[j])) return true;
    return false;
}

// Stable in-place compaction of complete rows.
int64_t compact_complete_rows(double* data, int64_t n, int32_t d) {
    return compact_complete_rows(data, nullptr, n, d, d);
}

// Stable in-place compaction of rows whose first d values are complete, labels alongside.
int64_t compact_complete_rows(double* data, int32_t* labels, int64_t n, int32_t d, int32_t stride) {
    int64_t kept = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double* row = data + i * stride;
        if (row_has_missing(row, d)) continue;
        if (kept != i) {
            std::memmove(data + kept * stride, row, sizeof(double) * size_t(stride));
            if (labels != nullptr) labels[kept] = labels[i];
        }
        ++kept;
    }
    return kept;
}

}  // namespace cseg
