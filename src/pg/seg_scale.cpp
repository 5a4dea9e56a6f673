// seg_scale / seg_unscale: apply a scaler (or a model's scaler) to one feature array.
#include "datum_codec.hpp"
#include "feature_pipeline.hpp"
#include "float8_array.hpp"
#include "guard.hpp"
#include "model_point.hpp"

namespace {

// Reads the feature array into scratch after checking its length against the scaler.
ArrayType* read_features(FunctionCallInfo fcinfo, int32 dims, double* scratch, const char* fn) {
    ArrayType* a = PG_GETARG_ARRAYTYPE_P(1);
    char what[64];
    snprintf(what, sizeof what, "%s features", fn);
    const int32 n = cseg_pg::float8_array_length(a, what);
    if (n != dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: the array has %d elements but %d features were expected", fn,
                               n, dims)));
    cseg_pg::float8_array_read(a, scratch, n);
    return a;
}

// Applies (x - center) / scale, or its inverse, element-wise; NULL elements stay NULL.
Datum apply(FunctionCallInfo fcinfo, int32 dims, const double* center, const double* scale,
            double* scratch, bool inverse, const char* fn) {
    ArrayType* a = read_features(fcinfo, dims, scratch, fn);
    for (int32 j = 0; j < dims; ++j)
        scratch[j] = inverse ? scratch[j] * scale[j] + center[j]
                             : (scratch[j] - center[j]) / scale[j];
    PG_RETURN_ARRAYTYPE_P(cseg_pg::float8_array_build(scratch, dims, a));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_scale_scaler);
PG_FUNCTION_INFO_V1(seg_unscale_scaler);
PG_FUNCTION_INFO_V1(seg_scale_model);

// seg_scale(segscaler, float8[]): original units -> scaled space.
Datum seg_scale_scaler(PG_FUNCTION_ARGS) {
    const cseg_pg::ScalerCache* c = cseg_pg::scaler_cache_get(fcinfo, 0);
    return apply(fcinfo, c->dims, c->center, c->scale, c->scratch, false, "seg_scale");
}

// seg_unscale(segscaler, float8[]): scaled space -> original units.
Datum seg_unscale_scaler(PG_FUNCTION_ARGS) {
    const cseg_pg::ScalerCache* c = cseg_pg::scaler_cache_get(fcinfo, 0);
    return apply(fcinfo, c->dims, c->center, c->scale, c->scratch, true, "seg_unscale");
}

// seg_scale(segmodel, float8[]): the row in the model's space — its feature pipeline's
// transform and clipping (no imputation: NULL elements stay NULL), then its scaler.
Datum seg_scale_model(PG_FUNCTION_ARGS) {
    const cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    const cseg::ModelView& m = c->view;
    ArrayType* a = read_features(fcinfo, m.dims, c->scratch, "seg_scale");
    cseg_pg::model_transform_values(m, c->scratch);
    if (m.clip_lo != nullptr) cseg::clip_row(m.clip_lo, m.clip_hi, c->scratch, m.dims);
    for (int32 j = 0; j < m.dims; ++j) c->scratch[j] = (c->scratch[j] - m.center[j]) / m.scale[j];
    PG_RETURN_ARRAYTYPE_P(cseg_pg::float8_array_build(c->scratch, m.dims, a));
}

}  // extern "C"
