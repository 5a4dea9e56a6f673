// The backend's store of prepared models: every per-call-site ModelCache (datum_codec.hpp)
// takes its decoded, validated and prepared model (for a hierarchical model: the k-d tree
// over its leaves) from here, so a model used by query after query in one session is decoded
// and prepared once, not once per call site per query.
//
// Keyed by the model's detoasted bytes: looked up by (length, hash) and accepted only after
// a full memcmp, so crafted bytes colliding in the hash can never return another model's
// answers. Entries live in their own memory contexts ("customer_seg prepared model", with the
// kind's name as identifier) under "customer_seg model store" in TopMemoryContext. An entry
// is pinned by the call sites holding it and is freed only when no pin is left. Besides the
// pinned ones, at most kModelStoreEntries entries and customer_seg.model_cache_memory bytes
// are kept (least recently used dropped first; 0 keeps nothing beyond the running
// statements).
#pragma once

#include "model_codec.hpp"
#include "model_kind.hpp"
#include "pg.hpp"

namespace cseg_pg {

// At most this many unpinned-or-pinned entries are kept for reuse.
constexpr int kModelStoreEntries = 16;

// customer_seg.model_cache_memory in kB.
extern int model_cache_memory_kb;

// One decoded, validated, prepared model. Plain data owned by its memory context `cxt`. The
// kind's prepared block may hold the kind's per-row work space (k-means: the distances):
// call sites sharing an entry use it one row at a time (a backend runs one row at a time).
struct PreparedModel {
    uint64* aligned;              // the detoasted encoding, 8-byte aligned
    Size len;                     // its length in bytes
    uint64 hash;                  // hash_bytes_extended of the encoding
    cseg::ModelView view;         // pointers into `aligned`
    const cseg::ModelKind* kind;  // the model's kind (a static singleton)
    void* prepared;               // the kind's prepared block (ModelKind::prepare), or NULL
    MemoryContext cxt;            // holds this struct, `aligned` and `prepared`
    Size bytes;                   // memory of cxt, counted against the cap
    int32 pins;                   // call sites holding it
    bool listed;                  // reusable (in the store's table); else freed at last unpin
    uint64 last_used;             // the store's clock at its last acquire
};

// The prepared model of the encoding bytes[0..len) (a detoasted payload, any alignment),
// pinned once: an equal entry of the store, else decoded, validated and prepared now (errors
// as model_view and the kind raise them; nothing is kept then).
PreparedModel* model_store_acquire(const char* bytes, Size len);

// The hash the store keys the encoding bytes[0..len) by (PreparedModel::hash).
uint64 model_bytes_hash(const char* bytes, Size len);

// Drops one pin; frees the entry when it was the last and the entry is not kept.
void model_store_release(PreparedModel* e);

// Registers customer_seg.model_cache_memory; called from _PG_init.
void define_model_store_guc();

}  // namespace cseg_pg
