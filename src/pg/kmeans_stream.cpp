// The stream engine's SQL functions (src/core/kmeans_stream.hpp; driven by kmeans_stream_fit
// in src/sql/76_stream.sql): the seeding pass and the Lloyd pass as aggregates whose states
// travel as bytea (between parallel workers, and from shards), and the model steps between
// passes. The states are plain C structs whose arrays are palloc'd in the aggregate context.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "datum_codec.hpp"
#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "float8_array.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "kmeans_stream.hpp"
#include "model_json.hpp"
#include "model_point.hpp"
#include "model_store.hpp"
#include "row_buffer.hpp"

extern "C" {
#include "utils/guc.h"
}
#undef Min
#undef Max
#undef Abs

namespace {

// Format bytes of the two serialized states.
constexpr char kSeedVersion = 'T';  // 'S' had no per-feature missing counts
// Doubles per feature in a seeding state: count, mean, m2, min, max and the skipped rows
// missing the feature.
constexpr int32 kSeedMoments = 6;
constexpr char kPassVersion = 'M';  // 'L' states carried no model fingerprint
// A serialized pass state's header: the version, k, dims, n_rows, n_skipped, the inertia and
// the model's fingerprint (length, hash); the Lloyd sums follow when k > 0.
constexpr Size kPassHeader = 1 + 2 * sizeof(int32) + 2 * sizeof(int64) + sizeof(double) +
                             2 * sizeof(uint64);
// Default rows of the seeding sample (option "sample").
constexpr int64 kDefaultSample = 100000;

// The options kmeans_stream_fit passes on (its own "progress" and "engine" taken off): an
// error names kmeans_stream_fit and lists its keys, not kmeans_fit's.
cseg::KMeansOptions stream_options(const char* options) {
    return cseg::parse_passed_kmeans_options(options, "kmeans_stream_fit", {"progress", "engine"});
}

// The seeding pass's state.
struct SeedState {
    int32 dims;  // 0 until the first row
    int32 missing;  // cseg::MissingPolicy
    int64 capacity;
    uint64 seed;
    int64 n_rows;
    int64 n_skipped;
    int64 sampled;
    int64 allocated;  // sample rows the sample block has room for (grows up to capacity)
    double* moments;  // kSeedMoments * dims: count, mean, m2, min, max, missing
    char* sample;     // keys, heap and rows of `allocated` rows
    double* scratch;  // one row
    const char* options;  // the first row's options text (NULL in a deserialized state)
};

// A Lloyd pass's state.
struct PassState {
    int32 k;  // 0 until the first row
    int32 dims;
    int64 n_rows;
    int64 n_skipped;
    double inertia;
    char* block;  // lloyd_sums_bytes(k, dims)
    bool model_fixed;  // the model argument is a constant: decoded once, never re-compared
    uint64 model_len;  // the model's fingerprint: its encoding's length and hash (the model
    uint64 model_hash; // store's), the same in every row, carried through serialization and
                       // merges and checked by seg_stream_update and seg_stream_finish
    /* With a fixed model, rows wait here (scaled) to be labelled a block at a time
       (ModelKind::assign_rows); `model` is the transition's cache, alive for the query. */
    const cseg_pg::ModelCache* model;
    int32 block_rows;  // capacity of pending (0: every row labelled at once)
    int32 n_pending;
    double* pending;    // block_rows x dims
    int32* labels;      // block_rows
    double* distances;  // block_rows
};

// Rows a pass labels in one block: about 16,384 numbers, 4 to 64 rows (a multiple of 4).
int32 pass_block_rows(int32 dims) {
    const int32 rows = 16384 / (dims > 0 ? dims : 1);
    return rows >= 64 ? 64 : rows < 4 ? 4 : rows / 4 * 4;
}

// Labels the pending rows in one block and adds them to the sums, in arrival order (the
// same sums, labels and distances as one row at a time).
void pass_flush(PassState* st);

// The aggregate context, or an error naming the function called outside an aggregate.
MemoryContext agg_context(FunctionCallInfo fcinfo, const char* fn) {
    MemoryContext cxt;
    if (!AggCheckCallContext(fcinfo, &cxt))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s called in a non-aggregate context", fn)));
    return cxt;
}

// Errors unless `bytes` of memory fit customer_seg.max_memory.
void check_budget(int64 bytes, const char* what) {
    if (static_cast<double>(bytes) > cseg_pg::memory_budget_bytes())
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("%s needs %.0f kB, more than customer_seg.max_memory (%s)", what,
                        static_cast<double>(bytes) / 1024.0, cseg_pg::memory_budget_text()),
                 errhint("Lower the stream engine's option \"sample\" or raise "
                         "customer_seg.max_memory.")));
}

