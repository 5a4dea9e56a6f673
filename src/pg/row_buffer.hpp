// The aggregate state shared by scaler_fit, kmeans_fit and the scoring aggregates: every
// row's features (and optionally a label) in one contiguous, row-major palloc'd buffer.
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// Plain C layout; lives in the aggregate memory context. No C++ members.
struct RowBuffer {
    int32 dims;       // features per row; 0 until the first non-NULL row
    int32 k;          // kmeans_fit: requested clusters; 0 otherwise
    int64 n_rows;     // rows stored
    int64 capacity;   // rows allocated
    int64 n_missing;  // rows with a NULL or non-finite element (stored; sampling: seen)
    bool has_labels;  // scoring aggregates store one int32 label per row
    double* data;     // capacity * dims doubles (NaN marks a missing element)
    int32* labels;    // capacity labels, or NULL
    char* param;      // NUL-terminated: kmeans options JSON or scaler method; or NULL
    // kmeans_fit option "sample" (row_buffer_set_sample): the rows are then a reservoir of at
    // most `sample` rows out of the n_seen rows offered (src/core/reservoir.hpp). All zero
    // (the state as allocated) means every row is kept.
    int64 sample;         // reservoir capacity, 0 = no sampling
    int64 n_seen;         // rows offered to the reservoir
    uint64 sample_seed;   // reservoir_seed(options seed)
    bool sample_skips_missing;  // rows with a missing element are only counted (n_missing)
    double* scratch;      // one row, read before the reservoir decides
    // With sample_skips_missing: per feature, the rows skipped for missing it (dims counts),
    // for the error's "Missing by feature" when no row is usable; NULL before the first.
    int64* missing_by;
    // A deserialized partial state (no sampling) does not copy its rows: they stay in the
    // serialized bytea, valid only until the combine function returns, which copies them.
    const char* borrowed_rows;    // n_rows * dims doubles (any alignment), or NULL
    const char* borrowed_labels;  // n_rows int32 labels, or NULL
    // A deserialized loan (leader_state.hpp) takes over the lent state's buffers instead:
    // data and labels then stay in the leader's Partial Aggregate's context.
    // Combine: bytes of the workers' serialized rows merged into this state so far. A parallel
    // plan's tuple queues keep each worker's message until the scan ends, so they count
    // against customer_seg.max_memory beside the gathered rows (row_buffer_combine).
    double queued_bytes;
};

// The state passed in argument 0, or a new empty one in the aggregate context. Errors
// unless called as an aggregate support function; `fn` names the aggregate.
RowBuffer* row_buffer_get(FunctionCallInfo fcinfo, bool has_labels, const char* fn);

// Appends one feature array (and label); checks shape and the memory budget.
void row_buffer_append(RowBuffer* st, ArrayType* features, int32 label, const char* fn);

// Appends one row of `width` doubles (fixing dims = width on the first row) and its label,
// and returns the row's storage for the caller to fill; for rows that are not a plain feature
// array (scaled by a model, or carrying an id). Checks the width and the memory budget.
double* row_buffer_push_row(RowBuffer* st, int32 width, int32 label, const char* fn);

// Makes the state a reservoir sample of at most `sample` rows (kmeans_fit "sample"), drawn
// with `seed` (reservoir_seed of the options' seed); when skip_missing, rows with a NULL or
// non-finite element are counted in n_missing and never sampled. Call before the first row.
void row_buffer_set_sample(RowBuffer* st, int64 sample, uint64 seed, bool skip_missing);

// Stores the aggregate's constant parameter (options or method) on the first row.
void row_buffer_set_param(RowBuffer* st, const char* text, Size len);

// Combine support: merges the partial state in argument 1 into the one in argument 0 (both
// in the aggregate context): appends its rows, or merges the two reservoirs when sampling.
// The first partial state is adopted as it is, not copied; a later one that owns more rows
// than the merged state lends its buffers to it (the leader's own rows are never copied).
RowBuffer* row_buffer_combine(FunctionCallInfo fcinfo, const char* fn);

// Frees the rows of a state that will not be used again (after serialization, or after it
// was merged into another state); the counts stay.
void row_buffer_release(RowBuffer* st);

// Serialize support: the state as bytea (version byte first).
bytea* row_buffer_serialize(const RowBuffer* st);

// Serialize support for a state lent under `token` (leader_state.hpp): a loan version byte,
// this process's pid and the token.
bytea* row_buffer_serialize_loan(int64 token);

// Deserialize support: validates and rebuilds a state in the aggregate context; a loan
// becomes a state holding the lent state's own buffers (not copied).
RowBuffer* row_buffer_deserialize(FunctionCallInfo fcinfo, const bytea* bytes);

}  // namespace cseg_pg
