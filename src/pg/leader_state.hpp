// The leader's own partial state in a parallel plan, passed to its Finalize Aggregate by
// reference instead of as serialized rows.
//
// A participating leader runs the Partial Aggregate itself and hands the result to the
// Finalize Aggregate in the same process. Serialized, its rows would be held three times at
// once: the bytea (kept by the Partial Aggregate until the executor ends), the copy the
// Finalize Aggregate keeps of its first input row (for projection), and the combined state.
// Instead the serialize function lends the state under a token; the deserialize function of
// the same process redeems it, taking over its buffers (row_buffer.cpp, redeem_loan), and the
// combine function adopts them as the combined state's, or copies and frees them when a
// worker's state came first. Workers always serialize the rows.
#pragma once

#include "row_buffer.hpp"

namespace cseg_pg {

// Whether this serialize call may lend its state: the leader (not a parallel worker) running
// a plain (ungrouped) Partial Aggregate, whose state lives until the executor ends or the
// node is rescanned, while the Finalize Aggregate consumes each input row as it arrives.
bool leader_state_lendable(FunctionCallInfo fcinfo);

// Lends `st` (in the Partial Aggregate's context) and returns its token. The loan ends when
// the token is redeemed or that context is reset or deleted, whichever comes first.
int64 leader_state_lend(RowBuffer* st);

// The state lent under `token` by this process, or NULL when there is none (never lent, or
// its context was reset); the loan ends either way.
RowBuffer* leader_state_redeem(int64 token);

}  // namespace cseg_pg
