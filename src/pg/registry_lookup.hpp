// Reading the model registry (seg_models) from C: the active version of a named model, as
// the current statement's snapshot sees it, with the caller's privileges (SPI).
#pragma once

#include "datum_codec.hpp"

namespace cseg_pg {

// What one statement knows about a named model: its active version, decoded, and where its
// registry row was found (to recheck it cheaply in the next statement).
struct ActiveModel {
    int32 version;
    ModelCache* model;  // decoded; reused across statements while the bytes are the same
    Oid relid;          // seg_models; InvalidOid before the first lookup
    ItemPointerData tid;
    TransactionId xmin;
};

// An identity for "this statement": the top transaction's local id and the command id.
// A cached lookup is reused only while both are unchanged.
struct StatementKey {
    LocalTransactionId lxid;
    CommandId cid;
};

// The current statement's key.
StatementKey current_statement();
// True when both keys name the same statement.
bool same_statement(StatementKey a, StatementKey b);

// Looks up the active version of `name` in the seg_models table of schema `schema` (the
// extension's: the schema of the calling C function) as the current statement's snapshot
// sees it, with the caller's privileges. When `out` holds an earlier result for the same
// name, the registry row it came from is fetched by its TID first: if that very row version
// is still visible it is still the active one (a snapshot never sees two active rows of a
// name) and nothing else is read. Otherwise one saved SPI plan runs read-only and the model
// is decoded into `out->model` (allocated in mcxt; kept when the bytes did not change).
// Errors with 42704 (undefined_object) when no version is active; `fn` names the caller.
void registry_active_model(Oid schema, const char* name, MemoryContext mcxt, ActiveModel* out,
                           const char* fn);

// The extension's schema, found from the OID of one of its C functions.
Oid extension_schema_of(Oid fn_oid);

}  // namespace cseg_pg
