// Aggregate state: growth under a memory budget, reservoir sampling, combine, serialize,
// deserialize.
#include "row_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fit_settings.hpp"
#include "float8_array.hpp"
#include "guard.hpp"
#include "leader_state.hpp"
#include "reservoir.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace cseg_pg {

namespace {

// Version 2 added the reservoir fields (sample, n_seen, seed, skip flag); 3 the counts of
// missing_by.
constexpr uint8 kStateVersion = 3;
// The version byte of a loan: a token for a state lent within this process.
constexpr uint8 kLoanVersion = 0x80 | kStateVersion;

// Bytes per stored row.
Size row_bytes(const RowBuffer* st) {
    return sizeof(double) * static_cast<Size>(st->dims) + (st->has_labels ? sizeof(int32) : 0);
}

// Rows of this state that fit customer_seg.max_memory (and one allocation).
int64 budget_rows(const RowBuffer* st) {
    if (row_bytes(st) == 0) return PG_INT64_MAX;  // no row read yet
    const double budget =
        std::min(memory_budget_bytes(), static_cast<double>(MaxAllocHugeSize));
    return static_cast<int64>(budget / static_cast<double>(row_bytes(st)));
}

// The error for a state that would need more rows than budget_rows(); names the setting.
void budget_error(const RowBuffer* st, const char* fn) {
    ereport(ERROR,
            (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
             errmsg("%s: more than %lld rows of %d features do not fit in "
                    "customer_seg.max_memory (%s)",
                    fn, static_cast<long long>(budget_rows(st)), st->dims,
                    memory_budget_text()),
             errdetail("Each row takes %zu bytes.", static_cast<size_t>(row_bytes(st))),
             errhint("Raise customer_seg.max_memory; kmeans_fit can also fit on a sample of "
                     "the rows (option \"sample\").")));
}

// Makes room for at least `rows` rows, growing geometrically in the aggregate context but
// never beyond the budget (checked first) or the reservoir's capacity when sampling.
void reserve_rows(RowBuffer* st, int64 rows, MemoryContext cxt, const char* fn) {
    if (rows <= st->capacity) return;
    const int64 limit = budget_rows(st);
    if (rows > limit) budget_error(st, fn);
    /* The first reservation is 1024 rows or 1 MB, whichever is fewer rows: 1024 rows of
       10,000 features took 78 MB for a table of 50 rows and counted against the budget. */
    const int64 first = std::clamp<int64>(static_cast<int64>((Size{1} << 20) / row_bytes(st)),
                                          1, 1024);
    int64 want = st->capacity < first ? first : st->capacity + st->capacity / 2;
    if (want < rows) want = rows;
    if (st->sample > 0 && want > st->sample) want = std::max(rows, st->sample);
    if (want > limit) want = limit;
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

// Errors (53200) unless the rows after merging the worker's partial state b into a, plus
// every worker's serialized rows the tuple queues still hold (b's included), fit
// customer_seg.max_memory: the parallel plan's peak, before any row is copied.
void require_combine_memory(RowBuffer* a, const RowBuffer* b, const char* fn) {
    const double per_row = static_cast<double>(row_bytes(b));
    a->queued_bytes += per_row * static_cast<double>(b->n_rows);
    const int64 kept = a->sample > 0 ? std::min(a->n_rows + b->n_rows, a->sample)
                                     : a->n_rows + b->n_rows;
    const double gathered = per_row * static_cast<double>(kept);
    if (gathered + a->queued_bytes <= memory_budget_bytes()) return;
    ereport(ERROR,
            (errcode(ERRCODE_OUT_OF_MEMORY),
             errmsg("%s: this parallel plan needs %.1f MB, more than customer_seg.max_memory "
                    "(%s)",
                    fn, (gathered + a->queued_bytes) / 1048576.0, memory_budget_text()),
             errdetail("The rows gathered from the workers take %.1f MB, and PostgreSQL's tuple "
                       "queues hold %.1f MB of the workers' serialized rows until the scan ends.",
                       gathered / 1048576.0, a->queued_bytes / 1048576.0),
             errhint("A serial plan needs no queue copies: SET max_parallel_workers_per_gather "
                     "= 0 for this query. Or raise customer_seg.max_memory, or work on a sample "
                     "of the rows.")));
}

// Exchanges the stored rows (buffers, counts, capacities) of two unsampled states.
void swap_rows(RowBuffer* a, RowBuffer* b) {
    std::swap(a->data, b->data);
    std::swap(a->labels, b->labels);
    std::swap(a->n_rows, b->n_rows);
    std::swap(a->capacity, b->capacity);
    std::swap(a->borrowed_rows, b->borrowed_rows);
    std::swap(a->borrowed_labels, b->borrowed_labels);
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

// The length of a feature array, checked; the message naming "<fn> features" is only built
// when the array is not a one-dimensional float8 array (this runs once per row).
int32 feature_length(ArrayType* features, const char* fn) {
    if (ARR_ELEMTYPE(features) == FLOAT8OID && ARR_NDIM(features) == 1)
        return ARR_DIMS(features)[0];
    char what[96];
    snprintf(what, sizeof what, "%s features", fn);
    return float8_array_length(features, what);  // raises the error
}

// Fixes dims on the first row; afterwards every row must have that length.
void check_width(RowBuffer* st, int32 n, const char* fn) {
    if (st->dims == 0) {
        st->dims = n;
    } else if (n != st->dims) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, st->dims, n)));
    }
}

