// seg_compare_rows(features float8[], k_min int, k_max int, options jsonb) aggregate behind
// seg_compare(source, features, k_min, k_max, options): k-means, Ward and a Gaussian mixture
// per k and DBSCAN once on one read of the rows, scored alike (src/core/compare.hpp).
#include "compare.hpp"
#include "composite_array.hpp"
#include "datum_codec.hpp"
#include "fit_memory_budget.hpp"
#include "fit_settings.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "k_range_aggregate.hpp"
#include "row_buffer.hpp"
#include "row_order.hpp"
#include "segment_warnings.hpp"
#include "text_result.hpp"

#include <cstdio>
#include <string>

namespace {

constexpr const char* kFn = "seg_compare";

// One row of the result, plain data for crossing the wall.
struct CompareOut {
    const char* algorithm;
    int32 k;
    double silhouette, davies_bouldin, calinski_harabasz, bic;
    int64 n_noise;
    double seconds;
    struct varlena* model;  // nullptr: none (DBSCAN found only noise)
    text* warning;          // segment_warning's text (or DBSCAN's "no cluster"), nullptr: none
};

// The whole result.
struct CompareOutAll {
    CompareOut* rows;
    int32 n_points;
    int64 n_rows, n_skipped, silhouette_rows;
    double eps;
    int32 min_samples;
};

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_compare_trans);
PG_FUNCTION_INFO_V1(seg_compare_final);

// Transition: buffers one row (whole-NULL arrays are ignored, as by every aggregate).
Datum seg_compare_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::k_range_trans(fcinfo, kFn, [](const char* options) {
        cseg::parse_compare_options(options);
    });
}

// Final: canonical row order (each model then equals its fit aggregate's), the comparison,
// one seg_compare_row per model.
Datum seg_compare_final(PG_FUNCTION_ARGS) {
    cseg_pg::KRange range;
    cseg_pg::RowBuffer* st = cseg_pg::k_range_final_state(fcinfo, kFn, "compare", &range);
    if (st == nullptr) PG_RETURN_NULL();
    const int32 k_min = range.k_min, k_max = range.k_max;
    const char* options = range.options;
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = cseg_pg::row_buffer_bytes(st);
    const CompareOutAll r = cseg_pg::guarded([&] {
        const cseg::CompareOptions opts = cseg::parse_compare_options(options);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::sort_rows(st->data, nullptr, st->n_rows, st->dims, interrupt);
        /* Every fit, scoring and model kept within customer_seg.max_memory beside the rows. */
        cseg::CompareMemory memory;
        memory.bytes = budget.bytes - held;
        memory.refuse = [&](double need, const std::string& what) {
            cseg_pg::require_fit_memory(budget, held, need, kFn, what.c_str());
        };
        const cseg::CompareResult c =
            cseg::seg_compare(cseg::ConstRowMap(st->data, st->n_rows, st->dims), k_min, k_max,
                              opts, interrupt, memory);
        CompareOutAll all{nullptr,    static_cast<int32>(c.rows.size()), c.n_rows,
                          c.n_skipped, c.silhouette_rows, c.eps, c.min_samples};
        all.rows =
            static_cast<CompareOut*>(cseg_pg::alloc_nothrow(sizeof(CompareOut) * c.rows.size()));
        for (size_t i = 0; i < c.rows.size(); ++i) {
            const cseg::CompareRow& p = c.rows[i];
            all.rows[i] = CompareOut{cseg::model_algorithm_name(p.algorithm),
                                     p.k,
                                     p.silhouette,
                                     p.davies_bouldin,
                                     p.calinski_harabasz,
                                     p.bic,
                                     p.n_noise,
                                     p.seconds,
                                     p.has_model ? cseg_pg::model_to_varlena(p.model) : nullptr,
                                     nullptr};
            // The sweep's rule on the model's training sizes and this row's silhouette.
            const std::string w =
                p.has_model ? cseg::segment_warning(p.model.sizes.data(), p.model.k, p.silhouette)
                            : std::string("no cluster: DBSCAN labelled every row noise");
            if (!w.empty()) all.rows[i].warning = cseg_pg::text_nothrow(w);
        }
        return all;
    });
    cseg_pg::k_range_notices(kFn, r.n_rows, r.n_skipped, r.silhouette_rows);
    ereport(NOTICE, (errmsg("seg_compare: DBSCAN with eps = %.6g and min_samples = %d", r.eps,
                            r.min_samples)));
    Oid elemtype;
    TupleDesc desc = cseg_pg::composite_result_desc(fcinfo, &elemtype);
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * r.n_points));
    for (int32 i = 0; i < r.n_points; ++i) {
        const CompareOut& p = r.rows[i];
        bool nulls[10] = {false, false, false, false, false,
                          false, false, false, false, p.warning == nullptr};
        Datum values[10] = {CStringGetTextDatum(p.algorithm),
                           Int32GetDatum(p.k),
                           cseg_pg::k_range_score_datum(p.silhouette, &nulls[2]),
                           cseg_pg::k_range_score_datum(p.davies_bouldin, &nulls[3]),
                           cseg_pg::k_range_score_datum(p.calinski_harabasz, &nulls[4]),
                           cseg_pg::k_range_score_datum(p.bic, &nulls[5]),
                           Int64GetDatum(p.n_noise),
                           Float8GetDatum(p.seconds),
                           PointerGetDatum(p.model),
                           PointerGetDatum(p.warning)};
        nulls[8] = p.model == nullptr;
        elems[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    }
    PG_RETURN_ARRAYTYPE_P(cseg_pg::composite_array_build(elems, r.n_points, elemtype));
}

}  // extern "C"
