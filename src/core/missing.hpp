// Rows with missing elements (NaN marks SQL NULL, NaN and +-Infinity alike).
#pragma once

#include <cstdint>

namespace cseg {

// True when any of the d elements of row is NaN or infinite.
bool row_has_missing(const double* row, int32_t d);

// Moves the rows without missing elements to the front, keeping their order; returns how
// many there are. data holds n rows of d doubles.
int64_t compact_complete_rows(double* data, int64_t n, int32_t d);

// The same for rows of `stride` >= d doubles of which only the first d are checked (the rest,
// e.g. a scoring aggregate's id column, travel along), moving the optional parallel labels
// (n int32, or nullptr) with their rows.
int64_t compact_complete_rows(double* data, int32_t* labels, int64_t n, int32_t d, int32_t stride);

}  // namespace cseg
