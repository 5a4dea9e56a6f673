// seg_sweep_chart(seg_sweep_row): the sweep as an SVG chart. The state is a float8[] of five
// numbers per row (k, inertia, silhouette, elbow, best_silhouette; NaN for NULL), so the
// aggregate combines with array_cat and needs no serialization in parallel plans.
#include <cmath>
#include <vector>

#include "chart_text.hpp"
#include "charts.hpp"
#include "guard.hpp"

extern "C" {
#include "utils/array.h"
#include "funcapi.h"
}

namespace {

constexpr int kFields = 5;

// The named attribute of a seg_sweep_row as a double (NaN when NULL); bools as 0/1.
double field(HeapTupleHeader row, const char* name, bool is_bool) {
    bool isnull = false;
    const Datum d = GetAttributeByName(row, name, &isnull);
    if (isnull) return NAN;
    if (is_bool) return DatumGetBool(d) ? 1.0 : 0.0;
    if (strcmp(name, "k") == 0) return DatumGetInt32(d);
    return DatumGetFloat8(d);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_sweep_chart_trans);
PG_FUNCTION_INFO_V1(seg_sweep_chart_final);

// Appends one sweep row's five numbers to the state (a NULL row is ignored).
Datum seg_sweep_chart_trans(PG_FUNCTION_ARGS) {
    if (!AggCheckCallContext(fcinfo, nullptr))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("seg_sweep_chart_trans called outside an aggregate")));
    if (PG_ARGISNULL(1)) {
        if (PG_ARGISNULL(0)) PG_RETURN_NULL();
        PG_RETURN_DATUM(PG_GETARG_DATUM(0));
    }
    HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(1);
    const double k = field(row, "k", false);
    if (std::isnan(k))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("seg_sweep_chart: k must not be NULL")));
    const double values[kFields] = {k, field(row, "inertia", false),
                                    field(row, "silhouette", false), field(row, "elbow", true),
                                    field(row, "best_silhouette", true)};
    int old_n = 0;
    Datum* old = nullptr;
    if (!PG_ARGISNULL(0)) {
        ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
        deconstruct_array(state, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &old, nullptr,
                          &old_n);
    }
    if (old_n / kFields >= static_cast<int>(cseg::kMaxSweepPoints))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("seg_sweep_chart draws at most %d values of k",
                               static_cast<int>(cseg::kMaxSweepPoints))));
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (old_n + kFields)));
    for (int i = 0; i < old_n; ++i) elems[i] = old[i];
    for (int i = 0; i < kFields; ++i) elems[old_n + i] = Float8GetDatum(values[i]);
    PG_RETURN_ARRAYTYPE_P(
        construct_array(elems, old_n + kFields, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// Draws the collected rows (NULL over no rows).
Datum seg_sweep_chart_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
    if (ARR_NDIM(state) > 1 || ARR_HASNULL(state))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("seg_sweep_chart: malformed state")));
    const int n = ArrayGetNItems(ARR_NDIM(state), ARR_DIMS(state));
    if (n % kFields != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("seg_sweep_chart: malformed state")));
    if (n == 0) PG_RETURN_NULL();
    const double* v = reinterpret_cast<const double*>(ARR_DATA_PTR(state));
    text* out = cseg_pg::guarded([&] {
        std::vector<cseg::SweepChartPoint> pts;
        for (int i = 0; i < n; i += kFields) {
            const double k = v[i];
            if (!(k >= 1 && k <= 2147483647.0) || k != std::floor(k))
                throw cseg::Error(cseg::ErrorKind::InvalidParameter,
                                  "seg_sweep_chart: k must be at least 1");
            pts.push_back(
                {static_cast<int32_t>(k), v[i + 1], v[i + 2], v[i + 3] == 1.0, v[i + 4] == 1.0});
        }
        return cseg_pg::chart_text_result(cseg::sweep_chart(std::move(pts)));
    });
    PG_RETURN_TEXT_P(out);
}

}  // extern "C"
