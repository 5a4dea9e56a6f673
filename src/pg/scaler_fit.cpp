// scaler_fit(features float8[] [, method text]) aggregate: transition and final functions.
#include "guard.hpp"
#include "datum_codec.hpp"
#include "fit_report.hpp"
#include "jsonb_options.hpp"
#include "missing.hpp"
#include "row_buffer.hpp"
#include "row_order.hpp"
#include "scaler.hpp"

namespace {

// What the guarded fit hands back across the wall.
struct ScalerFitResult {
    struct varlena* scaler;
    int64 skipped;
};

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(scaler_fit_trans);
PG_FUNCTION_INFO_V1(scaler_fit_final);

// Transition: buffers one row; the method (argument 2, default "standard") is checked once.
Datum scaler_fit_trans(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, false, "scaler_fit");
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) {
        if (PG_NARGS() > 2 && PG_ARGISNULL(2))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("scaler_fit method must not be NULL")));
        const char* method = PG_NARGS() > 2 ? text_to_cstring(PG_GETARG_TEXT_PP(2)) : "standard";
        cseg_pg::guarded([&] { cseg::parse_scale_method(method); });
        cseg_pg::row_buffer_set_param(st, method, strlen(method));
    } else if (PG_NARGS() > 2) {  // the scaler must not depend on which row came first
        cseg_pg::text_param_check_same(fcinfo, 2, st->param, "method", "scaler_fit");
    }
    cseg_pg::row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, "scaler_fit");
    PG_RETURN_POINTER(st);
}

// Final: fits the scaler on the rows without NULL or non-finite elements.
Datum scaler_fit_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0) PG_RETURN_NULL();
    const ScalerFitResult r = cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const int64_t kept = cseg::compact_complete_rows(st->data, st->n_rows, st->dims);
        cseg::sort_rows(st->data, nullptr, kept, st->dims, interrupt);
        if (kept == 0)
            throw cseg::Error(cseg::ErrorKind::DataException,
                              "scaler_fit: every row has a NULL or non-finite element");
        const cseg::ConstRowMap rows(st->data, kept, st->dims);
        const cseg::Scaler s = cseg::fit_scaler(rows, cseg::parse_scale_method(st->param), interrupt);
        st->n_rows = kept;
        return ScalerFitResult{cseg_pg::scaler_to_varlena(s), st->n_missing};
    });
    st->n_missing = 0;
    cseg_pg::notice_skipped("scaler_fit", r.skipped);
    PG_RETURN_POINTER(r.scaler);
}

}  // extern "C"
