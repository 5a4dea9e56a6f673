// Preparing one feature array for nearest-centroid lookups.
#include "model_point.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "feature_pipeline.hpp"
#include "float8_array.hpp"
#include "guard.hpp"
#include "kprototypes.hpp"
#include "text_array.hpp"

namespace cseg_pg {

namespace {

// Reads, checks, imputes and scales the numeric array of argument argno (any algorithm).
bool numeric_point(FunctionCallInfo fcinfo, ModelCache* cache, int argno, const char* fn) {
    const cseg::ModelView& m = cache->view;
    ArrayType* a = PG_GETARG_ARRAYTYPE_P(argno);
    int32 n;
    if (ARR_ELEMTYPE(a) == FLOAT8OID && ARR_NDIM(a) == 1) {
        n = ARR_DIMS(a)[0];  // the common case, checked without formatting a name per row
    } else {
        char what[64];
        snprintf(what, sizeof what, "%s features", fn);
        n = float8_array_length(a, what);  // raises the error
    }
    if (n != m.dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: the array has %d elements but the model has %d features", fn,
                               n, m.dims)));
    // Without NULLs the elements are read where they lie (no copy): the pipeline starts on
    // them at once, which is most of seg_assign's per-row cost after the call itself.
    if (!ARR_HASNULL(a))
        return model_point_values(m, reinterpret_cast<const double*>(ARR_DATA_PTR(a)),
                                  cache->scratch);
    float8_array_read(a, cache->scratch, n);
    return model_point_values(m, cache->scratch, cache->scratch);
}

// A finite input whose transformed or scaled value overflows: a clear error naming the
// feature, the value given and the step that overflowed (`value`: what the scaler got).
[[noreturn]] void out_of_model_range(const cseg::ModelView& m, int32 j, double input,
                                     double value) {
    if (!std::isfinite(value)) {  // the transform itself overflowed (yeo-johnson)
        const auto t = cseg::FeatureTransform(m.transform[j]);
        ereport(ERROR,
                (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                 errmsg("feature %d = %g is out of range for the model's transform %s: the "
                        "transformed value overflows double precision",
                        j + 1, input, cseg::feature_transform_name(t)),
                 errdetail("The transform's lambda is %g.", m.lambdas[j])));
    }
    ereport(ERROR,
            (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
             errmsg("feature %d = %g is out of range for the model's scaler: the scaled value "
                    "overflows double precision",
                    j + 1, input),
             errdetail("The scaler's center is %g and its scale %g.", m.center[j], m.scale[j])));
    pg_unreachable();
}

}  // namespace

// The 22023 error naming the kinds that take op, unless the cache's kind takes it.
void require_model_operation(const ModelCache* cache, cseg::ModelOperation op, const char* fn) {
    if (cache->kind->takes(op)) return;
    guarded([&] { cseg::require_operation(*cache->kind, op, fn); });
}

// Reads, checks, imputes and scales one feature array for a kind labelling rows by numbers.
bool model_point(FunctionCallInfo fcinfo, ModelCache* cache, int argno, const char* fn) {
    require_model_operation(cache, cseg::ModelOperation::AssignNumbers, fn);
    return numeric_point(fcinfo, cache, argno, fn);
}

// Reads a row of numbers and categories for a categorical kind.
bool model_mixed_point(FunctionCallInfo fcinfo, ModelCache* cache, int num_arg, int cat_arg,
                       const char* fn) {
    const cseg::ModelView& m = cache->view;
    require_model_operation(cache, cseg::ModelOperation::AssignMixed, fn);
    ArrayType* a = PG_GETARG_ARRAYTYPE_P(cat_arg);
    char what[64];
    snprintf(what, sizeof what, "%s categorical", fn);
    const int32 q = text_array_length(a, what);
    if (q != m.cat_dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: the categorical array has %d elements but the model has %d "
                               "categorical features",
                               fn, q, m.cat_dims)));
    const bool numbers_ok = numeric_point(fcinfo, cache, num_arg, fn);
    const char** data = static_cast<const char**>(palloc(sizeof(char*) * q));
    int32* len = static_cast<int32*>(palloc(sizeof(int32) * q));
    text_array_read(a, q, data, len);
    const bool categories_ok = model_category_codes(m, data, len, cache->codes);
    pfree(data);
    pfree(len);
    return numbers_ok && categories_ok;
}

