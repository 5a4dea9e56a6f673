// An aggregate's optional jsonb options argument as the text the core's option parsers read.
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// The text of jsonb argument `argno`, or "{}" when the function has no such argument or it
// is NULL (defaults). Allocated in the current memory context; may raise an ERROR.
const char* jsonb_options_text(FunctionCallInfo fcinfo, int argno);

}  // namespace cseg_pg
