// Support shared by the aggregates whose state is a small fixed-size struct (seg_drift,
// seg_diff): the aggregate-context check, reading a serialized state, the final jsonb.
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// The aggregate context, or an error naming `fn` when called outside an aggregate.
MemoryContext small_agg_context(FunctionCallInfo fcinfo, const char* fn);

// Points buf at the bytes of a serialized state and reads its version byte: an error unless
// it is `version`.
void small_state_reader(const bytea* bytes, uint8 version, const char* fn, StringInfo buf);

// The error for a serialized state whose lengths do not add up.
[[noreturn]] void small_state_corrupt(const char* fn);

// The jsonb value of a NUL-terminated JSON text (the final functions' result).
Datum small_state_jsonb(char* json);

}  // namespace cseg_pg
