// float8[] <-> double buffers without per-element allocation.
#include "float8_array.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "array_shape.hpp"

namespace cseg_pg {

// Validates shape and element type of a float8[] argument, returning its length.
int32 float8_array_length(ArrayType* a, const char* what) {
    return checked_array_length(a, FLOAT8OID, "float8[]", what);
}

// Copies elements, mapping NULL to NaN, and counts missing or non-finite ones.
int32 float8_array_read(ArrayType* a, double* out, int32 n) {
    const bits8* nulls = ARR_NULLBITMAP(a);
    const char* data = ARR_DATA_PTR(a);
    int32 missing = 0;
    if (nulls == nullptr) {
        std::memcpy(out, data, sizeof(double) * static_cast<size_t>(n));
        for (int32 i = 0; i < n; ++i) missing += !std::isfinite(out[i]);
        return missing;
    }
    for (int32 i = 0; i < n; ++i) {
        if ((nulls[i / 8] & (1 << (i % 8))) == 0) {
            out[i] = std::numeric_limits<double>::quiet_NaN();
            ++missing;
        } else {
            std::memcpy(&out[i], data, sizeof(double));
            data += sizeof(double);
            missing += !std::isfinite(out[i]);
        }
    }
    return missing;
}

// Builds a one-dimensional float8[], copying the NULL positions of nulls_like if any.
ArrayType* float8_array_build(const double* values, int32 n, ArrayType* nulls_like) {
    if (nulls_like != nullptr && ARR_HASNULL(nulls_like)) {
        const bits8* bitmap = ARR_NULLBITMAP(nulls_like);
        Datum* datums = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * n));
        for (int32 i = 0; i < n; ++i) {
            nulls[i] = (bitmap[i / 8] & (1 << (i % 8))) == 0;
            datums[i] = Float8GetDatum(values[i]);
        }
        int dims[1] = {n};
        int lbs[1] = {1};
        return construct_md_array(datums, nulls, 1, dims, lbs, FLOAT8OID, sizeof(double),
                                  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    }
    const Size nbytes = ARR_OVERHEAD_NONULLS(1) + sizeof(double) * static_cast<Size>(n);
    ArrayType* a = static_cast<ArrayType*>(palloc0(nbytes));
    SET_VARSIZE(a, nbytes);
    a->ndim = 1;
    a->dataoffset = 0;
    a->elemtype = FLOAT8OID;
    ARR_DIMS(a)[0] = n;
    ARR_LBOUND(a)[0] = 1;
    std::memcpy(ARR_DATA_PTR(a), values, sizeof(double) * static_cast<size_t>(n));
    return a;
}

}  // namespace cseg_pg
