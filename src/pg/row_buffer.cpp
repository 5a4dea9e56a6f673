// Aggregate state: growth under a memory budget, combine, serialize, deserialize.
#include "row_buffer.hpp"

#include <cstring>

#include "float8_array.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace cseg_pg {

int max_memory_kb = 1024 * 1024;  // 1 GB

namespace {

constexpr uint8 kStateVersion = 1;

// Bytes per stored row.
Size row_bytes(const RowBuffer* st) {
    return sizeof(double) * static_cast<Size>(st->dims) + (st->has_labels ? sizeof(int32) : 0);
}

// Raises a clear error when holding `rows` rows would exceed customer_seg.max_memory.
void check_budget(const RowBuffer* st, int64 rows, const char* fn) {
    const double need = static_cast<double>(rows) * static_cast<double>(row_bytes(st));
    const double budget = static_cast<double>(max_memory_kb) * 1024.0;
    if (need > budget || need > static_cast<double>(MaxAllocHugeSize))
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("%s needs %.0f MB to hold %lld rows of %d features, more than "
                        "customer_seg.max_memory (%d MB)",
                        fn, need / 1048576.0, static_cast<long long>(rows), st->dims,
                        max_memory_kb / 1024),
                 errhint("Raise customer_seg.max_memory, or fit on a sample of the rows.")));
}

// Makes room for at least `rows` rows, growing geometrically in the aggregate context.
void reserve_rows(RowBuffer* st, int64 rows, MemoryContext cxt, const char* fn) {
    if (rows <= st->capacity) return;
    int64 want = st->capacity < 1024 ? 1024 : st->capacity + st->capacity / 2;
    if (want < rows) want = rows;
    const double budget_rows =
        static_cast<double>(max_memory_kb) * 1024.0 / static_cast<double>(row_bytes(st));
    if (static_cast<double>(want) > budget_rows && static_cast<double>(rows) <= budget_rows)
        want = static_cast<int64>(budget_rows);  // grow only up to the budget
    check_budget(st, want, fn);
    const Size dbytes = sizeof(double) * static_cast<Size>(st->dims) * static_cast<Size>(want);
    const Size lbytes = sizeof(int32) * static_cast<Size>(want);
    if (st->data == nullptr) {
        st->data = static_cast<double*>(MemoryContextAllocHuge(cxt, dbytes));
        if (st->has_labels) st->labels = static_cast<int32*>(MemoryContextAllocHuge(cxt, lbytes));
    } else {
        st->data = static_cast<double*>(repalloc_huge(st->data, dbytes));
        if (st->has_labels) st->labels = static_cast<int32*>(repalloc_huge(st->labels, lbytes));
    }
    st->capacity = want;
}

// A fresh, empty state in `cxt`.
RowBuffer* new_state(MemoryContext cxt, bool has_labels) {
    RowBuffer* st = static_cast<RowBuffer*>(MemoryContextAllocZero(cxt, sizeof(RowBuffer)));
    st->has_labels = has_labels;
    return st;
}

// The aggregate context, or an error naming the function called outside an aggregate.
MemoryContext agg_context(FunctionCallInfo fcinfo, const char* fn) {
    MemoryContext cxt;
    if (!AggCheckCallContext(fcinfo, &cxt))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s support function called in a non-aggregate context", fn)));
    return cxt;
}

}  // namespace

// Registers customer_seg.max_memory.
void define_row_buffer_gucs() {
    DefineCustomIntVariable(
        "customer_seg.max_memory",
        "Largest amount of row data one customer_seg aggregate may hold in memory.",
        "Rows are buffered in the backend for fitting and scoring; beyond this the aggregate "
        "fails with an error instead of exhausting the server's memory.",
        &max_memory_kb, 1024 * 1024, 64, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB, nullptr,
        nullptr, nullptr);
}

// Returns the running state or makes the first one.
RowBuffer* row_buffer_get(FunctionCallInfo fcinfo, bool has_labels, const char* fn) {
    MemoryContext cxt = agg_context(fcinfo, fn);
    if (!PG_ARGISNULL(0)) return reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    return new_state(cxt, has_labels);
}

// Appends one row after checking its shape against the rows before it.
void row_buffer_append(RowBuffer* st, ArrayType* features, int32 label, const char* fn) {
    char what[96];
    snprintf(what, sizeof what, "%s features", fn);
    const int32 n = float8_array_length(features, what);
    if (st->dims == 0) {
        st->dims = n;
    } else if (n != st->dims) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, st->dims, n)));
    }
    MemoryContext cxt = GetMemoryChunkContext(st);
    reserve_rows(st, st->n_rows + 1, cxt, fn);
    double* row = st->data + static_cast<Size>(st->n_rows) * static_cast<Size>(st->dims);
    if (float8_array_read(features, row, n) > 0) st->n_missing++;
    if (st->has_labels) st->labels[st->n_rows] = label;
    st->n_rows++;
}

// Keeps a copy of the aggregate's parameter text in the state's context.
void row_buffer_set_param(RowBuffer* st, const char* text, Size len) {
    MemoryContext cxt = GetMemoryChunkContext(st);
    st->param = static_cast<char*>(MemoryContextAlloc(cxt, len + 1));
    memcpy(st->param, text, len);
    st->param[len] = '\0';
}