// The view of a seeding state's arrays.
cseg::StreamSeedView seed_view(SeedState* st) {
    cseg::StreamSeedView v;
    const int32 d = st->dims;
    v.dims = d;
    v.capacity = st->capacity;
    v.seed = st->seed;
    v.n_rows = &st->n_rows;
    v.n_skipped = &st->n_skipped;
    v.sampled = &st->sampled;
    double* f = st->moments;
    v.count = f;
    v.mean = f + d;
    v.m2 = f + 2 * d;
    v.min = f + 3 * d;
    v.max = f + 4 * d;
    v.missing = f + 5 * d;
    v.keys = reinterpret_cast<uint64*>(st->sample);
    v.heap = reinterpret_cast<int64_t*>(v.keys + st->allocated);
    v.rows = reinterpret_cast<double*>(v.heap + st->allocated);
    return v;
}

// Bytes of a sample block of `rows` rows.
int64 sample_bytes(int32 dims, int64 rows) {
    return cseg::stream_seed_bytes(dims, rows) - cseg::stream_seed_bytes(dims, 0);
}

// Makes room for `want` sample rows (at most the capacity; at least double the room, so
// growing costs O(1) per row), within customer_seg.max_memory.
void sample_reserve(SeedState* st, int64 want) {
    want = std::min(want, st->capacity);
    if (want <= st->allocated) return;
    want = std::min(st->capacity, std::max(want, std::max<int64>(1024, 2 * st->allocated)));
    check_budget(cseg::stream_seed_bytes(st->dims, want), "the stream engine's seeding sample");
    MemoryContext cxt = GetMemoryChunkContext(st);
    char* block = static_cast<char*>(
        MemoryContextAllocHuge(cxt, static_cast<Size>(sample_bytes(st->dims, want))));
    if (st->sample != nullptr) {
        const cseg::StreamSeedView old = seed_view(st);
        uint64* keys = reinterpret_cast<uint64*>(block);
        int64* heap = reinterpret_cast<int64*>(keys + want);
        double* rows = reinterpret_cast<double*>(heap + want);
        memcpy(keys, old.keys, sizeof(uint64) * st->allocated);
        memcpy(heap, old.heap, sizeof(int64) * st->sampled);
        memcpy(rows, old.rows, sizeof(double) * st->dims * st->allocated);
        pfree(st->sample);
    }
    st->sample = block;
    st->allocated = want;
}

// Allocates the moments of a seeding state once dims is known (the sample grows as needed).
void seed_allocate(SeedState* st, MemoryContext cxt) {
    st->moments =
        static_cast<double*>(MemoryContextAlloc(cxt, sizeof(double) * kSeedMoments * st->dims));
    st->scratch = static_cast<double*>(MemoryContextAlloc(cxt, sizeof(double) * st->dims));
    const int64 n_rows = st->n_rows, n_skipped = st->n_skipped;
    cseg::stream_seed_reset(seed_view(st));
    st->n_rows = n_rows;
    st->n_skipped = n_skipped;
}

// The view of a pass state's arrays.
cseg::LloydSumsView pass_view(PassState* st) {
    cseg::LloydSumsView v;
    v.k = st->k;
    v.dims = st->dims;
    v.n_rows = &st->n_rows;
    v.n_skipped = &st->n_skipped;
    v.inertia = &st->inertia;
    v.sums = reinterpret_cast<double*>(st->block);
    v.counts = reinterpret_cast<int64_t*>(v.sums + static_cast<int64>(st->k) * st->dims);
    v.dist_sum = reinterpret_cast<double*>(v.counts + st->k);
    return v;
}

// Labels the pending rows with the pass's model and adds them to its sums.
void pass_flush(PassState* st) {
    if (st->n_pending == 0) return;
    const cseg_pg::ModelCache* c = st->model;
    cseg_pg::guarded([&] {
        c->kind->assign_rows(c->view, c->prepared, st->pending, st->n_pending, st->labels,
                             st->distances);
    });
    const cseg::LloydSumsView v = pass_view(st);
    for (int32 i = 0; i < st->n_pending; ++i)
        cseg::lloyd_sums_add(v, st->pending + static_cast<int64>(i) * st->dims, st->labels[i],
                             st->distances[i] * st->distances[i]);
    st->n_pending = 0;
}

