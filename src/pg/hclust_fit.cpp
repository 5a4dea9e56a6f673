// hclust_fit(features float8[], k int [, options jsonb]) aggregate, seg_dendrogram(segmodel)
// and seg_cut(segmodel, k): hierarchical clustering (src/core/model_hierarchical.cpp).
#include <string>

#include "datum_codec.hpp"
#include "fit_aggregate.hpp"
#include "fit_memory_budget.hpp"
#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "guard.hpp"
#include "hclust_model.hpp"
#include "jsonb_options.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "model_point.hpp"
#include "row_buffer.hpp"

namespace {

// What the guarded fit hands back across the wall.
struct HclustFitResult {
    struct varlena* model;
    int64 skipped;
    int32 clusters;
};

// Checks the options once, on the first row, so mistakes fail before any buffering.
void init_options(cseg_pg::RowBuffer* st, const char* options) {
    cseg_pg::guarded([&] {
        cseg::parse_model_options(options, cseg::ModelAlgorithm::Hierarchical);
        return 0;
    });
    cseg_pg::row_buffer_set_param(st, options, strlen(options));
}

// A NOTICE when tied merge heights left fewer clusters than asked for.
void report_fewer(const char* fn, int32 asked, int32 got) {
    if (got < asked)
        ereport(NOTICE,
                (errmsg("%s: %d clusters instead of %d: merge heights tie across the cut", fn,
                        got, asked),
                 errdetail("As scipy's fcluster(..., \"maxclust\"), no threshold separates "
                           "merges of equal height.")));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(hclust_fit_trans);
PG_FUNCTION_INFO_V1(hclust_fit_final);
PG_FUNCTION_INFO_V1(seg_dendrogram);
PG_FUNCTION_INFO_V1(seg_cut);

// Transition: buffers one row (whole-NULL arrays are ignored, as by every aggregate).
Datum hclust_fit_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::fit_k_trans(fcinfo, "hclust_fit", init_options);
}

// Final: the family's fit pipeline with the hierarchical kind; complete/average linkage may
// use what customer_seg.max_memory leaves beside the buffered rows for its distance matrix.
Datum hclust_fit_final(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::fit_final_state(fcinfo);
    if (st == nullptr) PG_RETURN_NULL();
    const double budget = cseg_pg::memory_budget_bytes() - cseg_pg::row_buffer_bytes(st);
    const int32 threads = cseg_pg::effective_fit_threads();
    const HclustFitResult r = cseg_pg::guarded([&] {
        const cseg::KMeansOptions opts =
            cseg::parse_model_options(st->param, cseg::ModelAlgorithm::Hierarchical);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::FitInput in = cseg_pg::fit_input_of(st);
        in.memory_budget = budget;
        const cseg::Model m =
            cseg::fit_model(cseg::model_kind(cseg::ModelAlgorithm::Hierarchical), in, st->k,
                            opts, interrupt, threads);
        return HclustFitResult{cseg_pg::model_to_varlena(m), m.n_skipped, m.k};
    });
    cseg_pg::notice_skipped("hclust_fit", r.skipped);
    report_fewer("hclust_fit", st->k, r.clusters);
    PG_RETURN_POINTER(r.model);
}

// seg_dendrogram(segmodel) -> TABLE(step, left_node, right_node, height, size): the merges in
// scipy's linkage convention (leaves 0 .. L-1, the node of step s is L + s).
Datum seg_dendrogram(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    cseg_pg::require_model_operation(c, cseg::ModelOperation::Dendrogram, "seg_dendrogram");
    const cseg::ModelView& m = c->view;
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const int64 steps = m.kind_rows[cseg::kMergeLeft];
    const int64* left = m.kind_integers(cseg::kMergeLeft);
    const int64* right = m.kind_integers(cseg::kMergeRight);
    const double* height = m.kind_doubles(cseg::kMergeHeight);
    const int64* size = m.kind_integers(cseg::kMergeSize);
    for (int64 s = 0; s < steps; ++s) {
        Datum values[5] = {Int32GetDatum(static_cast<int32>(s)),
                           Int32GetDatum(static_cast<int32>(left[s])),
                           Int32GetDatum(static_cast<int32>(right[s])), Float8GetDatum(height[s]),
                           Int64GetDatum(size[s])};
        bool nulls[5] = {false, false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}

// seg_cut(segmodel, k) -> the same tree cut into k clusters.
Datum seg_cut(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    cseg_pg::require_model_operation(c, cseg::ModelOperation::Dendrogram, "seg_cut");
    const int32 k = PG_GETARG_INT32(1);
    struct varlena* raw = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    struct Cut {
        struct varlena* model;
        int32 clusters;
    };
    const Cut r = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(raw, cseg::ErrorKind::InvalidBinary);
        const cseg::Model cut = cseg::hclust_recut(m, k);
        return Cut{cseg_pg::model_to_varlena(cut), cut.k};
    });
    report_fewer("seg_cut", k, r.clusters);
    PG_RETURN_POINTER(r.model);
}

}  // extern "C"
