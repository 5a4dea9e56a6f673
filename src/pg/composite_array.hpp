// Arrays of a composite type as aggregate results (seg_silhouette_value[], seg_sweep_row[]).
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// The composite element type of the array the called function is declared to return, with
// a tuple descriptor for it (in the current memory context). Raises an ERROR otherwise.
TupleDesc composite_result_desc(FunctionCallInfo fcinfo, Oid* elemtype);

// A one-dimensional array of the n composite datums (n may be 0: an empty array).
ArrayType* composite_array_build(Datum* elems, int n, Oid elemtype);

}  // namespace cseg_pg
