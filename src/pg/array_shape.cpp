// Array argument shape checks shared by the float8[] and text[] readers.
#include "array_shape.hpp"

namespace cseg_pg {

// Validates element type and shape of an array argument, returning its length.
int32 checked_array_length(ArrayType* a, Oid elemtype, const char* type_name, const char* what) {
    if (ARR_ELEMTYPE(a) != elemtype)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%s must be a %s array", what, type_name)));
    if (ARR_NDIM(a) == 0)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s must not be an empty array", what)));
    if (ARR_NDIM(a) != 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s must be a one-dimensional array, got %d dimensions", what,
                               ARR_NDIM(a))));
    return ARR_DIMS(a)[0];
}

}  // namespace cseg_pg
