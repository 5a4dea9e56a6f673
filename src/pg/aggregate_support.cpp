// Combine / serialize / deserialize functions shared by every buffering aggregate, so
// parallel workers can read the table (PARALLEL = SAFE aggregates).
#include "leader_state.hpp"
#include "row_buffer.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_rows_combine);
PG_FUNCTION_INFO_V1(seg_rows_serialize);
PG_FUNCTION_INFO_V1(seg_rows_deserialize);

// Combine: appends the second partial state's rows to the first.
Datum seg_rows_combine(PG_FUNCTION_ARGS) {
    cseg_pg::RowBuffer* st = cseg_pg::row_buffer_combine(fcinfo, "customer_seg combine");
    if (st == nullptr) PG_RETURN_NULL();
    PG_RETURN_POINTER(st);
}

// Serialize: state -> bytea. A partial aggregate serializes its state once, to send it to
// the leader, and never uses it again: its rows are freed right away. The leader's own
// state is lent instead (leader_state.hpp), so its rows are neither copied nor kept twice.
Datum seg_rows_serialize(PG_FUNCTION_ARGS) {
    MemoryContext cxt;
    if (!AggCheckCallContext(fcinfo, &cxt))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("seg_rows_serialize called in a non-aggregate context")));
    auto* st = reinterpret_cast<cseg_pg::RowBuffer*>(PG_GETARG_POINTER(0));
    if (cseg_pg::leader_state_lendable(fcinfo))
        PG_RETURN_BYTEA_P(cseg_pg::row_buffer_serialize_loan(cseg_pg::leader_state_lend(st)));
    bytea* bytes = cseg_pg::row_buffer_serialize(st);
    cseg_pg::row_buffer_release(st);
    PG_RETURN_BYTEA_P(bytes);
}

// Deserialize: bytea -> state.
Datum seg_rows_deserialize(PG_FUNCTION_ARGS) {
    PG_RETURN_POINTER(cseg_pg::row_buffer_deserialize(fcinfo, PG_GETARG_BYTEA_PP(0)));
}

}  // extern "C"
