// Encoding models/scalers into varlenas and caching their decoded form across rows.
#include "datum_codec.hpp"

#include <cstring>
#include <vector>

#include "distance.hpp"
#include "guard.hpp"
#include "model_text_encoding.hpp"

extern "C" {
#include "nodes/primnodes.h"
}

namespace cseg_pg {

namespace {

// Copies an encoding produced by `encode` into a fresh varlena.
template <class Encode>
struct varlena* to_varlena(size_t size, Encode&& encode) {
    if (size > MaxAllocSize - VARHDRSZ) throw std::length_error("customer_seg value exceeds 1 GB");
    std::vector<uint64_t> tmp((size + 7) / 8);
    encode(reinterpret_cast<uint8_t*>(tmp.data()));
    auto* v = static_cast<struct varlena*>(alloc_nothrow(VARHDRSZ + size));
    SET_VARSIZE(v, VARHDRSZ + size);
    std::memcpy(VARDATA(v), tmp.data(), size);
    return v;
}

// The payload of a detoasted varlena copied to 8-byte aligned storage.
std::vector<uint64_t> aligned_payload(const struct varlena* v) {
    const size_t len = VARSIZE_ANY_EXHDR(v);
    std::vector<uint64_t> buf((len + 7) / 8);
    std::memcpy(buf.data(), VARDATA_ANY(v), len);
    return buf;
}

// The raw (possibly toasted) bytes of argument argno, used as a cache key.
void raw_arg(FunctionCallInfo fcinfo, int argno, const char** raw, Size* len) {
    const Pointer p = DatumGetPointer(PG_GETARG_DATUM(argno));
    *raw = p;
    *len = VARSIZE_ANY(p);
}

// True when the cache entry was made from exactly these raw bytes.
bool same_raw(const char* cached, Size cached_len, const char* raw, Size len) {
    return cached != nullptr && cached_len == len && std::memcmp(cached, raw, len) == 0;
}

}  // namespace

// Model -> varlena; every text in it must be valid in the database encoding.
struct varlena* model_to_varlena(const cseg::Model& m) {
    check_model_texts(m);
    return to_varlena(cseg::model_encoded_size(m),
                      [&](uint8_t* out) { cseg::model_encode(m, out); });
}

// Scaler -> varlena.
struct varlena* scaler_to_varlena(const cseg::Scaler& s) {
    return to_varlena(cseg::scaler_encoded_size(s),
                      [&](uint8_t* out) { cseg::scaler_encode(s, out); });
}

// varlena -> Model, validated.
cseg::Model model_from_varlena(const struct varlena* v, cseg::ErrorKind kind) {
    const std::vector<uint64_t> buf = aligned_payload(v);
    return cseg::model_decode(reinterpret_cast<const uint8_t*>(buf.data()),
                              VARSIZE_ANY_EXHDR(v), kind);
}

// varlena -> Scaler, validated.
cseg::Scaler scaler_from_varlena(const struct varlena* v, cseg::ErrorKind kind) {
    const std::vector<uint64_t> buf = aligned_payload(v);
    return cseg::scaler_decode(reinterpret_cast<const uint8_t*>(buf.data()),
                               VARSIZE_ANY_EXHDR(v), kind);
}

// True when argument argno of the function call behind flinfo is a Const: its value lives in
// the plan and is the same on every call through this FmgrInfo. (A PARAM_EXTERN is not: a
// PL/pgSQL simple expression keeps its FmgrInfo while the variable behind it changes.)
static bool argument_is_const(const FmgrInfo* flinfo, int argno) {
    const Node* expr = flinfo->fn_expr;
    if (expr == nullptr || !IsA(expr, FuncExpr)) return false;
    const List* args = reinterpret_cast<const FuncExpr*>(expr)->args;
    return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

// Returns the model cache for this call site, decoding the argument when it changed; a
// constant model (a literal, or a parameter a custom plan folded in) is compared only once.
ModelCache* model_cache_get(FunctionCallInfo fcinfo, int argno) {
    auto* cache = static_cast<ModelCache*>(fcinfo->flinfo->fn_extra);
    if (cache != nullptr && cache->constant) return cache;
    cache = model_cache_set(cache, fcinfo->flinfo->fn_mcxt, PG_GETARG_DATUM(argno));
    cache->constant = argument_is_const(fcinfo->flinfo, argno);
    fcinfo->flinfo->fn_extra = cache;
    return cache;
}

// Reset callback of a call site's memory context: drops the call site's pin.
static void model_cache_unpin(void* arg) {
    auto* cache = static_cast<ModelCache*>(arg);
    if (cache->entry != nullptr) model_store_release(cache->entry);
    cache->entry = nullptr;
}

// Points `cache` (made in mcxt when NULL) at the store's entry for `value` unless it holds
// these bytes already: the entry is pinned before the old one is released, and the cache is
// unchanged when the lookup fails (an invalid model raises its error).
ModelCache* model_cache_set(ModelCache* cache, MemoryContext mcxt, Datum value) {
    const char* raw = DatumGetPointer(value);
    const Size raw_len = VARSIZE_ANY(raw);
    if (cache != nullptr && same_raw(cache->raw, cache->raw_len, raw, raw_len)) return cache;

    if (cache == nullptr) {
        cache = static_cast<ModelCache*>(MemoryContextAllocZero(mcxt, sizeof(ModelCache)));
        auto* cb = static_cast<MemoryContextCallback*>(
            MemoryContextAllocZero(mcxt, sizeof(MemoryContextCallback)));
        cb->func = model_cache_unpin;
        cb->arg = cache;
        MemoryContextRegisterResetCallback(mcxt, cb);
    }
    struct varlena* v = PG_DETOAST_DATUM(value);
    PreparedModel* entry = model_store_acquire(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
    PreparedModel* old = cache->entry;
    cache->entry = entry;
    if (old != nullptr) model_store_release(old);
    if (cache->raw != nullptr) pfree(cache->raw);
    if (cache->scratch != nullptr) pfree(cache->scratch);
    if (cache->codes != nullptr) pfree(cache->codes);
    cache->raw = nullptr;
    cache->scratch = nullptr;
    cache->codes = nullptr;
    cache->aligned = entry->aligned;
    cache->aligned_len = entry->len;
    cache->view = entry->view;
    cache->kind = entry->kind;
    cache->prepared = entry->prepared;
    cache->scratch = static_cast<double*>(
        MemoryContextAlloc(mcxt, sizeof(double) * 2 * cache->view.dims));
    if (cache->view.cat_dims > 0)
        cache->codes = static_cast<int32*>(
            MemoryContextAlloc(mcxt, sizeof(int32) * cache->view.cat_dims));
    cache->raw = static_cast<char*>(MemoryContextAlloc(mcxt, raw_len));
    memcpy(cache->raw, raw, raw_len);
    cache->raw_len = raw_len;
    cache->generation++;
    return cache;
}

// The kind's rule on the prepared row.
int32 model_cache_assign(const ModelCache* cache, double* distance) {
    const cseg::Interrupt interrupt(interrupt_pending);
    return guarded([&] {
        return cache->kind->assign(cache->view, cache->prepared,
                                   cseg::ModelRow{cache->scratch, cache->codes, &interrupt},
                                   distance);
    });
}

// Returns the scaler cache for this call site, decoding the argument when it changed.
ScalerCache* scaler_cache_get(FunctionCallInfo fcinfo, int argno) {
    const char* raw;
    Size raw_len;
    raw_arg(fcinfo, argno, &raw, &raw_len);
    auto* cache = static_cast<ScalerCache*>(fcinfo->flinfo->fn_extra);
    if (cache != nullptr && same_raw(cache->raw, cache->raw_len, raw, raw_len)) return cache;

    struct varlena* v = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
    MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    if (cache == nullptr) cache = static_cast<ScalerCache*>(palloc0(sizeof(ScalerCache)));
    fcinfo->flinfo->fn_extra = cache;
    if (cache->raw != nullptr) pfree(cache->raw);
    if (cache->block != nullptr) pfree(cache->block);
    cache->raw = nullptr;
    cache->block = nullptr;
    /* Decode first: the scaler's size is only known afterwards, so the core writes into
     * one block allocated inside the guard with the no-longjmp allocator. */
    double* block = guarded([&] {
        const cseg::Scaler s = scaler_from_varlena(v, cseg::ErrorKind::InvalidBinary);
        const size_t d = s.center.size();
        auto* out = static_cast<double*>(alloc_nothrow(sizeof(double) * (3 * d + 1)));
        out[0] = static_cast<double>(d);
        std::memcpy(out + 1, s.center.data(), sizeof(double) * d);
        std::memcpy(out + 1 + d, s.scale.data(), sizeof(double) * d);
        return out;
    });
    cache->block = block;
    cache->dims = static_cast<int32>(block[0]);
    cache->center = block + 1;
    cache->scale = block + 1 + cache->dims;
    cache->scratch = block + 1 + 2 * cache->dims;
    cache->raw = static_cast<char*>(palloc(raw_len));
    memcpy(cache->raw, raw, raw_len);
    cache->raw_len = raw_len;
    MemoryContextSwitchTo(old);
    return cache;
}

}  // namespace cseg_pg