// A new pass state for k clusters of dims features in cxt, zeroed.
PassState* pass_new(MemoryContext cxt, int32 k, int32 dims) {
    PassState* st = static_cast<PassState*>(MemoryContextAllocZero(cxt, sizeof(PassState)));
    st->k = k;
    st->dims = dims;
    st->block = static_cast<char*>(
        MemoryContextAllocHuge(cxt, static_cast<Size>(cseg::lloyd_sums_bytes(k, dims))));
    cseg::lloyd_sums_reset(pass_view(st));
    return st;
}

// --- serialization: a version byte, the header fields, then the arrays ------------------

// Appends n bytes to buf.
char* put(char* out, const void* src, Size n) {
    memcpy(out, src, n);
    return out + n;
}

// Reads n bytes from a checked position.
const char* get(const char* in, void* dst, Size n) {
    memcpy(dst, in, n);
    return in + n;
}

// Raises the error for a malformed state.
[[noreturn]] void bad_state(const char* fn, const char* why) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("%s: malformed state: %s", fn, why)));
}

// The serialized seeding state (sample in heap order).
bytea* seed_serialize(SeedState* st) {
    const int32 d = st->dims;
    const Size header = 1 + 2 * sizeof(int32) + 5 * sizeof(int64);
    const Size moments = st->dims > 0 ? kSeedMoments * sizeof(double) * d : 0;
    const Size per_row = sizeof(uint64) + sizeof(double) * d;
    const Size len = VARHDRSZ + header + moments + per_row * st->sampled;
    bytea* out = static_cast<bytea*>(palloc_extended(len, MCXT_ALLOC_HUGE));
    SET_VARSIZE(out, len);
    char* p = VARDATA(out);
    *p++ = kSeedVersion;
    p = put(p, &st->dims, sizeof(int32));
    p = put(p, &st->missing, sizeof(int32));
    p = put(p, &st->capacity, sizeof(int64));
    p = put(p, &st->seed, sizeof(uint64));
    p = put(p, &st->n_rows, sizeof(int64));
    p = put(p, &st->n_skipped, sizeof(int64));
    p = put(p, &st->sampled, sizeof(int64));
    if (d > 0) {
        const cseg::StreamSeedView v = seed_view(st);
        p = put(p, v.count, kSeedMoments * sizeof(double) * d);
        for (int64 i = 0; i < st->sampled; ++i) {
            const int64 slot = v.heap[i];
            p = put(p, &v.keys[slot], sizeof(uint64));
            p = put(p, v.rows + slot * d, sizeof(double) * d);
        }
    }
    return out;
}

// A seeding state from its serialized form, in cxt (heap order kept: slot i = heap entry i).
SeedState* seed_deserialize(const bytea* bytes, MemoryContext cxt, const char* fn) {
    const char* p = VARDATA_ANY(bytes);
    const Size len = VARSIZE_ANY_EXHDR(bytes);
    const Size header = 1 + 2 * sizeof(int32) + 5 * sizeof(int64);
    if (len < header || p[0] != kSeedVersion) bad_state(fn, "not a seeding state");
    SeedState* st = static_cast<SeedState*>(MemoryContextAllocZero(cxt, sizeof(SeedState)));
    p = get(p + 1, &st->dims, sizeof(int32));
    p = get(p, &st->missing, sizeof(int32));
    p = get(p, &st->capacity, sizeof(int64));
    p = get(p, &st->seed, sizeof(uint64));
    p = get(p, &st->n_rows, sizeof(int64));
    p = get(p, &st->n_skipped, sizeof(int64));
    int64 sampled;
    p = get(p, &sampled, sizeof(int64));
    if (st->dims < 0 || st->dims > 100000 || st->capacity < 1 || sampled < 0 ||
        sampled > st->capacity || st->n_rows < sampled || st->n_skipped < 0 ||
        st->missing < 0 || st->missing > 2 || (st->dims == 0 && sampled != 0))
        bad_state(fn, "inconsistent header");
    if (st->dims == 0) return st;
    const int32 d = st->dims;
    const Size per_row = sizeof(uint64) + sizeof(double) * d;
    if (len != header + kSeedMoments * sizeof(double) * d + per_row * static_cast<Size>(sampled))
        bad_state(fn, "wrong length");
    seed_allocate(st, cxt);
    sample_reserve(st, sampled);
    const cseg::StreamSeedView v = seed_view(st);
    p = get(p, v.count, kSeedMoments * sizeof(double) * d);
    for (int64 i = 0; i < sampled; ++i) {
        p = get(p, &v.keys[i], sizeof(uint64));
        p = get(p, v.rows + i * d, sizeof(double) * d);
        v.heap[i] = i;
    }
    st->sampled = sampled;
    // A mean or m2 that overflowed is the data's (values near the largest double), not a
    // malformed state: seg_stream_start names the feature.
    for (int32 j = 0; j < d; ++j)
        if (!(v.count[j] >= 0) || !std::isfinite(v.count[j]) || v.m2[j] < 0)
            bad_state(fn, "negative or non-finite counts, or a negative m2");
    return st;
}

