// seg_map_chart(segmodel, float8[]): a table's rows on the model's two principal components
// (the projection stored in the model, pca.hpp), coloured by segment (state and transition:
// chart_rows.hpp).
#include <cstring>
#include <string>
#include <vector>

#include "chart_rows.hpp"
#include "chart_text.hpp"
#include "charts.hpp"
#include "guard.hpp"
#include "metrics.hpp"
#include "pca.hpp"

namespace {

// The map's param: the projection's variance ratios, mean and components, then the k
// centroids' coordinates on it.
void map_param(const cseg::Model& m, std::string& out) {
    const cseg::Projection& p = m.projection;
    if (!cseg::has_projection(p))
        throw cseg::Error(cseg::ErrorKind::InvalidParameter,
                          "seg_map_chart: the model has no projection",
                          cseg::kNoProjectionDetail, cseg::kNoProjectionHint);
    cseg_pg::chart_param_put(out, p.variance_ratio[0]);
    cseg_pg::chart_param_put(out, p.variance_ratio[1]);
    for (double x : p.mean) cseg_pg::chart_param_put(out, x);
    for (double x : p.components) cseg_pg::chart_param_put(out, x);
    for (int32_t c = 0; c < m.k; ++c) {
        double xy[2];
        cseg::project_row(p, m.centroid(c), xy);
        cseg_pg::chart_param_put(out, xy[0]);
        cseg_pg::chart_param_put(out, xy[1]);
    }
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_map_chart_trans);
PG_FUNCTION_INFO_V1(seg_map_chart_final);

// seg_map_chart transition: the row scaled and labelled by the model.
Datum seg_map_chart_trans(PG_FUNCTION_ARGS) {
    return cseg_pg::chart_rows_trans(fcinfo, "seg_map_chart", map_param);
}

// seg_map_chart final: every usable row (or a seeded sample of kMapChartMaxPoints, seed 0,
// drawn from the canonical order) on the model's principal components, sizes over all rows.
Datum seg_map_chart_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    cseg_pg::RowBuffer* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const cseg_pg::ChartRows u = cseg_pg::chart_rows_prepare(st, "seg_map_chart");
    if (u.n == 0) PG_RETURN_NULL();
    const cseg_pg::ChartParam p = cseg_pg::chart_param(st);
    const int32 d = p.dims;
    if (p.count != 4 + 3 * int64(d) + 2 * int64(p.k) || d != st->dims)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("malformed chart state")));
    text* out = cseg_pg::guarded([&] {
        cseg::Projection proj;
        proj.variance_ratio.assign(p.numbers + 2, p.numbers + 4);
        proj.variance = {0.0, 0.0};
        proj.mean.assign(p.numbers + 4, p.numbers + 4 + d);
        proj.components.assign(p.numbers + 4 + d, p.numbers + 4 + 3 * d);
        cseg::MapChartInput in;
        in.k = p.k;
        in.rows_total = u.n;
        in.variance_ratio = proj.variance_ratio;
        in.centroid_xy.assign(p.numbers + 4 + 3 * d, p.numbers + p.count);
        in.sizes.assign(size_t(p.k), 0);
        // Rows outside 0 .. k-1 (DBSCAN's noise, -1) are neither counted nor drawn.
        for (int64_t i = 0; i < u.n; ++i)
            if (st->labels[i] >= 0 && st->labels[i] < p.k) in.sizes[size_t(st->labels[i])]++;
        std::vector<int64_t> rows;
        if (u.n > cseg::kMapChartMaxPoints) {
            rows = cseg::sample_rows(u.n, cseg::kMapChartMaxPoints, 0);
        } else {
            for (int64_t i = 0; i < u.n; ++i) rows.push_back(i);
        }
        for (int64_t r : rows) {
            if (st->labels[r] < 0 || st->labels[r] >= p.k) continue;
            double xy[2];
            cseg::project_row(proj, st->data + r * d, xy);
            in.xy.push_back(xy[0]);
            in.xy.push_back(xy[1]);
            in.labels.push_back(st->labels[r]);
        }
        return cseg_pg::chart_text_result(cseg::map_chart(in));
    });
    PG_RETURN_TEXT_P(out);
}

}  // extern "C"
