// segmodel / segscaler datums: the core's binary encoding inside a varlena, plus a
// per-call-site cache of the decoded model, shared through the backend's model store.
#pragma once

#include "model.hpp"
#include "model_codec.hpp"
#include "model_kind.hpp"
#include "model_store.hpp"
#include "pg.hpp"

namespace cseg_pg {

// Encodes a model into a new varlena (current memory context). Call inside guarded().
struct varlena* model_to_varlena(const cseg::Model& m);
// Encodes a scaler into a new varlena (current memory context). Call inside guarded().
struct varlena* scaler_to_varlena(const cseg::Scaler& s);
// Decodes a detoasted model datum, validating it. Call inside guarded().
cseg::Model model_from_varlena(const struct varlena* v, cseg::ErrorKind kind);
// Decodes a detoasted scaler datum, validating it. Call inside guarded().
cseg::Scaler scaler_from_varlena(const struct varlena* v, cseg::ErrorKind kind);

// A call site's model for the rows of one query: its own scratch and codes, and the shared
// decoded and prepared model (model_store.hpp) it pins until its bytes change or its memory
// context is reset or deleted (a reset callback: also on error and cancel). Plain data only.
struct ModelCache {
    Size raw_len;            // the datum's bytes as stored (possibly toasted): the fast key
    char* raw;
    PreparedModel* entry;    // the pinned store entry; the four fields below are its own
    const uint64* aligned;   // the detoasted encoding, 8-byte aligned
    Size aligned_len;        // its length in bytes
    cseg::ModelView view;    // pointers into `aligned`
    const cseg::ModelKind* kind;  // the model's kind (a static singleton)
    double* scratch;         // 2 * dims doubles for the caller
    int32* codes;            // categorical kinds: cat_dims category codes for the caller; else NULL
    void* prepared;          // the kind's prepared block (ModelKind::prepare), or NULL
    void* caller_memo;       // the caller's own per-call-site memo (same context), or NULL:
                             // e.g. jsonb_options_check_same's, as fn_extra holds this cache
    bool constant;           // model_cache_get: the call site's model argument is a Const, so
                             // its value is the same on every call and is not compared again
    uint64 generation;       // counts the models this cache has held: equal generations of one
                             // cache mean the same bytes (a pointer to an entry may be reused)
};

// The cached decoding of the model in argument `argno`, refreshed when the datum changes.
ModelCache* model_cache_get(FunctionCallInfo fcinfo, int argno);

// The same for a model datum from anywhere (e.g. an SPI result): refreshes `cache` (NULL for
// a new one, allocated in mcxt) unless it already holds exactly these bytes; returns it.
ModelCache* model_cache_set(ModelCache* cache, MemoryContext mcxt, Datum value);

// The cluster of the row prepared in cache->scratch (and cache->codes for a categorical kind)
// by the model's kind (ModelKind::assign), and the kind's distance to it in *distance (when
// not NULL). Guarded: a C++ exception becomes a PostgreSQL error.
int32 model_cache_assign(const ModelCache* cache, double* distance);

// A decoded scaler kept in fn_mcxt, like ModelCache.
struct ScalerCache {
    Size raw_len;
    char* raw;
    int32 dims;
    double* block;    // one allocation holding center, scale and scratch
    double* center;
    double* scale;
    double* scratch;  // dims doubles
};

// The cached decoding of the scaler in argument `argno`.
ScalerCache* scaler_cache_get(FunctionCallInfo fcinfo, int argno);

}  // namespace cseg_pg
