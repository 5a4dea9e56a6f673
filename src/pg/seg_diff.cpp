// seg_diff(old segmodel, new segmodel, features float8[]) aggregate -> jsonb: how many rows
// change segment between two models (e.g. the active version and a retrained one) and the
// transitions old segment -> new segment -> rows. Each row is labelled by both models exactly
// as seg_assign labels it (feature pipeline, scaler, nearest centroid). The state is a k_old x
// k_new count matrix plus a fingerprint of each model (every row must use the same two).
#include <cstring>
#include <string>

#include "datum_codec.hpp"
#include "guard.hpp"
#include "json.hpp"
#include "model_point.hpp"
#include "small_agg_state.hpp"

namespace {

constexpr uint8 kDiffStateVersion = 1;
constexpr const char* kFn = "seg_diff";

// Aggregate state, in the aggregate context. Plain data only.
struct DiffState {
    int32 k_old, k_new;
    uint64 fp_old, fp_new;  // fingerprints of the two encodings
    int64 unlabelled;       // rows either model leaves unlabelled (missing values)
    int64* counts;          // k_old * k_new, row-major by old segment
};

// The two decoded models of one call site, with their fingerprints (fn_extra).
struct DiffCaches {
    cseg_pg::ModelCache* old_model;
    cseg_pg::ModelCache* new_model;
    uint64 fp_old, fp_new;
};

// The aggregate context, or an error when called outside an aggregate.
MemoryContext agg_context(FunctionCallInfo fcinfo) { return cseg_pg::small_agg_context(fcinfo, kFn); }

// Refreshes one cached model and its fingerprint (the store's hash of its encoding).
cseg_pg::ModelCache* refresh(FunctionCallInfo fcinfo, cseg_pg::ModelCache* c, Datum v,
                             uint64* fp) {
    c = cseg_pg::model_cache_set(c, fcinfo->flinfo->fn_mcxt, v);
    *fp = c->entry->hash;
    return c;
}

// A zeroed state.
DiffState* new_state(MemoryContext cxt, int32 k_old, int32 k_new, uint64 fp_old, uint64 fp_new) {
    auto* st = static_cast<DiffState*>(MemoryContextAllocZero(cxt, sizeof(DiffState)));
    st->k_old = k_old;
    st->k_new = k_new;
    st->fp_old = fp_old;
    st->fp_new = fp_new;
    st->counts = static_cast<int64*>(
        MemoryContextAllocZero(cxt, sizeof(int64) * static_cast<Size>(k_old) * k_new));
    return st;
}

// The error for rows (or partial states) that use other models than the first row.
[[noreturn]] void different_models() {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: every row must compare the same two models", kFn),
                    errhint("Compare one pair of models at a time.")));
    pg_unreachable();
}

// Labels the row in argument 3 with one model; -1 when it leaves the row unlabelled.
int32 label_with(FunctionCallInfo fcinfo, cseg_pg::ModelCache* c) {
    if (!cseg_pg::model_point(fcinfo, c, 3, kFn)) return -1;
    return cseg_pg::model_cache_assign(c, nullptr);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_diff_trans);
PG_FUNCTION_INFO_V1(seg_diff_combine);
PG_FUNCTION_INFO_V1(seg_diff_serialize);
PG_FUNCTION_INFO_V1(seg_diff_deserialize);
PG_FUNCTION_INFO_V1(seg_diff_final);

// Transition: labels the row with both models and counts the pair. NULL models or a NULL
// array are ignored; a row either model cannot label counts as unlabelled.
Datum seg_diff_trans(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    DiffState* st = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<DiffState*>(PG_GETARG_POINTER(0));
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
        if (st == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(st);
    }
    auto* caches = static_cast<DiffCaches*>(fcinfo->flinfo->fn_extra);
    if (caches == nullptr) {
        caches = static_cast<DiffCaches*>(
            MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(DiffCaches)));
        fcinfo->flinfo->fn_extra = caches;
    }
    caches->old_model = refresh(fcinfo, caches->old_model, PG_GETARG_DATUM(1), &caches->fp_old);
    caches->new_model = refresh(fcinfo, caches->new_model, PG_GETARG_DATUM(2), &caches->fp_new);
    const cseg::ModelView& mo = caches->old_model->view;
    const cseg::ModelView& mn = caches->new_model->view;
    if (mo.dims != mn.dims)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the old model has %d features and the new one %d", kFn,
                               mo.dims, mn.dims)));
    if (st == nullptr)
        st = new_state(cxt, mo.k, mn.k, caches->fp_old, caches->fp_new);
    else if (st->fp_old != caches->fp_old || st->fp_new != caches->fp_new)
        different_models();
    const int32 a = label_with(fcinfo, caches->old_model);
    const int32 b = label_with(fcinfo, caches->new_model);
    if (a < 0 || b < 0)
        st->unlabelled++;
    else
        st->counts[static_cast<Size>(a) * st->k_new + b]++;
    PG_RETURN_POINTER(st);
}

