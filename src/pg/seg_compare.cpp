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

#include <cmath>
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
};

// The whole result.
struct CompareOutAll {
    CompareOut* rows;
    int32 n_points;
    int64 n_rows, n_skipped, silhouette_rows;
    double eps;
    int32 min_samples;
};

// A number as a datum: NaN (undefined for this row) becomes SQL NULL.
Datum nullable_float8(double v, bool* null) {
    *null = std::isnan(v);
    return Float8GetDatum(*null ? 0.0 : v);
}

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
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0) PG_RETURN_NULL();
    const cseg_pg::KRange range = cseg_pg::k_range_of(st, kFn);
    const int32 k_min = range.k_min, k_max = range.k_max;
    const char* options = range.options;
    cseg_pg::k_range_check_budget(st, kFn, "compare");
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
                                     p.has_model ? cseg_pg::model_to_varlena(p.model) : nullptr};
        }
        return all;
    });
    if (r.n_skipped > 0)
        ereport(NOTICE, (errmsg("seg_compare skipped %lld rows with NULL or non-finite elements",
                                static_cast<long long>(r.n_skipped))));
    if (r.silhouette_rows < r.n_rows)
        ereport(NOTICE,
                (errmsg("seg_compare: silhouette averaged over a seeded sample of %lld of %lld "
                        "rows",
                        static_cast<long long>(r.silhouette_rows),
                        static_cast<long long>(r.n_rows)),
                 errhint("Option \"silhouette_sample\" sets the sample size; null makes it exact "
                         "(O(n^2) time).")));
    ereport(NOTICE, (errmsg("seg_compare: DBSCAN with eps = %.6g and min_samples = %d", r.eps,
                            r.min_samples)));
    Oid elemtype;
    TupleDesc desc = cseg_pg::composite_result_desc(fcinfo, &elemtype);
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * r.n_points));
    for (int32 i = 0; i < r.n_points; ++i) {
        const CompareOut& p = r.rows[i];
        bool nulls[9] = {false, false, false, false, false, false, false, false, false};
        Datum values[9] = {CStringGetTextDatum(p.algorithm),
                           Int32GetDatum(p.k),
                           nullable_float8(p.silhouette, &nulls[2]),
                           nullable_float8(p.davies_bouldin, &nulls[3]),
                           nullable_float8(p.calinski_harabasz, &nulls[4]),
                           nullable_float8(p.bic, &nulls[5]),
                           Int64GetDatum(p.n_noise),
                           Float8GetDatum(p.seconds),
                           PointerGetDatum(p.model)};
        nulls[8] = p.model == nullptr;
        elems[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    }
    PG_RETURN_ARRAYTYPE_P(cseg_pg::composite_array_build(elems, r.n_points, elemtype));
}

}  // extern "C"