// st->missing_by, allocated zeroed in cxt on first use (dims counts).
int64* missing_by(RowBuffer* st, MemoryContext cxt) {
    if (st->missing_by == nullptr)
        st->missing_by = static_cast<int64*>(
            MemoryContextAllocZero(cxt, sizeof(int64) * static_cast<Size>(st->dims)));
    return st->missing_by;
}

// Sampling: reads the row, then lets Algorithm R decide whether and where it is kept.
void reservoir_append(RowBuffer* st, ArrayType* features, int32 n, const char* fn) {
    MemoryContext cxt = GetMemoryChunkContext(st);
    if (st->scratch == nullptr)
        st->scratch = static_cast<double*>(MemoryContextAlloc(cxt, sizeof(double) * n));
    if (float8_array_read(features, st->scratch, n) > 0) {
        st->n_missing++;
        if (st->sample_skips_missing) {
            /* Which features the skipped rows miss, for the fit's error if no row is usable
             * (only skipped rows pay). */
            int64* counts = missing_by(st, cxt);
            for (int32 j = 0; j < n; ++j) counts[j] += !std::isfinite(st->scratch[j]);
            return;
        }
    }
    const int64 slot = cseg::reservoir_slot(st->sample_seed, st->n_seen, st->sample);
    st->n_seen++;
    if (slot < 0) return;
    if (slot == st->n_rows) {
        reserve_rows(st, st->n_rows + 1, cxt, fn);
        st->n_rows++;
    }
    memcpy(st->data + static_cast<Size>(slot) * static_cast<Size>(n), st->scratch,
           sizeof(double) * static_cast<Size>(n));
}

}  // namespace

// Returns the running state or makes the first one.
RowBuffer* row_buffer_get(FunctionCallInfo fcinfo, bool has_labels, const char* fn) {
    MemoryContext cxt = agg_context(fcinfo, fn);
    if (!PG_ARGISNULL(0)) return reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    return new_state(cxt, has_labels);
}

// Appends one row after checking its shape against the rows before it.
void row_buffer_append(RowBuffer* st, ArrayType* features, int32 label, const char* fn) {
    const int32 n = feature_length(features, fn);
    check_width(st, n, fn);
    if (st->sample > 0) {
        reservoir_append(st, features, n, fn);
        return;
    }
    if (st->n_rows >= st->capacity) reserve_rows(st, st->n_rows + 1, GetMemoryChunkContext(st), fn);
    double* row = st->data + static_cast<Size>(st->n_rows) * static_cast<Size>(st->dims);
    if (float8_array_read(features, row, n) > 0) st->n_missing++;
    if (st->has_labels) st->labels[st->n_rows] = label;
    st->n_rows++;
}

