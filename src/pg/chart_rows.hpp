// What seg_silhouette_chart and seg_map_chart share: their state is the scoring aggregates'
// RowBuffer (rows scaled and labelled by the model through model_rows_trans, parallel-safe
// through seg_rows_*), and the text after the model fingerprint in its param carries what the
// final function needs of the model (written once, on the first row).
#pragma once

#include <string>

#include "model.hpp"
#include "pg.hpp"
#include "row_buffer.hpp"

namespace cseg_pg {

// Appends the numbers a chart's final function needs of the model to `out` (call
// chart_param_put for each); runs inside guarded().
using ChartParamWriter = void (*)(const cseg::Model& m, std::string& out);

// Appends one number (shortest round-trip text, comma-separated) to a chart param.
void chart_param_put(std::string& out, double x);

// The transition: model_rows_trans(fcinfo, fn), then on the first row the param becomes the
// fingerprint followed by k, dims and what `writer` adds (NULL: nothing more).
Datum chart_rows_trans(FunctionCallInfo fcinfo, const char* fn, ChartParamWriter writer);

// The numbers after the fingerprint: numbers[0] = k, numbers[1] = dims, then the writer's.
struct ChartParam {
    int32 k;
    int32 dims;
    double* numbers;  // palloc'd
    int64 count;
};

// Parses the state's param (written by chart_rows_trans).
ChartParam chart_param(const RowBuffer* st);

// The usable rows after dropping those with a NaN/infinite element and sorting canonically
// (in place, as the scoring aggregates do), and how many rows were left out in all.
struct ChartRows {
    int64 n;
    int64 skipped;
};

// Prepares the state's rows and reports the rows left out with a NOTICE naming `fn`.
ChartRows chart_rows_prepare(RowBuffer* st, const char* fn);

}  // namespace cseg_pg
