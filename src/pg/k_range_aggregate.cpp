// The shared state handling of the aggregates over a range of k (k_range_aggregate.hpp).
#include "k_range_aggregate.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"

namespace cseg_pg {

namespace {

// Checks k_min, k_max and the options once, on the first row; keeps "k_min k_max options".
void init_params(FunctionCallInfo fcinfo, RowBuffer* st, const char* fn,
                 void (*parse_options)(const char*)) {
    if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: k_min and k_max must not be NULL", fn)));
    const int32 k_min = PG_GETARG_INT32(2), k_max = PG_GETARG_INT32(3);
    if (k_min < 1 || k_max < k_min)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s needs 1 <= k_min <= k_max, got k_min = %d and k_max = %d", fn,
                               k_min, k_max)));
    const char* options = jsonb_options_text(fcinfo, 4);
    guarded([&] { parse_options(options); });
    const char* param = psprintf("%d %d %s", k_min, k_max, options);
    row_buffer_set_param(st, param, strlen(param));
}

}  // namespace

// The first row's checks, the later rows' sameness, then the row itself.
Datum k_range_trans(FunctionCallInfo fcinfo, const char* fn, void (*parse_options)(const char*)) {
    RowBuffer* st = row_buffer_get(fcinfo, false, fn);
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) {
        init_params(fcinfo, st, fn, parse_options);
    } else {  // the result must not depend on which row came first
        const KRange r = k_range_of(st, fn);
        int_param_check_same(fcinfo, 2, r.k_min, "k_min", fn);
        int_param_check_same(fcinfo, 3, r.k_max, "k_max", fn);
        jsonb_options_check_same(fcinfo, 4, r.options, fn);
    }
    row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, fn);
    PG_RETURN_POINTER(st);
}

// Parses "k_min k_max options".
KRange k_range_of(const RowBuffer* st, const char* fn) {
    int k_min = 0, k_max = 0, used = 0;
    if (st->param == nullptr ||
        sscanf(st->param, "%d %d %n", &k_min, &k_max, &used) != 2 || used == 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("%s: corrupt aggregate parameter", fn)));
    return KRange{k_min, k_max, st->param + used};
}

// The state (nullptr when empty), its k range, then two copies of the n x d rows against
// the budget.
RowBuffer* k_range_final_state(FunctionCallInfo fcinfo, const char* fn, const char* work,
                               KRange* range) {
    if (PG_ARGISNULL(0)) return nullptr;
    RowBuffer* st = reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0) return nullptr;
    *range = k_range_of(st, fn);
    const double need = 2.0 * static_cast<double>(st->n_rows) * st->dims * sizeof(double);
    if (need > memory_budget_bytes())
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("%s needs %.0f MB for %lld rows of %d features (the rows and a working "
                        "copy), more than customer_seg.max_memory (%s)",
                        fn, need / 1048576.0, static_cast<long long>(st->n_rows), st->dims,
                        memory_budget_text()),
                 errhint("Raise customer_seg.max_memory, or %s on a sample of the rows.", work)));
    return st;
}

// One NOTICE per thing the caller should know about the rows the scores stand on.
void k_range_notices(const char* fn, int64 n_rows, int64 n_skipped, int64 silhouette_rows) {
    notice_skipped(fn, n_skipped);
    if (silhouette_rows < n_rows)
        ereport(NOTICE,
                (errmsg("%s: silhouette averaged over a seeded sample of %lld of %lld rows", fn,
                        static_cast<long long>(silhouette_rows), static_cast<long long>(n_rows)),
                 errhint("Option \"silhouette_sample\" sets the sample size; null makes it exact "
                         "(O(n^2) time).")));
}

// NaN → NULL, else the float8.
Datum k_range_score_datum(double v, bool* null) {
    *null = std::isnan(v);
    return Float8GetDatum(*null ? 0.0 : v);
}

}  // namespace cseg_pg