// Reserves one more row of `width` doubles (and its label) and hands out its storage.
double* row_buffer_push_row(RowBuffer* st, int32 width, int32 label, const char* fn) {
    if (st->dims == 0) {
        st->dims = width;
    } else if (width != st->dims) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all rows must have the same width, saw %d and %d", fn,
                               st->dims, width)));
    }
    reserve_rows(st, st->n_rows + 1, GetMemoryChunkContext(st), fn);
    double* row = st->data + static_cast<Size>(st->n_rows) * static_cast<Size>(st->dims);
    if (st->has_labels) st->labels[st->n_rows] = label;
    st->n_rows++;
    return row;
}

// Turns the state into a reservoir of at most `sample` rows.
void row_buffer_set_sample(RowBuffer* st, int64 sample, uint64 seed, bool skip_missing) {
    Assert(st->n_rows == 0 && !st->has_labels);
    st->sample = sample;
    st->sample_seed = seed;
    st->sample_skips_missing = skip_missing;
}

// Frees the buffers. Used for the second argument of the combine function once merged: a
// state the deserialize function built for this one call (PostgreSQL plans partial
// aggregation only with serialized states, and never with grouping sets, so nothing else
// refers to it); and after serialization. Keeps the leader of a parallel plan from holding
// rows twice.
void row_buffer_release(RowBuffer* st) {
    if (st->data != nullptr) pfree(st->data);
    if (st->labels != nullptr) pfree(st->labels);
    if (st->scratch != nullptr) pfree(st->scratch);
    st->data = nullptr;
    st->labels = nullptr;
    st->scratch = nullptr;
    st->borrowed_rows = nullptr;
    st->borrowed_labels = nullptr;
    st->n_rows = 0;
    st->capacity = 0;
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
    if (b == nullptr) return a;
    if (a == nullptr) {
        /* A state the deserialize function built in this aggregate context is adopted as
         * it is (the executor does not use it again), with a loan's buffers; rows that are
         * still borrowed from a serialized value are copied into a new state below. */
        if (b->borrowed_rows == nullptr) return b;
        a = new_state(cxt, b->has_labels);
    }
    if (b->n_rows == 0 && b->n_seen == 0 && b->n_missing == 0) return a;
    if (a->dims == 0) a->dims = b->dims;
    if (b->dims != 0 && a->dims != b->dims)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, a->dims, b->dims)));
    if (a->param == nullptr && b->param != nullptr)
        row_buffer_set_param(a, b->param, strlen(b->param));
    /* Partial states of one group from rows with other parameters (per-row k or options). */
    if ((b->param != nullptr && strcmp(a->param, b->param) != 0) ||
        (a->k != 0 && b->k != 0 && a->k != b->k))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: k and the options must be the same on every row of a group",
                               fn)));
    if (a->k == 0) a->k = b->k;
    if (a->sample == 0 && b->sample > 0) {  // a saw no row yet: take over b's settings
        a->sample = b->sample;
        a->sample_seed = b->sample_seed;
        a->sample_skips_missing = b->sample_skips_missing;
    }
    if (a->sample != b->sample && b->sample > 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("%s: partial states with different sample sizes", fn)));
    a->n_missing += b->n_missing;
    if (b->borrowed_rows != nullptr) require_combine_memory(a, b, fn);
    if (b->missing_by != nullptr) {
        int64* counts = missing_by(a, cxt);
        for (int32 j = 0; j < a->dims; ++j) counts[j] += b->missing_by[j];
    }
    if (a->sample > 0) {
        const int64 room = a->n_rows + b->n_rows < a->sample ? a->n_rows + b->n_rows : a->sample;
        reserve_rows(a, room, cxt, fn);
        cseg::ReservoirRows ra{a->data, a->n_rows, a->n_seen};
        const cseg::ReservoirRows rb{b->data, b->n_rows, b->n_seen};
        const int32 dims = a->dims > 0 ? a->dims : 1;
        guarded([&] { cseg::reservoir_merge(ra, rb, dims, a->sample, a->sample_seed); });
        a->n_rows = ra.rows;
        a->n_seen = ra.seen;
    } else {
        /* The leader's own partial state (a loan: it owns its buffers) may arrive after a
         * worker's rows were copied into a: take over its buffers and append a's rows to them
         * instead, so the larger part is never copied (the order is canonical later). */
        if (b->borrowed_rows == nullptr && b->n_rows > a->n_rows) swap_rows(a, b);
        reserve_rows(a, a->n_rows + b->n_rows, cxt, fn);
        const char* rows = b->borrowed_rows != nullptr ? b->borrowed_rows
                                                      : reinterpret_cast<const char*>(b->data);
        memcpy(a->data + static_cast<Size>(a->n_rows) * a->dims, rows,
               sizeof(double) * static_cast<Size>(b->n_rows) * b->dims);
        if (a->has_labels) {
            const char* labels = b->borrowed_labels != nullptr
                                     ? b->borrowed_labels
                                     : reinterpret_cast<const char*>(b->labels);
            memcpy(a->labels + a->n_rows, labels, sizeof(int32) * static_cast<Size>(b->n_rows));
        }
        a->n_rows += b->n_rows;
    }
    row_buffer_release(b);
    return a;
}

