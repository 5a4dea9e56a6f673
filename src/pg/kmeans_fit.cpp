// kmeans_fit(features float8[], k int [, options jsonb]) aggregate: transition and final.
#include "datum_codec.hpp"
#include "fit_model.hpp"
#include "guard.hpp"
#include "model_json.hpp"
#include "row_buffer.hpp"
#include "row_order.hpp"

namespace {

// What the guarded fit hands back across the wall.
struct KMeansFitResult {
    struct varlena* model;
    int64 skipped;
};

// Checks k and the options once, on the first row, so mistakes fail before any buffering.
void init_params(FunctionCallInfo fcinfo, cseg_pg::RowBuffer* st) {
    if (PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("kmeans_fit: k must not be NULL")));
    const int32 k = PG_GETARG_INT32(2);
    if (k < 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("kmeans_fit: k must be between 1 and the number of rows, got %d",
                               k)));
    const char* options = "{}";
    if (PG_NARGS() > 3 && !PG_ARGISNULL(3)) {
        Jsonb* jb = PG_GETARG_JSONB_P(3);
        options = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    }
    cseg_pg::guarded([&] { cseg::parse_kmeans_options(options); });
    st->k = k;
    cseg_pg::row_buffer_set_param(st, options, strlen(options));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(kmeans_fit_trans);
PG_FUNCTION_INFO_V1(kmeans_fit_final);

// Transition: buffers one row (whole-NULL arrays are ignored, as by every aggregate).
Datum kmeans_fit_trans(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, false, "kmeans_fit");
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) init_params(fcinfo, st);
    cseg_pg::row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, "kmeans_fit");
    PG_RETURN_POINTER(st);
}

// Final: puts the buffered rows in canonical order (so the model does not depend on scan
// order) and runs the whole fit pipeline on them in place.
Datum kmeans_fit_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0) PG_RETURN_NULL();
    const KMeansFitResult r = cseg_pg::guarded([&] {
        const cseg::KMeansOptions opts = cseg::parse_kmeans_options(st->param);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::sort_rows(st->data, nullptr, st->n_rows, st->dims, interrupt);
        cseg::RowMap rows(st->data, st->n_rows, st->dims);
        const cseg::Model m = cseg::fit_kmeans_model(rows, st->k, opts, interrupt);
        return KMeansFitResult{cseg_pg::model_to_varlena(m), m.n_skipped};
    });
    if (r.skipped > 0)
        ereport(NOTICE, (errmsg("kmeans_fit skipped %lld rows with NULL or non-finite elements",
                                static_cast<long long>(r.skipped))));
    PG_RETURN_POINTER(r.model);
}

}  // extern "C"