// Looks every category up in the model's vocabulary (find_category).
bool model_category_codes(const cseg::ModelView& m, const char* const* data, const int32* len,
                          int32* codes) {
    bool complete = true;
    for (int32 j = 0; j < m.cat_dims; ++j) {
        if (len[j] < 0) {
            complete = false;
            codes[j] = m.cat_impute != nullptr ? m.cat_impute[j] : -1;
        } else {
            codes[j] = cseg::find_category(m, j, data[j], size_t(len[j]));
        }
    }
    return complete || m.cat_impute != nullptr;
}

// The error for a value outside the domain of feature j's transform, naming the feature.
[[noreturn]] static void transform_domain_error(const cseg::ModelView& m, int32 j, double x) {
    cseg_pg::guarded([&] {
        std::vector<std::string> names;
        const std::string name = cseg::view_feature_name(m, j);
        if (!name.empty()) {
            names.resize(size_t(m.dims));
            names[size_t(j)] = name;
        }
        cseg::throw_domain_error("", names, j, cseg::FeatureTransform(m.transform[j]), x);
    });
    pg_unreachable();
}

// Applies the model's per-feature transforms to x in place (missing values stay missing).
void model_transform_values(const cseg::ModelView& m, double* x) {
    if (m.transform == nullptr) return;
    const int32 bad = cseg::transform_row(m.transform, m.lambdas, x, m.dims);
    if (bad >= 0) transform_domain_error(m, bad, x[bad]);
}

// Transforms, imputes (when the model does), clips and scales one row of doubles from `in`
// into x (in == x allowed), in one pass over the features; a missing value (NaN or +-Inf) is
// found in that pass, so no count of them is needed first. Errors as the steps one after
// another: a value outside its transform's domain first (any feature), then a missing value
// without imputation (false), then a scaled value that overflows.
bool model_point_values(const cseg::ModelView& m, const double* in, double* x) {
    // The model's arrays in locals: PostgreSQL compiles with -fno-strict-aliasing, so each
    // store to x would otherwise reload them from m.
    const int32 n = m.dims;
    const uint8* const transform = m.transform;
    const double *const lambdas = m.lambdas, *const impute = m.impute;
    const double *const clip_lo = m.clip_lo, *const clip_hi = m.clip_hi;
    const double *const center = m.center, *const scale = m.scale;
    int32 overflow = -1;  // the first feature whose scaled value overflows
    double overflow_input = 0.0, overflow_value = 0.0;
    // The log1p features' logs first, four at a time (the same bits as one by one); a value
    // missing or outside the domain gets a meaningless log that is never used.
    double logs[cseg::ModelView::kMaxLog1pIndex];
    if (m.n_log1p > 0) cseg::pipeline_log1p_at(m.log1p_index, m.n_log1p, in, logs);
    int32 next_log = 0;
    for (int32 j = 0; j < n; ++j) {
        const double input = in[j];
        double v = input;
        if (!std::isfinite(v)) {
            if (impute == nullptr) {
                // The row is NULL; the domain errors of the features after it still come first.
                for (int32 i = j + 1; i < n && transform != nullptr; ++i) {
                    const auto t = cseg::FeatureTransform(transform[i]);
                    if (std::isfinite(in[i]) && !cseg::in_transform_domain(t, in[i]))
                        transform_domain_error(m, i, in[i]);
                }
                return false;
            }
            v = impute[j];
        } else if (transform != nullptr) {
            const auto t = cseg::FeatureTransform(transform[j]);
            if (!cseg::in_transform_domain(t, v)) transform_domain_error(m, j, v);
            if (t == cseg::FeatureTransform::Log1p && m.n_log1p > 0)
                v = logs[next_log];
            else
                v = cseg::apply_transform(t, lambdas[j], v);
        }
        // Counted for every log1p feature, missing or not (logs[] follows log1p_index).
        if (transform != nullptr && transform[j] == uint8(cseg::FeatureTransform::Log1p))
            ++next_log;
        if (clip_lo != nullptr) v = std::min(std::max(v, clip_lo[j]), clip_hi[j]);
        const double scaled = (v - center[j]) / scale[j];
        x[j] = scaled;
        if (!std::isfinite(scaled) && overflow < 0) {
            overflow = j;
            overflow_input = input;
            overflow_value = v;
        }
    }
    if (overflow >= 0) out_of_model_range(m, overflow, overflow_input, overflow_value);
    return true;
}

}  // namespace cseg_pg
