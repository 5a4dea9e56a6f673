// Small fixed-size aggregate states: shared support (see small_agg_state.hpp).
#include "small_agg_state.hpp"

namespace cseg_pg {

// AggCheckCallContext or an error.
MemoryContext small_agg_context(FunctionCallInfo fcinfo, const char* fn) {
    MemoryContext cxt;
    if (!AggCheckCallContext(fcinfo, &cxt))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s support function called in a non-aggregate context", fn)));
    return cxt;
}

// A StringInfo over the bytea, past a checked version byte.
void small_state_reader(const bytea* bytes, uint8 version, const char* fn, StringInfo buf) {
    buf->data = const_cast<char*>(VARDATA_ANY(bytes));
    buf->len = VARSIZE_ANY_EXHDR(bytes);
    buf->maxlen = buf->len;
    buf->cursor = 0;
    if (pq_getmsgbyte(buf) != version)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("unsupported %s aggregate state version", fn)));
}

// 22P03 naming the aggregate.
void small_state_corrupt(const char* fn) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("corrupt %s aggregate state", fn)));
    pg_unreachable();
}

// jsonb_in on the text.
Datum small_state_jsonb(char* json) { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json)); }

}  // namespace cseg_pg
