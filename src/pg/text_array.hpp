// Reading text[] values: the boundary where SQL arrays of categories become plain bytes.
// Everything here may raise a PostgreSQL ERROR, so call it outside guarded().
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// Checks that `a` is a one-dimensional, non-empty text array and returns its length; `what`
// names the argument in error messages (e.g. "kprototypes_fit categorical").
int32 text_array_length(ArrayType* a, const char* what);

// Points data[i] / len[i] at the bytes of element i of a checked text array of n elements
// (len[i] = -1 for NULL). The pointers are valid while `a` is; work arrays are palloc'd in
// the current memory context.
void text_array_read(ArrayType* a, int32 n, const char** data, int32* len);

}  // namespace cseg_pg
