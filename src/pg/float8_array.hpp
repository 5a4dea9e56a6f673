// Reading and building float8[] values: the boundary where SQL arrays become plain doubles.
// Everything here may raise a PostgreSQL ERROR, so call it outside guarded().
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// Checks that `a` is a one-dimensional, non-empty float8 array and returns its length;
// `what` names the argument in error messages (e.g. "kmeans_fit features").
int32 float8_array_length(ArrayType* a, const char* what);

// Copies the elements of a checked float8 array into out[0..n); SQL NULLs become NaN.
// Returns how many elements were NULL or non-finite.
int32 float8_array_read(ArrayType* a, double* out, int32 n);

// Builds a float8[] from n doubles in the current memory context. When `nulls_like` has
// NULL elements, the result has NULLs at the same positions.
ArrayType* float8_array_build(const double* values, int32 n, ArrayType* nulls_like = nullptr);

}  // namespace cseg_pg
