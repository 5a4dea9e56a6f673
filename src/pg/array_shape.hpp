// The shape check every array argument gets: element type, one dimension, not empty.
// May raise a PostgreSQL ERROR, so call it outside guarded().
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// Checks that `a` is a one-dimensional, non-empty array of `elemtype` and returns its length;
// `what` names the argument and `type_name` the expected type (e.g. "float8[]") in errors.
int32 checked_array_length(ArrayType* a, Oid elemtype, const char* type_name, const char* what);

}  // namespace cseg_pg
