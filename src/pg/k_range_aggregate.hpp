// The aggregates over a range of k — kmeans_sweep and seg_compare, arguments (state,
// features float8[], k_min int, k_max int, options jsonb) — share their state handling: the
// rows in a RowBuffer whose parameter is "k_min k_max options", checked on the first row and
// required to be the same on every later one.
#pragma once

#include "pg.hpp"
#include "row_buffer.hpp"

namespace cseg_pg {

// The k range and options an aggregate's state holds.
struct KRange {
    int32 k_min;
    int32 k_max;
    const char* options;  // JSON text, inside the state
};

// Transition: buffers one row (a NULL feature array is ignored); on the first row checks
// k_min and k_max (not NULL, 1 <= k_min <= k_max) and the options (parse_options, guarded,
// throws on bad ones); on later rows that they are the same. fn names the aggregate in errors.
Datum k_range_trans(FunctionCallInfo fcinfo, const char* fn, void (*parse_options)(const char*));

// The state's k range and options (XX000 on a corrupt parameter).
KRange k_range_of(const RowBuffer* st, const char* fn);

// The final function's start: the state, or nullptr when no row was buffered (the result is
// NULL); its k range and options in *range; refuses (54000, naming customer_seg.max_memory)
// when the rows and the working copy the final makes would not fit, `work` saying what to do
// on a sample ("sweep").
RowBuffer* k_range_final_state(FunctionCallInfo fcinfo, const char* fn, const char* work,
                               KRange* range);

// The final's NOTICEs: rows skipped for NULL or non-finite elements, silhouette on a sample.
void k_range_notices(const char* fn, int64 n_rows, int64 n_skipped, int64 silhouette_rows);

// A score as a datum: NaN (undefined for this row) becomes SQL NULL.
Datum k_range_score_datum(double v, bool* null);

}  // namespace cseg_pg
