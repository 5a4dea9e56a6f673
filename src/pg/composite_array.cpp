// Composite-array results.
#include "composite_array.hpp"

extern "C" {
#include "utils/typcache.h"
}

namespace cseg_pg {

// Declared result type of the function (from pg_proc), element type, its descriptor.
TupleDesc composite_result_desc(FunctionCallInfo fcinfo, Oid* elemtype) {
    const Oid array_type = get_func_rettype(fcinfo->flinfo->fn_oid);
    *elemtype = get_element_type(array_type);
    if (*elemtype == InvalidOid || get_typtype(*elemtype) != TYPTYPE_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("function %u must return an array of a composite type",
                               fcinfo->flinfo->fn_oid)));
    return lookup_rowtype_tupdesc_copy(*elemtype, -1);
}

// construct_array with the composite type's storage properties.
ArrayType* composite_array_build(Datum* elems, int n, Oid elemtype) {
    int16 typlen;
    bool typbyval;
    char typalign;
    get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
    return construct_array(elems, n, elemtype, typlen, typbyval, typalign);
}

}  // namespace cseg_pg