// The serialized pass state.
bytea* pass_serialize(PassState* st) {
    pass_flush(st);
    const Size body = st->k > 0 ? static_cast<Size>(cseg::lloyd_sums_bytes(st->k, st->dims)) : 0;
    const Size len = VARHDRSZ + kPassHeader + body;
    bytea* out = static_cast<bytea*>(palloc_extended(len, MCXT_ALLOC_HUGE));
    SET_VARSIZE(out, len);
    char* p = VARDATA(out);
    *p++ = kPassVersion;
    p = put(p, &st->k, sizeof(int32));
    p = put(p, &st->dims, sizeof(int32));
    p = put(p, &st->n_rows, sizeof(int64));
    p = put(p, &st->n_skipped, sizeof(int64));
    p = put(p, &st->inertia, sizeof(double));
    p = put(p, &st->model_len, sizeof(uint64));
    p = put(p, &st->model_hash, sizeof(uint64));
    if (body > 0) put(p, st->block, body);
    return out;
}

// A pass state from its serialized form, in cxt, checked for consistency.
PassState* pass_deserialize(const bytea* bytes, MemoryContext cxt, const char* fn) {
    const char* p = VARDATA_ANY(bytes);
    const Size len = VARSIZE_ANY_EXHDR(bytes);
    if (len < kPassHeader || p[0] != kPassVersion) bad_state(fn, "not a Lloyd pass state");
    int32 k, dims;
    int64 n_rows, n_skipped;
    double inertia;
    uint64 model_len, model_hash;
    p = get(p + 1, &k, sizeof(int32));
    p = get(p, &dims, sizeof(int32));
    p = get(p, &n_rows, sizeof(int64));
    p = get(p, &n_skipped, sizeof(int64));
    p = get(p, &inertia, sizeof(double));
    p = get(p, &model_len, sizeof(uint64));
    p = get(p, &model_hash, sizeof(uint64));
    if (k < 0 || dims < 0 || k > 1000000 || dims > 100000 || (k == 0) != (dims == 0) ||
        n_rows < 0 || n_skipped < 0 || !(inertia >= 0) || !std::isfinite(inertia))
        bad_state(fn, "inconsistent header");
    if (k == 0) {
        PassState* st = static_cast<PassState*>(MemoryContextAllocZero(cxt, sizeof(PassState)));
        st->n_skipped = n_skipped;
        return st;
    }
    const Size body = static_cast<Size>(cseg::lloyd_sums_bytes(k, dims));
    if (len != kPassHeader + body) bad_state(fn, "wrong length");
    PassState* st = pass_new(cxt, k, dims);
    st->model_len = model_len;
    st->model_hash = model_hash;
    memcpy(st->block, p, body);
    st->n_rows = n_rows;
    st->n_skipped = n_skipped;
    st->inertia = inertia;
    const cseg::LloydSumsView v = pass_view(st);
    int64 total = 0;
    for (int32 c = 0; c < k; ++c) {
        if (v.counts[c] < 0 || !(v.dist_sum[c] >= 0)) bad_state(fn, "negative counts");
        total += v.counts[c];
    }
    if (total != n_rows) bad_state(fn, "counts do not add up to the rows");
    for (int64 i = 0; i < static_cast<int64>(k) * dims; ++i)
        if (!std::isfinite(v.sums[i])) bad_state(fn, "non-finite sums");
    return st;
}

