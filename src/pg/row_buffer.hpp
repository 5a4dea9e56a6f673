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
    int64 n_missing;  // stored rows with a NULL or non-finite element
    bool has_labels;  // scoring aggregates store one int32 label per row
    double* data;     // capacity * dims doubles (NaN marks a missing element)
    int32* labels;    // capacity labels, or NULL
    char* param;      // NUL-terminated: kmeans options JSON or scaler method; or NULL
};

// Memory budget in kB (GUC customer_seg.max_memory).
extern int max_memory_kb;

// Registers the GUCs; called from _PG_init.
void define_row_buffer_gucs();

// The state passed in argument 0, or a new empty one in the aggregate context. Errors
// unless called as an aggregate support function; `fn` names the aggregate.
RowBuffer* row_buffer_get(FunctionCallInfo fcinfo, bool has_labels, const char* fn);

// Appends one feature array (and label); checks shape and the memory budget.
void row_buffer_append(RowBuffer* st, ArrayType* features, int32 label, const char* fn);

// Stores the aggregate's constant parameter (options or method) on the first row.
void row_buffer_set_param(RowBuffer* st, const char* text, Size len);

// Combine support: appends the rows of `other` to `st` (both in the aggregate context).
RowBuffer* row_buffer_combine(FunctionCallInfo fcinfo, const char* fn);

// Serialize support: the state as bytea (version byte first).
bytea* row_buffer_serialize(const RowBuffer* st);

// Deserialize support: validates and rebuilds a state in the aggregate context.
RowBuffer* row_buffer_deserialize(FunctionCallInfo fcinfo, const bytea* bytes);

}  // namespace cseg_pg
