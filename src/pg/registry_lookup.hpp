// Reading the model registry (seg_models) from C: the active version of a named model, as
// the snapshot the call runs under sees it, with the current user's privileges (SPI).
#pragma once

#include "datum_codec.hpp"

namespace cseg_pg {

// Everything a registry lookup's answer depends on: the transaction, the subtransactions
// rolled back since (an aborted savepoint or PL/pgSQL exception block takes its writes with
// it without changing the snapshot), the user it ran as, the invalidation messages processed
// so far (grants, policies, DDL) and the MVCC snapshot's contents (which transactions it sees
// and the command id). Two lookups with equal keys read exactly the same rows with the same
// rights, so the second one can reuse the first one's answer. Nothing in it can collide the
// way a TID or an xmin can.
struct LookupKey {
    bool valid;  // false: no answer to reuse
    LocalTransactionId lxid;
    uint64 subxact_aborts;  // the backend's count of rolled-back subtransactions
    Oid userid;
    uint64 sinval;  // SharedInvalidMessageCounter
    TransactionId xmin;
    TransactionId xmax;
    CommandId curcid;
    bool suboverflowed;
    uint32 xcnt;
    int32 subxcnt;
    int32 xids_capacity;  // entries allocated in xids
    TransactionId* xids;  // xcnt then subxcnt in-progress transaction ids
};

// What the last lookup found for a named model: its active version, decoded, and the key
// under which it was read.
struct ActiveModel {
    int32 version;
    ModelCache* model;  // decoded; reused while the model bytes are the same
    LookupKey key;
};

// Looks up the active version of `name` in the seg_models table of schema `schema` (the
// extension's: the schema of the calling C function) as the active snapshot sees it, with
// the current user's privileges. When `out` holds an answer read under the same LookupKey it
// is reused as it is; otherwise one saved, schema-qualified SPI plan runs read-only (so the
// executor checks the current user's rights and row-level security) and the model is decoded
// into `out->model` (allocated in mcxt; kept when the bytes did not change). Errors with
// 42704 (undefined_object) when no version is active; `fn` names the caller. Call
// registry_forget(out) when the name changes.
void registry_active_model(Oid schema, const char* name, MemoryContext mcxt, ActiveModel* out,
                           const char* fn);

// Drops the reusable answer in `out` (keeps the decoded model's memory for reuse).
void registry_forget(ActiveModel* out);

// The extension's schema, found from the OID of one of its C functions.
Oid extension_schema_of(Oid fn_oid);

}  // namespace cseg_pg
