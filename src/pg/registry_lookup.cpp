// The one SPI query that reads the registry: SELECT version, model FROM seg_models WHERE name
// = $1 AND active (the partial unique index seg_models_one_active answers it).
#include "registry_lookup.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "executor/spi.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace cseg_pg {

namespace {

// The saved plan and the schema it was prepared for (re-prepared if the schema changes).
SPIPlanPtr lookup_plan = nullptr;
Oid lookup_plan_schema = InvalidOid;

// Prepares (once per backend and schema) the saved lookup plan; call between SPI_connect
// and SPI_finish.
SPIPlanPtr prepared_lookup(Oid schema) {
    if (lookup_plan != nullptr && lookup_plan_schema == schema) return lookup_plan;
    if (lookup_plan != nullptr) {
        SPI_freeplan(lookup_plan);
        lookup_plan = nullptr;
    }
    const char* nsp = get_namespace_name(schema);
    if (nsp == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_SCHEMA),
                        errmsg("customer_seg: schema %u of the extension does not exist", schema)));
    char* query = psprintf(
        "SELECT version, model, tableoid, ctid, xmin FROM %s.seg_models WHERE name = $1 AND "
        "active",
        quote_identifier(nsp));
    Oid argtypes[1] = {TEXTOID};
    SPIPlanPtr plan = SPI_prepare(query, 1, argtypes);
    if (plan == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("customer_seg: could not prepare the registry lookup: %s",
                               SPI_result_code_string(SPI_result))));
    if (SPI_keepplan(plan) != 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("customer_seg: could not keep the registry lookup plan")));
    lookup_plan = plan;
    lookup_plan_schema = schema;
    return plan;
}

// True when the registry row version `cached` came from is visible to the current statement's
// snapshot, so it is still the active row of its name. Any doubt (table gone or replaced, no
// SELECT right, row-level security, another table AM) answers false: the SPI lookup decides.
bool still_visible(const ActiveModel* cached) {
    if (!OidIsValid(cached->relid) || !ActiveSnapshotSet()) return false;
    if (pg_class_aclcheck(cached->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK) return false;
    Relation rel = try_table_open(cached->relid, AccessShareLock);
    if (rel == nullptr) return false;
    bool visible = false;
    if (rel->rd_rel->relam == HEAP_TABLE_AM_OID && !rel->rd_rel->relrowsecurity &&
        strcmp(RelationGetRelationName(rel), "seg_models") == 0) {
        HeapTupleData tuple;
        tuple.t_self = cached->tid;
        Buffer buffer = InvalidBuffer;
        if (heap_fetch(rel, GetActiveSnapshot(), &tuple, &buffer, false)) {
            visible = HeapTupleHeaderGetRawXmin(tuple.t_data) == cached->xmin;
            ReleaseBuffer(buffer);
        }
    }
    table_close(rel, NoLock);  // the lock is kept to the end of the transaction, like SPI's
    return visible;
}

}  // namespace

// The statement identity used as the cache key.
StatementKey current_statement() { return StatementKey{MyProc->lxid, GetCurrentCommandId(false)}; }

// Equality of statement keys.
bool same_statement(StatementKey a, StatementKey b) { return a.lxid == b.lxid && a.cid == b.cid; }

// Runs the saved lookup read-only (the caller's snapshot), copies the model out of SPI memory.
void registry_active_model(Oid schema, const char* name, MemoryContext mcxt, ActiveModel* out,
                           const char* fn) {
    if (out->model != nullptr && still_visible(out)) return;
    out->relid = InvalidOid;  // until the lookup below succeeds
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("%s: SPI_connect failed", fn)));
    SPIPlanPtr plan = prepared_lookup(schema);
    Datum args[1] = {CStringGetTextDatum(name)};
    const int rc = SPI_execute_plan(plan, args, nullptr, true, 2);
    if (rc != SPI_OK_SELECT)
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR),
                 errmsg("%s: the registry lookup failed: %s", fn, SPI_result_code_string(rc))));
    if (SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("%s: no active model named \"%s\"", fn, name),
                        errhint("Train one with seg_train() or activate a saved version with "
                                "seg_activate().")));
    /* The partial unique index allows one active row per name; check anyway. */
    if (SPI_processed > 1)
        ereport(ERROR, (errcode(ERRCODE_CARDINALITY_VIOLATION),
                        errmsg("%s: more than one active version of model \"%s\"", fn, name)));
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    bool isnull = false;
    const int32 version = DatumGetInt32(SPI_getbinval(row, desc, 1, &isnull));
    const Datum model = SPI_getbinval(row, desc, 2, &isnull);
    const bool model_null = isnull;
    const Oid relid = DatumGetObjectId(SPI_getbinval(row, desc, 3, &isnull));
    const ItemPointerData tid =
        *reinterpret_cast<ItemPointer>(DatumGetPointer(SPI_getbinval(row, desc, 4, &isnull)));
    const TransactionId xmin = DatumGetTransactionId(SPI_getbinval(row, desc, 5, &isnull));
    if (model_null)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: version %d of model \"%s\" has no model", fn, version, name)));
    /* Detoast into the caller's context before SPI_finish frees the SPI memory. */
    MemoryContext old = MemoryContextSwitchTo(mcxt);
    struct varlena* bytes = PG_DETOAST_DATUM_COPY(model);
    MemoryContextSwitchTo(old);
    SPI_finish();
    out->model = model_cache_set(out->model, mcxt, PointerGetDatum(bytes));
    out->version = version;
    out->relid = relid;
    out->tid = tid;
    out->xmin = xmin;
    pfree(bytes);
}

// The namespace of a function (the extension is not relocatable, so this is its schema).
Oid extension_schema_of(Oid fn_oid) {
    const Oid nsp = get_func_namespace(fn_oid);
    if (!OidIsValid(nsp))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
                        errmsg("customer_seg: cache lookup failed for function %u", fn_oid)));
    return nsp;
}

}  // namespace cseg_pg
