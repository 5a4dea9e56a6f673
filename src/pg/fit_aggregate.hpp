// The fit aggregates over a RowBuffer with one k — kmeans_fit, hclust_fit, gmm_fit, arguments
// (state, features float8[], k int, options jsonb) — share their k check, transition, the
// final's state and the core's FitInput over it (also dbscan_fit's); kprototypes_fit shares
// the k check.
#pragma once

#include "model_fit.hpp"
#include "pg.hpp"
#include "row_buffer.hpp"

namespace cseg_pg {

// Argument `argno` as the k of aggregate fn: 22004 when NULL, 22023 when below 1.
int32 fit_k_arg(FunctionCallInfo fcinfo, int argno, const char* fn);

// Transition: buffers one row (a NULL feature array is ignored); on the first row checks k
// (fit_k_arg) and hands the options text to init, which checks it and keeps it in the state
// (row_buffer_set_param), then sets st->k; on later rows requires the same k and options.
Datum fit_k_trans(FunctionCallInfo fcinfo, const char* fn,
                  void (*init)(RowBuffer* st, const char* options));

// The final's state, or nullptr when the aggregate saw no row (the result is NULL).
RowBuffer* fit_final_state(FunctionCallInfo fcinfo);

// The buffered rows (or the sample) as the fit pipeline's input, in place: complete when no
// row with a missing element was counted while reading, or a sample skipped them all. Plain
// data: may be called inside guarded().
cseg::FitInput fit_input_of(RowBuffer* st);

}  // namespace cseg_pg
