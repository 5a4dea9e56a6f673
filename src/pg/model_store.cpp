// The backend's store of prepared models (model_store.hpp).
#include "model_store.hpp"

#include <cstring>

#include "guard.hpp"

extern "C" {
#include "common/hashfn.h"
#include "utils/guc.h"
}

namespace cseg_pg {

int model_cache_memory_kb = 64 * 1024;  // 64 MB

namespace {

MemoryContext store_cxt = nullptr;                 // "customer_seg model store"
PreparedModel* table[kModelStoreEntries] = {};     // the reusable entries (NULL: free slot)
uint64 clock = 0;                                  // ticks once per acquire

// The store's memory context, made on first use.
MemoryContext store_context() {
    if (store_cxt == nullptr)
        store_cxt = AllocSetContextCreate(TopMemoryContext, "customer_seg model store",
                                          ALLOCSET_SMALL_SIZES);
    return store_cxt;
}

// Bytes of the listed entries.
Size listed_bytes() {
    Size total = 0;
    for (PreparedModel* e : table)
        if (e != nullptr) total += e->bytes;
    return total;
}

// Removes slot i from the table, freeing its entry unless a call site still holds it.
void unlist(int i) {
    PreparedModel* e = table[i];
    table[i] = nullptr;
    e->listed = false;
    if (e->pins == 0) MemoryContextDelete(e->cxt);
}

// Drops unpinned entries, least recently used first, until `slots` slots are free and `extra`
// more bytes fit the cap; false when pinned entries leave no room.
bool make_room(int slots, Size extra) {
    const double cap = double(model_cache_memory_kb) * 1024.0;
    for (;;) {
        int free_slots = 0, victim = -1;
        for (int i = 0; i < kModelStoreEntries; ++i) {
            if (table[i] == nullptr) {
                ++free_slots;
            } else if (table[i]->pins == 0 &&
                       (victim < 0 || table[i]->last_used < table[victim]->last_used)) {
                victim = i;
            }
        }
        if (free_slots >= slots && double(listed_bytes()) + double(extra) <= cap) return true;
        if (victim < 0) return false;
        unlist(victim);
    }
}

// Decodes, validates and prepares a copy of bytes[0..len) in a new context (under the store).
PreparedModel* build(const char* bytes, Size len, uint64 hash) {
    MemoryContext cxt =
        AllocSetContextCreate(store_context(), "customer_seg prepared model", ALLOCSET_SMALL_SIZES);
    PreparedModel* e = nullptr;
    PG_TRY();
    {
        e = static_cast<PreparedModel*>(MemoryContextAllocZero(cxt, sizeof(PreparedModel)));
        e->cxt = cxt;
        e->len = len;
        e->hash = hash;
        e->aligned = static_cast<uint64*>(MemoryContextAllocHuge(cxt, (len + 7) / 8 * 8 + 8));
        memcpy(e->aligned, bytes, len);
        const uint64* aligned = e->aligned;
        struct Decoded {
            cseg::ModelView view;
            const cseg::ModelKind* kind;
            size_t prepared_bytes;
        };
        const Decoded d = guarded([&] {
            const cseg::ModelView v =
                cseg::model_view(reinterpret_cast<const uint8_t*>(aligned), len);
            const cseg::ModelKind& kind = cseg::model_kind(v.algorithm);
            return Decoded{v, &kind, kind.prepared_bytes(v)};
        });
        e->view = d.view;
        e->kind = d.kind;
        if (d.prepared_bytes > 0) {
            void* prepared = MemoryContextAllocHuge(cxt, d.prepared_bytes);
            guarded([&] { d.kind->prepare(d.view, prepared); });
            e->prepared = prepared;
        }
        MemoryContextSetIdentifier(cxt, d.kind->name());
        e->bytes = MemoryContextMemAllocated(cxt, false);
    }
    PG_CATCH();
    {
        MemoryContextDelete(cxt);
        PG_RE_THROW();
    }
    PG_END_TRY();
    return e;
}

// Assign hook of customer_seg.model_cache_memory: applies a lower cap at once (the entries
// held by running statements stay until they end).
void assign_model_cache_memory(int newval, void*) {
    model_cache_memory_kb = newval;
    if (store_cxt != nullptr) make_room(0, 0);
}

}  // namespace

// hash_bytes_extended of the encoding, seed 0.
uint64 model_bytes_hash(const char* bytes, Size len) {
    return hash_bytes_extended(reinterpret_cast<const unsigned char*>(bytes),
                               static_cast<int>(len), 0);
}

// An equal listed entry, else a new one (listed when the cap and the slots allow), pinned.
PreparedModel* model_store_acquire(const char* bytes, Size len) {
    const uint64 hash = model_bytes_hash(bytes, len);
    ++clock;
    for (PreparedModel* e : table) {
        if (e != nullptr && e->len == len && e->hash == hash &&
            memcmp(e->aligned, bytes, len) == 0) {
            e->pins++;
            e->last_used = clock;
            return e;
        }
    }
    PreparedModel* e = build(bytes, len, hash);
    e->pins = 1;
    e->last_used = clock;
    if (make_room(1, e->bytes)) {
        for (PreparedModel*& slot : table) {
            if (slot == nullptr) {
                slot = e;
                e->listed = true;
                break;
            }
        }
    }
    return e;
}

// One pin less; an unlisted entry goes with its last pin.
void model_store_release(PreparedModel* e) {
    e->pins--;
    if (e->pins == 0 && !e->listed) MemoryContextDelete(e->cxt);
}

// customer_seg.model_cache_memory: the byte cap of the reusable entries.
void define_model_store_guc() {
    DefineCustomIntVariable(
        "customer_seg.model_cache_memory",
        "Memory a backend keeps for decoded, prepared models between statements.",
        "seg_assign, seg_distance and the other per-row functions decode and prepare a model "
        "(e.g. a hierarchical model's search tree) once and keep it for later statements of "
        "the session: at most 16 models and this much memory, least recently used dropped "
        "first. 0 keeps a model only while a statement uses it.",
        &model_cache_memory_kb, 64 * 1024, 0, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB, nullptr,
        assign_model_cache_memory, nullptr);
}

}  // namespace cseg_pg
