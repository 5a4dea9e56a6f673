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
    int64_t kept = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double* row = data + i * d;
        if (row_has_missing(row, d)) continue;
        if (kept != i) std::memmove(data + kept * d, row, sizeof(double) * size_t(d));
        ++kept;
    }
    return kept;
}

}  // namespace cseg
