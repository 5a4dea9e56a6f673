// seg_silhouette_chart(segmodel, float8[]): the silhouette plot of a table's rows scaled and
// labelled by the model (state and transition: chart_rows.hpp).
#include <algorithm>
#include <cstring>
#include <vector>

#include "chart_rows.hpp"
#include "chart_text.hpp"
#include "charts.hpp"
#include "guard.hpp"
#include "metrics.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_silhouette_chart_trans);
PG_FUNCTION_INFO_V1(seg_silhouette_chart_final);

// seg_silhouette_chart transition: the row scaled and labelled by the model.
Datum seg_silhouette_chart_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::chart_rows_trans(fcinfo, "seg_silhouette_chart", nullptr);
}

// seg_silhouette_chart final: silhouettes of all usable rows, or of a seeded sample of
// kSilhouetteChartMaxRows of them (seed 0, drawn from the canonical order), drawn.
Datum seg_silhouette_chart_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const cseg_pg::ChartRows u = cseg_pg::chart_rows_prepare(st, "seg_silhouette_chart");
    if (u.n == 0) PG_RETURN_NULL();
    const cseg_pg::ChartParam p = cseg_pg::chart_param(st);
    // The silhouette is defined for 2 .. n - 1 segments with rows (scikit-learn's rule).
    int64 with_rows = 0;
    bool* seen = static_cast<bool*>(palloc0(sizeof(bool) * size_t(p.k)));
    for (int64 i = 0; i < u.n; ++i) {
        const int32 c = st->labels[i];
        if (c >= 0 && c < p.k && !seen[c]) seen[c] = true, ++with_rows;
    }
    if (with_rows < 2 || with_rows > std::min<int64>(u.n, cseg::kSilhouetteChartMaxRows) - 1) {
        ereport(NOTICE, (errmsg("seg_silhouette_chart: the silhouette is undefined for %lld "
                                "segments with rows over %lld rows; no chart",
                                static_cast<long long>(with_rows), static_cast<long long>(u.n))));
        PG_RETURN_NULL();
    }
    text* out = cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::SilhouetteChartInput in;
        in.k = p.k;
        in.rows_total = u.n;
        const int32_t d = st->dims;
        std::vector<int64_t> rows;
        if (u.n > cseg::kSilhouetteChartMaxRows) {
            rows = cseg::sample_rows(u.n, cseg::kSilhouetteChartMaxRows, 0);
        } else {
            for (int64_t i = 0; i < u.n; ++i) rows.push_back(i);
        }
        // Rows outside segments 0 .. k-1 (DBSCAN's noise, -1) are not scored or drawn.
        rows.erase(
            std::remove_if(rows.begin(), rows.end(),
                           [&](int64_t r) { return st->labels[r] < 0 || st->labels[r] >= p.k; }),
            rows.end());
        cseg::RowMatrix X(static_cast<Eigen::Index>(rows.size()), d);
        for (size_t i = 0; i < rows.size(); ++i) {
            std::memcpy(X.row(Eigen::Index(i)).data(), st->data + rows[i] * d, sizeof(double) * d);
            in.labels.push_back(st->labels[rows[i]]);
        }
        in.values.assign(rows.size(), 0.0);
        cseg::silhouette_samples(cseg::ConstRowMap(X.data(), X.rows(), X.cols()), in.labels.data(),
                                 in.values.data(), interrupt);
        double sum = 0;
        for (double v : in.values) sum += v;
        in.mean = sum / double(in.values.size());
        return cseg_pg::chart_text_result(cseg::silhouette_chart(in));
    });
    PG_RETURN_TEXT_P(out);
}

}  // extern "C"
