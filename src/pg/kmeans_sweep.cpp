// kmeans_sweep(features float8[], k_min int, k_max int [, options jsonb]) aggregate: every k
// of the range fitted on one read of the table and judged (see src/core/sweep.hpp).
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
#include "sweep.hpp"
#include "text_result.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr const char* kFn = "kmeans_sweep";

// One row of the result, plain data for crossing the wall.
struct SweepOut {
    int32 k;
    double inertia, silhouette, davies_bouldin, calinski_harabasz;
    bool elbow, best_silhouette;
    struct varlena* model;
    text* warning;  // segment_warning's text, nullptr when none
};

// The whole result.
struct SweepOutAll {
    SweepOut* rows;
    int32 n_points;
    int64 n_rows, n_skipped, silhouette_rows;
};

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(kmeans_sweep_trans);
PG_FUNCTION_INFO_V1(kmeans_sweep_final);

// Transition: buffers one row (whole-NULL arrays are ignored, as by every aggregate).
Datum kmeans_sweep_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::k_range_trans(fcinfo, kFn, [](const char* options) {
        cseg::parse_sweep_options(options);
    });
}

// Final: canonical row order (each model then equals kmeans_fit's), the sweep, one
// seg_sweep_row per k.
Datum kmeans_sweep_final(PG_FUNCTION_ARGS) {
    cseg_pg::KRange range;
    cseg_pg::RowBuffer* st = cseg_pg::k_range_final_state(fcinfo, kFn, "sweep", &range);
    if (st == nullptr) PG_RETURN_NULL();
    const int32 k_min = range.k_min, k_max = range.k_max;
    const char* options = range.options;
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = 2.0 * static_cast<double>(st->n_rows) * st->dims * sizeof(double);
    const SweepOutAll r = cseg_pg::guarded([&] {
        const cseg::SweepOptions opts = cseg::parse_sweep_options(options);
        /* One k at a time on one thread; the largest k needs the most. */
        cseg_pg::fit_threads_within_budget(cseg_pg::FitBudget{budget.bytes, budget.text, 1}, held,
                                           st->n_rows, st->dims, k_max, opts.kmeans, kFn);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::sort_rows(st->data, nullptr, st->n_rows, st->dims, interrupt);
        const cseg::SweepResult sweep = cseg::kmeans_sweep(
            cseg::ConstRowMap(st->data, st->n_rows, st->dims), k_min, k_max, opts, interrupt);
        SweepOutAll all{nullptr, static_cast<int32>(sweep.points.size()), sweep.n_rows,
                        sweep.n_skipped, sweep.silhouette_rows};
        all.rows =
            static_cast<SweepOut*>(cseg_pg::alloc_nothrow(sizeof(SweepOut) * sweep.points.size()));
        for (size_t i = 0; i < sweep.points.size(); ++i) {
            const cseg::SweepPoint& p = sweep.points[i];
            all.rows[i] = SweepOut{p.k,
                                   p.inertia,
                                   p.silhouette,
                                   p.davies_bouldin,
                                   p.calinski_harabasz,
                                   p.elbow,
                                   p.best_silhouette,
                                   cseg_pg::model_to_varlena(p.model),
                                   nullptr};
            const std::string w =
                cseg::segment_warning(p.model.sizes.data(), p.model.k, p.silhouette);
            if (!w.empty()) all.rows[i].warning = cseg_pg::text_nothrow(w);
        }
        return all;
    });
    cseg_pg::k_range_notices(kFn, r.n_rows, r.n_skipped, r.silhouette_rows);
    Oid elemtype;
    TupleDesc desc = cseg_pg::composite_result_desc(fcinfo, &elemtype);
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * r.n_points));
    for (int32 i = 0; i < r.n_points; ++i) {
        const SweepOut& p = r.rows[i];
        bool nulls[9] = {false, false, false, false, false, false, false, false, p.warning == nullptr};
        Datum values[9] = {Int32GetDatum(p.k),
                           Float8GetDatum(p.inertia),
                           cseg_pg::k_range_score_datum(p.silhouette, &nulls[2]),
                           cseg_pg::k_range_score_datum(p.davies_bouldin, &nulls[3]),
                           cseg_pg::k_range_score_datum(p.calinski_harabasz, &nulls[4]),
                           BoolGetDatum(p.elbow),
                           BoolGetDatum(p.best_silhouette),
                           PointerGetDatum(p.model),
                           PointerGetDatum(p.warning)};
        elems[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    }
    PG_RETURN_ARRAYTYPE_P(cseg_pg::composite_array_build(elems, r.n_points, elemtype));
}

}  // extern "C"