// Layout: version, has_labels, dims, k, n_rows, n_missing, sample, n_seen, sample seed,
// sample_skips_missing, has missing_by (then its dims counts), param length, param, rows,
// labels.
bytea* row_buffer_serialize(const RowBuffer* st) {
    StringInfoData buf;
    const Size param_len = st->param != nullptr ? strlen(st->param) : 0;
    const double payload = static_cast<double>(st->n_rows) * static_cast<double>(row_bytes(st));
    const double extra = 96 + 8.0 * st->dims;  // the fixed fields and missing_by
    if (payload + param_len + extra > static_cast<double>(MaxAllocSize))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("aggregate state of %lld rows is too large to pass between "
                               "parallel workers",
                               static_cast<long long>(st->n_rows)),
                        errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
    pq_begintypsend(&buf);
    enlargeStringInfo(&buf, static_cast<int>(payload + param_len + extra));
    pq_sendbyte(&buf, kStateVersion);
    pq_sendbyte(&buf, st->has_labels ? 1 : 0);
    pq_sendint32(&buf, st->dims);
    pq_sendint32(&buf, st->k);
    pq_sendint64(&buf, st->n_rows);
    pq_sendint64(&buf, st->n_missing);
    pq_sendint64(&buf, st->sample);
    pq_sendint64(&buf, st->n_seen);
    pq_sendint64(&buf, static_cast<int64>(st->sample_seed));
    pq_sendbyte(&buf, st->sample_skips_missing ? 1 : 0);
    const bool counts = st->missing_by != nullptr;
    pq_sendbyte(&buf, counts ? 1 : 0);
    for (int32 j = 0; counts && j < st->dims; ++j) pq_sendint64(&buf, st->missing_by[j]);
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

// Layout: loan version, pid, token.
bytea* row_buffer_serialize_loan(int64 token) {
    StringInfoData buf;
    pq_begintypsend(&buf);
    pq_sendbyte(&buf, kLoanVersion);
    pq_sendint32(&buf, MyProcPid);
    pq_sendint64(&buf, token);
    return pq_endtypsend(&buf);
}

namespace {

// A state in `cxt` that takes over the buffers of the state lent under the loan in `buf`;
// errors unless it was lent by this process and is still there. The buffers (and the
// parameter text) stay chunks of the leader's Partial Aggregate's context, which is reset
// only when the plan is rescanned or ends, and the Finalize Aggregate's state (this one, or
// the one it is merged into) is gone by then too; growing them (repalloc) keeps them there. Taking them over instead of copying
// saves a copy of the leader's share and its page faults (34 ms of a 0.6 s fit of 1M x 8
// rows; leader_state.hpp).
RowBuffer* redeem_loan(StringInfo buf, MemoryContext cxt) {
    const int32 pid = pq_getmsgint(buf, 4);
    const int64 token = pq_getmsgint64(buf);
    pq_getmsgend(buf);
    RowBuffer* lent = pid == MyProcPid ? leader_state_redeem(token) : nullptr;
    if (lent == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("customer_seg: partial aggregate state %lld of process %d is "
                               "not available",
                               static_cast<long long>(token), pid)));
    RowBuffer* st = new_state(cxt, lent->has_labels);
    *st = *lent;  // plain C fields; data, labels and param stay where they are
    st->scratch = nullptr;
    lent->data = nullptr;
    lent->labels = nullptr;
    row_buffer_release(lent);  // frees what the loan does not take: the reservoir's scratch
    return st;
}

}  // namespace