// Merges pass state b into a (either may still be empty: k = 0).
PassState* pass_merge(PassState* a, PassState* b, MemoryContext cxt, const char* fn) {
    if (a != nullptr) pass_flush(a);
    if (b == nullptr) return a;
    pass_flush(b);
    if (a == nullptr || a->k == 0) {
        if (b->k == 0) {
            if (a != nullptr) a->n_skipped += b->n_skipped;
            return a != nullptr ? a : b;
        }
        PassState* out = pass_new(cxt, b->k, b->dims);
        out->model_len = b->model_len;
        out->model_hash = b->model_hash;
        out->n_skipped = a != nullptr ? a->n_skipped : 0;
        cseg::lloyd_sums_merge(pass_view(out), pass_view(b));
        return out;
    }
    if (b->k == 0) {
        a->n_skipped += b->n_skipped;
        return a;
    }
    if (a->k != b->k || a->dims != b->dims)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: passes of different models (k = %d, %d features and k = "
                               "%d, %d features)",
                               fn, a->k, a->dims, b->k, b->dims)));
    if (a->model_len != b->model_len || a->model_hash != b->model_hash)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: passes of different models (both k = %d, %d features, but "
                               "not the same centres, scaler or options)",
                               fn, a->k, a->dims),
                        errhint("Run seg_stream_pass with one model on every shard or "
                                "partition.")));
    cseg::lloyd_sums_merge(pass_view(a), pass_view(b));
    return a;
}

// The error unless pass st was computed with `model` (a detoasted segmodel): the same
// encoding's length and hash as the rows of the pass brought. An empty pass has no model.
void require_pass_model(const PassState* st, const struct varlena* model, const char* fn) {
    if (st->k == 0) return;
    const Size len = VARSIZE_ANY_EXHDR(model);
    if (st->model_len != len ||
        st->model_hash != cseg_pg::model_bytes_hash(VARDATA_ANY(model), len))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the pass was computed with another model", fn),
                        errhint("Give it the model that seg_stream_pass labelled the pass's rows "
                                "with.")));
}

// Merges seeding state b into a (either may still be empty: dims = 0).
SeedState* seed_merge(SeedState* a, SeedState* b, const char* fn) {
    if (b == nullptr) return a;
    if (a == nullptr) return b;
    if (b->dims == 0) {
        a->n_skipped += b->n_skipped;
        return a;
    }
    if (a->dims == 0) {
        b->n_skipped += a->n_skipped;
        return b;
    }
    if (a->dims != b->dims || a->capacity != b->capacity || a->seed != b->seed ||
        a->missing != b->missing)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: seeding states of different shapes or options (%d and %d "
                               "features)",
                               fn, a->dims, b->dims)));
    sample_reserve(a, a->sampled + b->sampled);
    cseg::stream_seed_merge(seed_view(a), seed_view(b));
    return a;
}

// Plain data the seeding aggregate needs from its options.
struct SeedOptions {
    int32 missing;
    int64 capacity;
    uint64 seed;
};

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_stream_seed_trans);
PG_FUNCTION_INFO_V1(seg_stream_seed_combine);
PG_FUNCTION_INFO_V1(seg_stream_seed_serialize);
PG_FUNCTION_INFO_V1(seg_stream_seed_deserialize);
PG_FUNCTION_INFO_V1(seg_stream_seed_merge_trans);
PG_FUNCTION_INFO_V1(seg_stream_pass_trans);
PG_FUNCTION_INFO_V1(seg_stream_pass_combine);
PG_FUNCTION_INFO_V1(seg_stream_pass_serialize);
PG_FUNCTION_INFO_V1(seg_stream_pass_deserialize);
PG_FUNCTION_INFO_V1(seg_stream_pass_merge_trans);
PG_FUNCTION_INFO_V1(seg_stream_start);
PG_FUNCTION_INFO_V1(seg_stream_tolerance);
PG_FUNCTION_INFO_V1(seg_stream_update);
PG_FUNCTION_INFO_V1(seg_stream_shift);
PG_FUNCTION_INFO_V1(seg_stream_finish);
PG_FUNCTION_INFO_V1(seg_memory_budget);
PG_FUNCTION_INFO_V1(seg_stream_rows);

// seg_memory_budget() -> the bytes one aggregate may hold (customer_seg.max_memory); a C
// function so that SQL can read the setting before anything else has loaded the library.
Datum seg_memory_budget(PG_FUNCTION_ARGS) {
    PG_RETURN_INT64(static_cast<int64>(cseg_pg::memory_budget_bytes()));
}

