// jsonb options argument -> text.
#include "jsonb_options.hpp"

namespace cseg_pg {

// Detoasts and prints the jsonb argument, defaulting to an empty object.
const char* jsonb_options_text(FunctionCallInfo fcinfo, int argno) {
    if (PG_NARGS() <= argno || PG_ARGISNULL(argno)) return "{}";
    Jsonb* jb = PG_GETARG_JSONB_P(argno);
    return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
}

}  // namespace cseg_pg
