// The shared k check, transition and final state of the one-k fit aggregates (fit_aggregate.hpp).
#include "fit_aggregate.hpp"

#include "jsonb_options.hpp"

namespace cseg_pg {

// Not NULL, then at least 1 (the upper bound, the row count, is the fit's to check).
int32 fit_k_arg(FunctionCallInfo fcinfo, int argno, const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: k must not be NULL", fn)));
    const int32 k = PG_GETARG_INT32(argno);
    if (k < 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: k must be between 1 and the number of rows, got %d", fn, k)));
    return k;
}

// The first row's checks, the later rows' sameness, then the row itself.
Datum fit_k_trans(FunctionCallInfo fcinfo, const char* fn,
                  void (*init)(RowBuffer* st, const char* options)) {
    RowBuffer* st = row_buffer_get(fcinfo, false, fn);
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) {
        const int32 k = fit_k_arg(fcinfo, 2, fn);
        init(st, jsonb_options_text(fcinfo, 3));
        st->k = k;
    } else {  // the result must not depend on which row came first
        int_param_check_same(fcinfo, 2, st->k, "k", fn);
        jsonb_options_check_same(fcinfo, 3, st->param, fn);
    }
    row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, fn);
    PG_RETURN_POINTER(st);
}

// NULL state or one without a row (complete or missing) → nullptr.
RowBuffer* fit_final_state(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) return nullptr;
    RowBuffer* st = reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) return nullptr;
    return st;
}

// Pointers into the state and the counts it kept.
cseg::FitInput fit_input_of(RowBuffer* st) {
    cseg::FitInput in;
    in.numeric = st->data;
    in.n = st->n_rows;
    in.dims = st->dims;
    in.complete = st->n_missing == 0 || (st->sample > 0 && st->sample_skips_missing);
    return in;
}

}  // namespace cseg_pg
