// The fit aggregates over a RowBuffer with one k — kmeans_fit, hclust_fit, gmm_fit, arguments
// (state, features float8[], k int, options jsonb) — share their k check, transition and the
// final's state; kprototypes_fit shares the k check.
#pragma once

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

}  // namespace cseg_pg