// Merges two partial states (parallel aggregation).
RowBuffer* row_buffer_combine(FunctionCallInfo fcinfo, const char* fn) {
    MemoryContext cxt = agg_context(fcinfo, fn);
    RowBuffer* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    RowBuffer* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(1));
    if (b == nullptr || b->n_rows == 0) return a;
    if (a == nullptr) {
        a = new_state(cxt, b->has_labels);
        a->dims = b->dims;
        a->k = b->k;
        if (b->param != nullptr) row_buffer_set_param(a, b->param, strlen(b->param));
    }
    if (a->dims == 0) a->dims = b->dims;
    if (a->dims != b->dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, a->dims, b->dims)));
    if (a->param == nullptr && b->param != nullptr)
        row_buffer_set_param(a, b->param, strlen(b->param));
    if (a->k == 0) a->k = b->k;
    reserve_rows(a, a->n_rows + b->n_rows, cxt, fn);
    memcpy(a->data + static_cast<Size>(a->n_rows) * a->dims, b->data,
           sizeof(double) * static_cast<Size>(b->n_rows) * b->dims);
    if (a->has_labels)
        memcpy(a->labels + a->n_rows, b->labels, sizeof(int32) * static_cast<Size>(b->n_rows));
    a->n_rows += b->n_rows;
    a->n_missing += b->n_missing;
    return a;
}

// Layout: version, has_labels, dims, k, n_rows, n_missing, param length, param, rows, labels.
bytea* row_buffer_serialize(const RowBuffer* st) {
    StringInfoData buf;
    const Size param_len = st->param != nullptr ? strlen(st->param) : 0;
    const double payload = static_cast<double>(st->n_rows) * static_cast<double>(row_bytes(st));
    if (payload + param_len + 64 > static_cast<double>(MaxAllocSize))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("aggregate state of %lld rows is too large to pass between "
                               "parallel workers",
                               static_cast<long long>(st->n_rows)),
                        errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
    pq_begintypsend(&buf);
    pq_sendbyte(&buf, kStateVersion);
    pq_sendbyte(&buf, st->has_labels ? 1 : 0);
    pq_sendint32(&buf, st->dims);
    pq_sendint32(&buf, st->k);
    pq_sendint64(&buf, st->n_rows);
    pq_sendint64(&buf, st->n_missing);
    pq_sendint32(&buf, static_cast<int32>(param_len));
    pq_sendbytes(&buf, st->param != nullptr ? st->param : "", static_cast<int>(param_len));
    /* Native byte order: the state only travels between processes of one server. */
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->data),
                 static_cast<int>(sizeof(double) * st->n_rows * st->dims));
    if (st->has_labels)
        pq_sendbytes(&buf, reinterpret_cast<const char*>(st->labels),
                     static_cast<int>(sizeof(int32) * st->n_rows));
    return pq_endtypsend(&buf);
}

// Rebuilds a state from its serialized form, checking every length first.
RowBuffer* row_buffer_deserialize(FunctionCallInfo fcinfo, const bytea* bytes) {
    MemoryContext cxt = agg_context(fcinfo, "customer_seg deserialize");
    StringInfoData buf;
    buf.data = const_cast<char*>(VARDATA_ANY(bytes));
    buf.len = VARSIZE_ANY_EXHDR(bytes);
    buf.maxlen = buf.len;
    buf.cursor = 0;
    if (pq_getmsgbyte(&buf) != kStateVersion)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("unsupported customer_seg aggregate state version")));
    RowBuffer* st = new_state(cxt, pq_getmsgbyte(&buf) != 0);
    st->dims = pq_getmsgint(&buf, 4);
    st->k = pq_getmsgint(&buf, 4);
    const int64 n_rows = pq_getmsgint64(&buf);
    st->n_missing = pq_getmsgint64(&buf);
    const int32 param_len = pq_getmsgint(&buf, 4);
    if (st->dims < 0 || n_rows < 0 || param_len < 0 || param_len > buf.len - buf.cursor)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("corrupt customer_seg aggregate state")));
    if (param_len > 0)
        row_buffer_set_param(st, pq_getmsgbytes(&buf, param_len), param_len);
    if (n_rows > 0) {
        const double need = static_cast<double>(n_rows) * static_cast<double>(row_bytes(st));
        if (st->dims == 0 || need != static_cast<double>(buf.len - buf.cursor))
            ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                            errmsg("corrupt customer_seg aggregate state")));
        reserve_rows(st, n_rows, cxt, "customer_seg deserialize");
        memcpy(st->data, pq_getmsgbytes(&buf, sizeof(double) * n_rows * st->dims),
               sizeof(double) * n_rows * st->dims);
        if (st->has_labels)
            memcpy(st->labels, pq_getmsgbytes(&buf, sizeof(int32) * n_rows),
                   sizeof(int32) * n_rows);
        st->n_rows = n_rows;
    }
    pq_getmsgend(&buf);
    return st;
}

}  // namespace cseg_pg
