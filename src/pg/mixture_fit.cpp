// gmm_fit(features float8[], k int [, options jsonb]) and dbscan_fit(features float8[],
// eps float8, min_samples int [, options jsonb]) aggregates: transitions and finals. Both
// buffer rows in a RowBuffer (parallel-capable, the shared seg_rows_* support functions) and
// hand them to the family's fit pipeline (model_fit.hpp) in the final function.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "datum_codec.hpp"
#include "dbscan.hpp"
#include "fit_aggregate.hpp"
#include "fit_memory_budget.hpp"
#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "gmm.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "row_buffer.hpp"

namespace {

// What the guarded fit hands back across the wall.
struct MixtureFitResult {
    struct varlena* model;
    int64 skipped;
};

// Checks the options of algorithm a (naming fn) and stores `param` in the state.
void store_param(cseg_pg::RowBuffer* st, const char* options, const std::string& param,
                 cseg::ModelAlgorithm a) {
    cseg_pg::guarded([&] {
        cseg::parse_model_options(options, a);
        return 0;
    });
    cseg_pg::row_buffer_set_param(st, param.c_str(), param.size());
}

// The fit pipeline on the buffered rows, held to customer_seg.max_memory first (the rows
// plus gmm_fit_bytes / dbscan_fit_bytes); the state's rows are sorted and scaled in place.
Datum fit_final(FunctionCallInfo fcinfo, cseg::ModelAlgorithm a, const char* fn) {
    cseg_pg::RowBuffer* st = cseg_pg::fit_final_state(fcinfo);
    if (st == nullptr) PG_RETURN_NULL();
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = cseg_pg::row_buffer_bytes(st);
    const MixtureFitResult r = cseg_pg::guarded([&] {
        /* dbscan_fit's param is "<eps>\n<options>" (shortest round-trip eps); gmm_fit's the
         * options alone. */
        const char* options = st->param;
        double eps = 0.0;
        if (a == cseg::ModelAlgorithm::Dbscan) {
            eps = std::strtod(st->param, nullptr);
            options = std::strchr(st->param, '\n') + 1;
        }
        cseg::KMeansOptions opts = cseg::parse_model_options(options, a);
        opts.dbscan_eps = eps;
        opts.dbscan_min_samples = a == cseg::ModelAlgorithm::Dbscan ? st->k : 0;
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const cseg::FitInput in = cseg_pg::fit_input_of(st);
        const int32 k = a == cseg::ModelAlgorithm::Dbscan ? 1 : st->k;
        if (a == cseg::ModelAlgorithm::Gmm)  /* k > n fails in the fit, before anything of size k */
            cseg_pg::require_fit_memory(
                budget, held,
                cseg::gmm_fit_bytes(st->n_rows, st->dims, std::min<int64>(k, st->n_rows), opts,
                                    budget.threads),
                fn, "the Gaussian mixture fit (responsibilities, covariances, k-means starts)");
        else
            cseg_pg::require_fit_memory(budget, held,
                                        cseg::dbscan_fit_bytes(st->n_rows, st->dims,
                                                               budget.threads),
                                        fn, "the DBSCAN fit (k-d trees, core rows, the model)");
        cseg::Model m =
            cseg::fit_model(cseg::model_kind(a), in, k, opts, interrupt, budget.threads);
        return MixtureFitResult{cseg_pg::model_to_varlena(m), m.n_skipped};
    });
    cseg_pg::notice_skipped(fn, r.skipped);
    PG_RETURN_POINTER(r.model);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(gmm_fit_trans);
PG_FUNCTION_INFO_V1(gmm_fit_final);
PG_FUNCTION_INFO_V1(dbscan_fit_trans);
PG_FUNCTION_INFO_V1(dbscan_fit_final);

// gmm_fit transition: buffers one row; k and the options are checked on the first row and
// must be the same on every later one.
Datum gmm_fit_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::fit_k_trans(fcinfo, "gmm_fit",
                                [](cseg_pg::RowBuffer* st, const char* options) {
                                    store_param(st, options, options, cseg::ModelAlgorithm::Gmm);
                                });
}

// gmm_fit final: the fit pipeline with the Gaussian mixture kind.
Datum gmm_fit_final(PG_FUNCTION_ARGS) {
    return fit_final(fcinfo, cseg::ModelAlgorithm::Gmm, "gmm_fit");
}

// dbscan_fit transition: buffers one row; eps, min_samples and the options are checked on
// the first row and must be the same on every later one.
Datum dbscan_fit_trans(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, false, "dbscan_fit");
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) {
        if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("dbscan_fit: eps and min_samples must not be NULL")));
        const double eps = PG_GETARG_FLOAT8(2);
        const int32 min_samples = PG_GETARG_INT32(3);
        if (!(std::isfinite(eps) && eps > 0.0))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("dbscan_fit: eps must be a finite number > 0, got %g", eps)));
        if (min_samples < 1)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("dbscan_fit: min_samples must be at least 1, got %d",
                                   min_samples)));
        const char* options = cseg_pg::jsonb_options_text(fcinfo, 4);
        char eps_text[64];
        snprintf(eps_text, sizeof eps_text, "%.17g\n", eps);
        st->k = min_samples;
        store_param(st, options, std::string(eps_text) + options, cseg::ModelAlgorithm::Dbscan);
    } else {  // the param is "<eps>\n<options>"
        cseg_pg::float8_param_check_same(fcinfo, 2, std::strtod(st->param, nullptr), "eps",
                                         "dbscan_fit");
        cseg_pg::int_param_check_same(fcinfo, 3, st->k, "min_samples", "dbscan_fit");
        cseg_pg::jsonb_options_check_same(fcinfo, 4, std::strchr(st->param, '\n') + 1,
                                          "dbscan_fit");
    }
    cseg_pg::row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, "dbscan_fit");
    PG_RETURN_POINTER(st);
}

// dbscan_fit final: the fit pipeline with the DBSCAN kind.
Datum dbscan_fit_final(PG_FUNCTION_ARGS) {
    return fit_final(fcinfo, cseg::ModelAlgorithm::Dbscan, "dbscan_fit");
}

}  // extern "C"
