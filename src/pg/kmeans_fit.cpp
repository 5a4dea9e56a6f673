// kmeans_fit(features float8[], k int [, options jsonb]) aggregate: transition and final.
#include <string>

#include "datum_codec.hpp"
#include "model_fit.hpp"
#include "fit_report.hpp"
#include "fit_memory_budget.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "model_json.hpp"
#include "reservoir.hpp"
#include "row_buffer.hpp"
#include "model_kind.hpp"

namespace {

// What the guarded fit hands back across the wall.
struct KMeansFitResult {
    struct varlena* model;
    int64 skipped;
    int32 empty;  // clusters left without rows (fewer distinct points than k)
};

// Checks k and the options once, on the first row, so mistakes fail before any buffering;
// with option "sample" the state becomes a reservoir.
void init_params(FunctionCallInfo fcinfo, cseg_pg::RowBuffer* st) {
    if (PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("kmeans_fit: k must not be NULL")));
    const int32 k = PG_GETARG_INT32(2);
    if (k < 1)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("kmeans_fit: k must be between 1 and the number of rows, got %d", k)));
    const char* options = cseg_pg::jsonb_options_text(fcinfo, 3);
    struct Sampling {
        int64 sample;
        uint64 seed;
        bool skip_missing;
    };
    const Sampling s = cseg_pg::guarded([&] {
        const cseg::KMeansOptions o = cseg::parse_kmeans_options(options);
        return Sampling{o.sample, cseg::reservoir_seed(o.seed),
                        o.missing == cseg::MissingPolicy::Skip};
    });
    st->k = k;
    cseg_pg::row_buffer_set_param(st, options, strlen(options));
    if (s.sample > 0) cseg_pg::row_buffer_set_sample(st, s.sample, s.seed, s.skip_missing);
}

// With "sample" and "missing": "error", a row that was seen but not sampled must still fail
// the fit (the core only sees the sample).
void reject_unsampled_missing(const cseg_pg::RowBuffer* st, const cseg::KMeansOptions& opts) {
    if (st->sample == 0 || opts.missing != cseg::MissingPolicy::Error || st->n_missing == 0) return;
    throw cseg::Error(cseg::ErrorKind::NullValue,
                      std::to_string(st->n_missing) + " of the " + std::to_string(st->n_seen) +
                          " rows seen have a NULL or non-finite element",
                      "kmeans_fit was called with option \"missing\" = \"error\".",
                      "Use \"missing\": \"skip\" to leave such rows out or \"impute\" to "
                      "replace missing elements by the feature mean.");
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(kmeans_fit_trans);
PG_FUNCTION_INFO_V1(kmeans_fit_final);

// Transition: buffers one row (whole-NULL arrays are ignored, as by every aggregate).
Datum kmeans_fit_trans(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, false, "kmeans_fit");
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    if (st->param == nullptr) {
        init_params(fcinfo, st);
    } else {  // the result must not depend on which row came first
        cseg_pg::int_param_check_same(fcinfo, 2, st->k, "k", "kmeans_fit");
        cseg_pg::jsonb_options_check_same(fcinfo, 3, st->param, "kmeans_fit");
    }
    cseg_pg::row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), 0, "kmeans_fit");
    PG_RETURN_POINTER(st);
}

// Final: runs the family's fit pipeline (model_fit.hpp) on the buffered rows (or the sample)
// in place; it puts them in canonical order first, so the model does not depend on scan order.
Datum kmeans_fit_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = cseg_pg::row_buffer_bytes(st);
    const KMeansFitResult r = cseg_pg::guarded([&] {
        const cseg::KMeansOptions opts = cseg::parse_kmeans_options(st->param);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        reject_unsampled_missing(st, opts);
        /* Everything the fit will allocate, within customer_seg.max_memory, before any of it. */
        const int32 threads = cseg_pg::fit_threads_within_budget(
            budget, held, st->n_rows, st->dims, st->k, opts, "kmeans_fit");
        /* The core fits the rows it is given (sorting them first, in place); sampling is
         * this aggregate's business. */
        cseg::KMeansOptions fit_opts = opts;
        fit_opts.sample = 0;
        cseg::FitInput in;
        in.numeric = st->data;
        in.n = st->n_rows;
        in.dims = st->dims;
        /* Rows with a missing element were counted while reading (a sample skipping them
         * holds none). */
        in.complete = st->n_missing == 0 || (st->sample > 0 && st->sample_skips_missing);
        cseg::Model m = cseg::fit_model(cseg::model_kind(cseg::ModelAlgorithm::KMeans), in, st->k,
                                        fit_opts, interrupt, threads);
        if (st->sample > 0) {
            /* The sample held complete rows only (skip) or every row (error, impute): the
             * rows skipped and seen are the aggregate's counts, not the sample's. */
            m.options.sample = opts.sample;
            if (st->sample_skips_missing) m.n_skipped = st->n_missing;
            m.n_seen = st->n_seen + (st->sample_skips_missing ? st->n_missing : 0);
        }
        return KMeansFitResult{cseg_pg::model_to_varlena(m), m.n_skipped,
                               cseg_pg::empty_clusters(m.sizes)};
    });
    if (r.skipped > 0)
        ereport(NOTICE, (errmsg("kmeans_fit skipped %lld rows with NULL or non-finite elements",
                                static_cast<long long>(r.skipped))));
    cseg_pg::warn_empty_clusters("kmeans_fit", st->k, r.empty, "points");
    PG_RETURN_POINTER(r.model);
}

}  // extern "C"