// seg_stream_rows(state bytea) -> the rows a seeding or pass state read (used or skipped),
// from its header: kmeans_stream_fit checks that every pass read the seeding pass's rows.
Datum seg_stream_rows(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_rows";
    const bytea* bytes = PG_GETARG_BYTEA_PP(0);
    const char* p = VARDATA_ANY(bytes);
    const Size len = VARSIZE_ANY_EXHDR(bytes);
    // n_rows and n_skipped follow the version byte, dims and one more 4-byte field (missing
    // or, in a pass state, dims after k), and in a seeding state capacity and seed.
    Size at;
    if (len >= 1 + 2 * sizeof(int32) + 5 * sizeof(int64) && p[0] == kSeedVersion)
        at = 1 + 2 * sizeof(int32) + 2 * sizeof(int64);
    else if (len >= kPassHeader && p[0] == kPassVersion)
        at = 1 + 2 * sizeof(int32);
    else
        bad_state(fn, "neither a seeding nor a Lloyd pass state");
    int64 n_rows, n_skipped;
    get(get(p + at, &n_rows, sizeof(int64)), &n_skipped, sizeof(int64));
    if (n_rows < 0 || n_skipped < 0 || n_rows > PG_INT64_MAX - n_skipped)
        bad_state(fn, "inconsistent header");
    PG_RETURN_INT64(n_rows + n_skipped);
}

// seg_stream_seed(features float8[], options jsonb) transition: moments and the bottom-s
// sample of the accepted rows.
Datum seg_stream_seed_trans(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_seed";
    MemoryContext cxt = agg_context(fcinfo, fn);
    SeedState* st = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<SeedState*>(PG_GETARG_POINTER(0));
    if (st == nullptr) {
        const char* options = cseg_pg::jsonb_options_text(fcinfo, 2);
        const SeedOptions o = cseg_pg::guarded([&] {
            const cseg::KMeansOptions opts = stream_options(options);
            return SeedOptions{static_cast<int32>(opts.missing),
                               opts.sample > 0 ? opts.sample : kDefaultSample, opts.seed};
        });
        st = static_cast<SeedState*>(MemoryContextAllocZero(cxt, sizeof(SeedState)));
        st->missing = o.missing;
        st->capacity = o.capacity;
        st->seed = o.seed;
        st->options = MemoryContextStrdup(cxt, options);
    } else if (st->options != nullptr) {  // the sample must not depend on the first row
        cseg_pg::jsonb_options_check_same(fcinfo, 2, st->options, fn);
    }
    if (PG_ARGISNULL(1)) PG_RETURN_POINTER(st);
    ArrayType* features = PG_GETARG_ARRAYTYPE_P(1);
    const int32 n = cseg_pg::float8_array_length(features, "seg_stream_seed features");
    if (st->dims == 0) {
        st->dims = n;
        seed_allocate(st, cxt);
    } else if (n != st->dims) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, st->dims, n)));
    }
    const int32 missing = cseg_pg::float8_array_read(features, st->scratch, n);
    if (missing > 0) {
        if (st->missing == static_cast<int32>(cseg::MissingPolicy::Error))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("%s: a row has a NULL or non-finite element", fn),
                            errdetail("The option \"missing\" is \"error\"."),
                            errhint("Use \"missing\": \"skip\" to leave such rows out or "
                                    "\"impute\" to replace missing elements by the feature "
                                    "mean.")));
        if (st->missing == static_cast<int32>(cseg::MissingPolicy::Skip)) {
            cseg::stream_seed_skip(seed_view(st), st->scratch);
            PG_RETURN_POINTER(st);
        }
    }
    if (st->sampled == st->allocated) sample_reserve(st, st->sampled + 1);
    cseg::stream_seed_add(seed_view(st), st->scratch);
    PG_RETURN_POINTER(st);
}

// Combine: merges two partial seeding states (copied into the aggregate context when needed).
Datum seg_stream_seed_combine(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_seed";
    MemoryContext cxt = agg_context(fcinfo, fn);
    SeedState* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<SeedState*>(PG_GETARG_POINTER(0));
    SeedState* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<SeedState*>(PG_GETARG_POINTER(1));
    if (a == nullptr && b == nullptr) PG_RETURN_NULL();
    if (a == nullptr) {
        // Copy b into the aggregate context through its serialized form.
        a = seed_deserialize(seed_serialize(b), cxt, fn);
        PG_RETURN_POINTER(a);
    }
    PG_RETURN_POINTER(seed_merge(a, b, fn));
}

// Serialize (also the aggregate's final function): the state as bytea.
Datum seg_stream_seed_serialize(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    SeedState* st = reinterpret_cast<SeedState*>(PG_GETARG_POINTER(0));
    PG_RETURN_BYTEA_P(seed_serialize(st));
}

