// An aggregate's optional jsonb options argument as the text the core's option parsers read.
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// The text of jsonb argument `argno`, or "{}" when the function has no such argument or it
// is NULL (defaults). Allocated in the current memory context; may raise an ERROR.
const char* jsonb_options_text(FunctionCallInfo fcinfo, int argno);

}  // namespace cseg_pg

namespace cseg_pg {

// Raises 22023 unless jsonb argument `argno` prints as `first` (the options of the group's
// first row, as jsonb_options_text gave them): an aggregate's options may not change from row
// to row, or the result would depend on the scan order. `fn` names the aggregate. A constant
// or query parameter (the Aggref's argument) is checked on its first row only; otherwise the
// last argument's bytes are remembered per call site (in *memo_slot, fn_extra when NULL: a
// caller keeping its own cache in fn_extra passes another slot of that call site), so a
// repeated value costs one memcmp.
void jsonb_options_check_same(FunctionCallInfo fcinfo, int argno, const char* first,
                              const char* fn, void** memo_slot = nullptr);

// True when transition-function argument `argno` (the aggregate's argument argno - 1) is a
// constant or a parameter of the statement (Const or PARAM_EXTERN in the Aggref), so it is the
// same on every row of the query; false outside a plain aggregate (e.g. a window aggregate).
bool aggregate_argument_is_constant(FunctionCallInfo fcinfo, int argno);

// Raises 22023 (22004 for NULL) unless int argument `argno` equals `first`, the group's
// first row's value of the parameter `what` (e.g. "k").
void int_param_check_same(FunctionCallInfo fcinfo, int argno, int32 first, const char* what,
                          const char* fn);

// The same for a text argument (compared byte for byte with the first row's `first`).
void text_param_check_same(FunctionCallInfo fcinfo, int argno, const char* first,
                           const char* what, const char* fn);

// The same for a float8 argument (equal values; the first row's was checked finite).
void float8_param_check_same(FunctionCallInfo fcinfo, int argno, double first, const char* what,
                             const char* fn);

}  // namespace cseg_pg
