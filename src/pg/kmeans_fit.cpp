// kmeans_fit(features float8[], k int [, options jsonb]) aggregate: transition and final.
#include <string>
#include <vector>

#include "datum_codec.hpp"
#include "model_fit.hpp"
#include "fit_aggregate.hpp"
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

// Checks the options once, on the first row, so mistakes fail before any buffering; with
// option "sample" the state becomes a reservoir.
void init_options(cseg_pg::RowBuffer* st, const char* options) {
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
    return cseg_pg::fit_k_trans(fcinfo, "kmeans_fit", init_options);
}

// Final: runs the family's fit pipeline (model_fit.hpp) on the buffered rows (or the sample)
// in place; it puts them in canonical order first, so the model does not depend on scan order.
Datum kmeans_fit_final(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::fit_final_state(fcinfo);
    if (st == nullptr) PG_RETURN_NULL();
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = cseg_pg::row_buffer_bytes(st);
    const KMeansFitResult r = cseg_pg::guarded([&] {
        const cseg::KMeansOptions opts = cseg::parse_kmeans_options(st->param);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        reject_unsampled_missing(st, opts);
        if (st->sample > 0) {
            /* Too few usable rows in the table (n_seen: every usable row read), whatever the
             * sample; else rows enough for k, but perhaps a sample too small for it. */
            if (st->n_seen < st->k) {
                /* Every row skipped: which features they miss, as without "sample". */
                const std::string missing =
                    st->n_seen == 0 && st->missing_by != nullptr
                        ? cseg::missing_by_feature_text(
                              std::vector<int64_t>(st->missing_by, st->missing_by + st->dims),
                              st->dims, opts.feature_names, {}) + " "
                        : std::string();
                throw cseg::too_few_usable_rows(
                    "kmeans_fit", st->n_seen, st->k,
                    st->sample_skips_missing ? st->n_missing : 0, cseg::kMissingElement,
                    missing + "The input itself has fewer usable rows than k; option " +
                        "\"sample\" (" + std::to_string(st->sample) +
                        " rows) does not matter here.");
            }
            cseg::require_sample_holds_k(st->sample, st->k, "kmeans_fit");
        }
        /* Everything the fit will allocate, within customer_seg.max_memory, before any of it. */
        const int32 threads = cseg_pg::fit_threads_within_budget(
            budget, held, st->n_rows, st->dims, st->k, opts, "kmeans_fit");
        /* The core fits the rows it is given (sorting them first, in place); sampling is
         * this aggregate's business. */
        cseg::KMeansOptions fit_opts = opts;
        fit_opts.sample = 0;
        const cseg::FitInput in = cseg_pg::fit_input_of(st);
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
    cseg_pg::notice_skipped("kmeans_fit", r.skipped);
    cseg_pg::warn_empty_clusters("kmeans_fit", st->k, r.empty, "points");
    PG_RETURN_POINTER(r.model);
}

}  // extern "C"