// Deserialize: a state from bytea, in the aggregate context.
Datum seg_stream_seed_deserialize(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo, "seg_stream_seed");
    PG_RETURN_POINTER(seed_deserialize(PG_GETARG_BYTEA_PP(0), cxt, "seg_stream_seed"));
}

// seg_stream_seed_merge(bytea) transition: adds one shard's (or partition's) seeding state.
Datum seg_stream_seed_merge_trans(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_seed_merge";
    MemoryContext cxt = agg_context(fcinfo, fn);
    SeedState* st = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<SeedState*>(PG_GETARG_POINTER(0));
    if (PG_ARGISNULL(1)) {
        if (st == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(st);
    }
    SeedState* b = seed_deserialize(PG_GETARG_BYTEA_PP(1), cxt, fn);
    PG_RETURN_POINTER(seed_merge(st, b, fn));
}

// seg_stream_pass(model segmodel, features float8[]) transition: assigns the row to the
// model's nearest centre (as seg_assign) and adds it to that cluster's sums.
Datum seg_stream_pass_trans(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_pass";
    MemoryContext cxt = agg_context(fcinfo, fn);
    PassState* st = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<PassState*>(PG_GETARG_POINTER(0));
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: the model must not be NULL", fn)));
    cseg_pg::ModelCache* c;
    if (st != nullptr && st->model_fixed && fcinfo->flinfo->fn_extra != nullptr) {
        c = static_cast<cseg_pg::ModelCache*>(fcinfo->flinfo->fn_extra);  // decoded already
    } else {
        c = cseg_pg::model_cache_get(fcinfo, 1);
        if (c->view.algorithm != cseg::ModelAlgorithm::KMeans)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s needs a kmeans model, got a %s model", fn,
                                   cseg::model_algorithm_name(c->view.algorithm))));
    }
    if (st == nullptr) {
        st = pass_new(cxt, c->view.k, c->view.dims);
        st->model_len = c->entry->len;
        st->model_hash = c->entry->hash;
        // A constant or a parameter of the statement (how kmeans_stream_fit and postgres_fdw
        // pass the model): decoded once, never compared with each row's value.
        st->model_fixed = cseg_pg::aggregate_argument_is_constant(fcinfo, 1);
        if (st->model_fixed) {
            const int32 rows = pass_block_rows(st->dims);
            st->model = c;
            st->block_rows = rows;
            st->pending = static_cast<double*>(
                MemoryContextAlloc(cxt, sizeof(double) * static_cast<Size>(rows) * st->dims));
            st->labels = static_cast<int32*>(MemoryContextAlloc(cxt, sizeof(int32) * rows));
            st->distances = static_cast<double*>(MemoryContextAlloc(cxt, sizeof(double) * rows));
        }
    } else if (st->k != c->view.k || st->dims != c->view.dims ||
               (!st->model_fixed && st->model_len != 0 &&
                (c->entry->len != st->model_len || c->entry->hash != st->model_hash))) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the model must be the same for every row", fn)));
    }
    if (PG_ARGISNULL(2)) PG_RETURN_POINTER(st);
    if (!cseg_pg::model_point(fcinfo, c, 2, fn)) {
        st->n_skipped++;
        PG_RETURN_POINTER(st);
    }
    if (st->block_rows > 0) {
        memcpy(st->pending + static_cast<int64>(st->n_pending) * st->dims, c->scratch,
               sizeof(double) * st->dims);
        if (++st->n_pending == st->block_rows) pass_flush(st);
        PG_RETURN_POINTER(st);
    }
    double distance;
    const int32 label = cseg_pg::model_cache_assign(c, &distance);
    cseg::lloyd_sums_add(pass_view(st), c->scratch, label, distance * distance);
    PG_RETURN_POINTER(st);
}

// Combine: merges two partial pass states.
Datum seg_stream_pass_combine(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_pass";
    MemoryContext cxt = agg_context(fcinfo, fn);
    PassState* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<PassState*>(PG_GETARG_POINTER(0));
    PassState* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<PassState*>(PG_GETARG_POINTER(1));
    if (a == nullptr && b == nullptr) PG_RETURN_NULL();
    if (a == nullptr) PG_RETURN_POINTER(pass_deserialize(pass_serialize(b), cxt, fn));
    PG_RETURN_POINTER(pass_merge(a, b, cxt, fn));
}

// Serialize (also the final function): the pass state as bytea.
Datum seg_stream_pass_serialize(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(pass_serialize(reinterpret_cast<PassState*>(PG_GETARG_POINTER(0))));
}