// Rebuilds a state from its serialized form, checking every length first.
RowBuffer* row_buffer_deserialize(FunctionCallInfo fcinfo, const bytea* bytes) {
    MemoryContext cxt = agg_context(fcinfo, "customer_seg deserialize");
    StringInfoData buf;
    buf.data = const_cast<char*>(VARDATA_ANY(bytes));
    buf.len = VARSIZE_ANY_EXHDR(bytes);
    buf.maxlen = buf.len;
    buf.cursor = 0;
    const int version = pq_getmsgbyte(&buf);
    if (version == kLoanVersion) return redeem_loan(&buf, cxt);
    if (version != kStateVersion)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("unsupported customer_seg aggregate state version")));
    RowBuffer* st = new_state(cxt, pq_getmsgbyte(&buf) != 0);
    st->dims = pq_getmsgint(&buf, 4);
    st->k = pq_getmsgint(&buf, 4);
    const int64 n_rows = pq_getmsgint64(&buf);
    st->n_missing = pq_getmsgint64(&buf);
    st->sample = pq_getmsgint64(&buf);
    st->n_seen = pq_getmsgint64(&buf);
    st->sample_seed = static_cast<uint64>(pq_getmsgint64(&buf));
    st->sample_skips_missing = pq_getmsgbyte(&buf) != 0;
    if (pq_getmsgbyte(&buf) != 0) {
        if (st->dims <= 0 || st->dims > (buf.len - buf.cursor) / 8)
            ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                            errmsg("corrupt customer_seg aggregate state")));
        int64* counts = missing_by(st, cxt);
        for (int32 j = 0; j < st->dims; ++j) counts[j] = pq_getmsgint64(&buf);
    }
    const int32 param_len = pq_getmsgint(&buf, 4);
    if (st->dims < 0 || n_rows < 0 || param_len < 0 || param_len > buf.len - buf.cursor ||
        st->sample < 0 || st->n_seen < 0 ||
        (st->sample > 0 && (n_rows > st->sample || st->has_labels)))
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("corrupt customer_seg aggregate state")));
    if (param_len > 0)
        row_buffer_set_param(st, pq_getmsgbytes(&buf, param_len), param_len);
    if (n_rows > 0) {
        const double need = static_cast<double>(n_rows) * static_cast<double>(row_bytes(st));
        if (st->dims == 0 || need != static_cast<double>(buf.len - buf.cursor))
            ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                            errmsg("corrupt customer_seg aggregate state")));
        const Size dbytes = sizeof(double) * n_rows * st->dims;
        if (st->sample == 0) {  // the combine function copies the rows it appends
            st->borrowed_rows = pq_getmsgbytes(&buf, dbytes);
            if (st->has_labels) st->borrowed_labels = pq_getmsgbytes(&buf, sizeof(int32) * n_rows);
        } else {  // a reservoir sample is small and merged in place: own a copy
            reserve_rows(st, n_rows, cxt, "customer_seg deserialize");
            memcpy(st->data, pq_getmsgbytes(&buf, dbytes), dbytes);
        }
        st->n_rows = n_rows;
    }
    pq_getmsgend(&buf);
    return st;
}

}  // namespace cseg_pg
