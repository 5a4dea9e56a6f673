// Preparing one feature array for nearest-centroid lookups.
#include "model_point.hpp"

#include <cmath>

#include "float8_array.hpp"

namespace cseg_pg {

// Reads, checks, imputes and scales one feature array.
bool model_point(FunctionCallInfo fcinfo, ModelCache* cache, int argno, const char* fn) {
    const cseg::ModelView& m = cache->view;
    ArrayType* a = PG_GETARG_ARRAYTYPE_P(argno);
    char what[64];
    snprintf(what, sizeof what, "%s features", fn);
    const int32 n = float8_array_length(a, what);
    if (n != m.dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: the array has %d elements but the model has %d features", fn,
                               n, m.dims)));
    double* x = cache->scratch;
    if (float8_array_read(a, x, n) > 0) {
        if (m.impute == nullptr) return false;
        for (int32 j = 0; j < n; ++j)
            if (!std::isfinite(x[j])) x[j] = m.impute[j];
    }
    for (int32 j = 0; j < n; ++j) x[j] = (x[j] - m.center[j]) / m.scale[j];
    return true;
}

}  // namespace cseg_pg