// Deserialize: a pass state from bytea, in the aggregate context.
Datum seg_stream_pass_deserialize(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo, "seg_stream_pass");
    PG_RETURN_POINTER(pass_deserialize(PG_GETARG_BYTEA_PP(0), cxt, "seg_stream_pass"));
}

// seg_stream_pass_merge(bytea) transition: adds one shard's (or partition's) pass state.
Datum seg_stream_pass_merge_trans(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_pass_merge";
    MemoryContext cxt = agg_context(fcinfo, fn);
    PassState* st = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<PassState*>(PG_GETARG_POINTER(0));
    if (PG_ARGISNULL(1)) {
        if (st == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(st);
    }
    PassState* b = pass_deserialize(PG_GETARG_BYTEA_PP(1), cxt, fn);
    PG_RETURN_POINTER(pass_merge(st, b, cxt, fn));
}

// seg_stream_start(seed bytea, k int, options jsonb) -> the starting model.
Datum seg_stream_start(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_start";
    SeedState* st = seed_deserialize(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext, fn);
    const int32 k = PG_GETARG_INT32(1);
    const char* options = cseg_pg::jsonb_options_text(fcinfo, 2);
    if (st->dims == 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                        errmsg("%s: no usable rows (%lld skipped)", fn,
                               static_cast<long long>(st->n_skipped))));
    const int32 threads = cseg_pg::effective_fit_threads();
    struct varlena* out = cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const cseg::KMeansOptions opts = stream_options(options);
        return cseg_pg::model_to_varlena(
            cseg::stream_start(seed_view(st), k, opts, interrupt, threads));
    });
    PG_RETURN_POINTER(out);
}

// seg_stream_tolerance(seed bytea, model segmodel) -> scikit-learn's absolute tolerance.
Datum seg_stream_tolerance(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_tolerance";
    SeedState* st = seed_deserialize(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext, fn);
    struct varlena* model = PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
    const double tol = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(model, cseg::ErrorKind::InvalidBinary);
        if (m.dims != st->dims)
            throw cseg::Error(cseg::ErrorKind::InvalidParameter,
                              "the seeding state and the model have different dimensions");
        return cseg::stream_tolerance(seed_view(st), m);
    });
    PG_RETURN_FLOAT8(tol);
}

// seg_stream_update(model segmodel, pass bytea) -> the model after one Lloyd update.
Datum seg_stream_update(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_update";
    struct varlena* model = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    PassState* st = pass_deserialize(PG_GETARG_BYTEA_PP(1), CurrentMemoryContext, fn);
    require_pass_model(st, model, fn);
    struct varlena* out = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(model, cseg::ErrorKind::InvalidBinary);
        return cseg_pg::model_to_varlena(cseg::stream_update(m, pass_view(st)));
    });
    PG_RETURN_POINTER(out);
}

// seg_stream_shift(a segmodel, b segmodel) -> total squared centre shift.
Datum seg_stream_shift(PG_FUNCTION_ARGS) {
    struct varlena* a = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    struct varlena* b = PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
    const double shift = cseg_pg::guarded([&] {
        return cseg::stream_centre_shift(
            cseg_pg::model_from_varlena(a, cseg::ErrorKind::InvalidBinary),
            cseg_pg::model_from_varlena(b, cseg::ErrorKind::InvalidBinary));
    });
    PG_RETURN_FLOAT8(shift);
}

// seg_stream_finish(model segmodel, pass bytea) -> the final model (sizes, inertia, order).
Datum seg_stream_finish(PG_FUNCTION_ARGS) {
    const char* fn = "seg_stream_finish";
    struct varlena* model = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    PassState* st = pass_deserialize(PG_GETARG_BYTEA_PP(1), CurrentMemoryContext, fn);
    require_pass_model(st, model, fn);
    int32 k = 0, empty = 0;
    struct varlena* out = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(model, cseg::ErrorKind::InvalidBinary);
        const cseg::Model done = cseg::stream_finish(m, pass_view(st));
        k = static_cast<int32>(done.sizes.size());
        empty = cseg_pg::empty_clusters(done.sizes);
        return cseg_pg::model_to_varlena(done);
    });
    // As kmeans_fit warns: the seeding sample had fewer distinct rows than k, or a centre
    // kept no row in the passes.
    cseg_pg::warn_empty_clusters("kmeans_stream_fit", k, empty, "rows",
                                 "The seeding sample has fewer distinct rows than k, or no row "
                                 "is nearest to a centre");
    PG_RETURN_POINTER(out);
}

}  // extern "C"