// Combine: adds the second partial state into the first (copied into the aggregate context).
Datum seg_diff_combine(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    DiffState* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<DiffState*>(PG_GETARG_POINTER(0));
    DiffState* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<DiffState*>(PG_GETARG_POINTER(1));
    if (b == nullptr) {
        if (a == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == nullptr)
        a = new_state(cxt, b->k_old, b->k_new, b->fp_old, b->fp_new);
    else if (a->fp_old != b->fp_old || a->fp_new != b->fp_new || a->k_old != b->k_old ||
             a->k_new != b->k_new)
        different_models();
    a->unlabelled += b->unlabelled;
    for (Size i = 0; i < static_cast<Size>(a->k_old) * a->k_new; ++i) a->counts[i] += b->counts[i];
    PG_RETURN_POINTER(a);
}

// Serialize: version byte, k_old, k_new, fingerprints, unlabelled, counts.
Datum seg_diff_serialize(PG_FUNCTION_ARGS) {
    agg_context(fcinfo);
    const auto* st = reinterpret_cast<const DiffState*>(PG_GETARG_POINTER(0));
    StringInfoData buf;
    pq_begintypsend(&buf);
    pq_sendbyte(&buf, kDiffStateVersion);
    pq_sendint32(&buf, st->k_old);
    pq_sendint32(&buf, st->k_new);
    pq_sendint64(&buf, static_cast<int64>(st->fp_old));
    pq_sendint64(&buf, static_cast<int64>(st->fp_new));
    pq_sendint64(&buf, st->unlabelled);
    /* Native byte order: the state only travels between processes of one server. */
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->counts),
                 static_cast<int>(sizeof(int64) * st->k_old * st->k_new));
    PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// Deserialize: checks the version and the length before rebuilding the state.
Datum seg_diff_deserialize(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    const bytea* bytes = PG_GETARG_BYTEA_PP(0);
    StringInfoData buf;
    cseg_pg::small_state_reader(bytes, kDiffStateVersion, kFn, &buf);
    const int32 k_old = pq_getmsgint(&buf, 4);
    const int32 k_new = pq_getmsgint(&buf, 4);
    const uint64 fp_old = static_cast<uint64>(pq_getmsgint64(&buf));
    const uint64 fp_new = static_cast<uint64>(pq_getmsgint64(&buf));
    const int64 unlabelled = pq_getmsgint64(&buf);
    const int64 rest = buf.len - buf.cursor;
    if (k_old < 1 || k_new < 1 || unlabelled < 0 ||
        rest != static_cast<int64>(k_old) * k_new * static_cast<int64>(sizeof(int64)))
        cseg_pg::small_state_corrupt(kFn);
    DiffState* st = new_state(cxt, k_old, k_new, fp_old, fp_new);
    memcpy(st->counts, pq_getmsgbytes(&buf, static_cast<int>(rest)), rest);
    st->unlabelled = unlabelled;
    pq_getmsgend(&buf);
    PG_RETURN_POINTER(st);
}

// Final: {"rows", "unlabelled", "changed", "changed_share", "transitions": [{"old", "new",
// "rows"}]} as jsonb (every non-empty pair, old then new ascending); NULL without rows.
Datum seg_diff_final(PG_FUNCTION_ARGS) {
    agg_context(fcinfo);
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const auto* st = reinterpret_cast<const DiffState*>(PG_GETARG_POINTER(0));
    char* json = cseg_pg::guarded([&] {
        int64_t rows = 0, changed = 0;
        for (int32 a = 0; a < st->k_old; ++a)
            for (int32 b = 0; b < st->k_new; ++b) {
                const int64 n = st->counts[static_cast<Size>(a) * st->k_new + b];
                rows += n;
                if (a != b) changed += n;
            }
        cseg::JsonWriter w;
        w.begin_object();
        w.key("rows");
        w.integer(rows);
        w.key("unlabelled");
        w.integer(st->unlabelled);
        w.key("changed");
        w.integer(changed);
        w.key("changed_share");
        if (rows > 0)
            w.number(static_cast<double>(changed) / static_cast<double>(rows));
        else
            w.null();
        w.key("transitions");
        w.begin_array();
        for (int32 a = 0; a < st->k_old; ++a)
            for (int32 b = 0; b < st->k_new; ++b) {
                const int64 n = st->counts[static_cast<Size>(a) * st->k_new + b];
                if (n == 0) continue;
                w.begin_object();
                w.key("old");
                w.integer(a);
                w.key("new");
                w.integer(b);
                w.key("rows");
                w.integer(n);
                w.end_object();
            }
        w.end_array();
        w.end_object();
        const std::string s = w.take();
        char* out = static_cast<char*>(cseg_pg::alloc_nothrow(s.size() + 1));
        memcpy(out, s.c_str(), s.size() + 1);
        return out;
    });
    PG_RETURN_DATUM(cseg_pg::small_state_jsonb(json));
}

}  // extern "C"
