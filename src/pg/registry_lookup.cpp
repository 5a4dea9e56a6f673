// The one SPI query that reads the registry: SELECT version, model FROM <schema>.seg_models
// WHERE name OPERATOR(pg_catalog.=) $1 AND active (the partial unique index
// seg_models_one_active answers it). Every object is schema-qualified, so no search_path can
// put another table, type or operator in its way.
#include "registry_lookup.hpp"

#include <cstring>

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "storage/sinval.h"
#include "utils/snapmgr.h"
}

namespace cseg_pg {

namespace {

// The saved plan and the schema it was prepared for (re-prepared if the schema changes).
SPIPlanPtr lookup_plan = nullptr;
Oid lookup_plan_schema = InvalidOid;

// Subtransactions rolled back in this backend so far, and whether the callback counting them
// is registered. Under REPEATABLE READ (and within one PL/pgSQL statement's snapshot) a
// rolled-back seg_train or seg_activate leaves every other part of the key unchanged.
uint64 subxact_aborts = 0;
bool subxact_callback_registered = false;

// Subtransaction callback: counts the rollbacks (ROLLBACK TO, an exception block's error).
void count_subxact_abort(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (event == SUBXACT_EVENT_ABORT_SUB) ++subxact_aborts;
}

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
        "SELECT m.version, m.model FROM %s.seg_models m "
        "WHERE m.name OPERATOR(pg_catalog.=) $1 AND m.active",
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

// True when `key` was recorded under a lookup that would read exactly what one now would:
// same transaction, user and invalidation count, and an MVCC snapshot with the same
// contents.
bool same_key(const LookupKey& key, Snapshot snap) {
    if (!key.valid || snap == nullptr || snap->snapshot_type != SNAPSHOT_MVCC) return false;
    if (key.lxid != MyProc->lxid || key.subxact_aborts != subxact_aborts ||
        key.userid != GetUserId() || key.sinval != SharedInvalidMessageCounter)
        return false;
    if (key.xmin != snap->xmin || key.xmax != snap->xmax || key.curcid != snap->curcid ||
        key.suboverflowed != snap->suboverflowed || key.xcnt != snap->xcnt ||
        key.subxcnt != snap->subxcnt)
        return false;
    if (key.xcnt > 0 && memcmp(key.xids, snap->xip, sizeof(TransactionId) * key.xcnt) != 0)
        return false;
    return key.subxcnt <= 0 || memcmp(key.xids + key.xcnt, snap->subxip,
                                      sizeof(TransactionId) * key.subxcnt) == 0;
}

// Records in `key` what the lookup just made under `snap` depended on.
void record_key(LookupKey* key, Snapshot snap, MemoryContext mcxt) {
    key->valid = false;
    if (snap == nullptr || snap->snapshot_type != SNAPSHOT_MVCC) return;
    const int32 subxcnt = snap->subxcnt > 0 ? snap->subxcnt : 0;
    const int32 n = static_cast<int32>(snap->xcnt) + subxcnt;
    if (n > key->xids_capacity) {
        if (key->xids != nullptr) pfree(key->xids);
        key->xids = static_cast<TransactionId*>(
            MemoryContextAlloc(mcxt, sizeof(TransactionId) * n));
        key->xids_capacity = n;
    }
    if (snap->xcnt > 0) memcpy(key->xids, snap->xip, sizeof(TransactionId) * snap->xcnt);
    if (subxcnt > 0)
        memcpy(key->xids + snap->xcnt, snap->subxip, sizeof(TransactionId) * subxcnt);
    key->lxid = MyProc->lxid;
    key->subxact_aborts = subxact_aborts;
    key->userid = GetUserId();
    key->sinval = SharedInvalidMessageCounter;
    key->xmin = snap->xmin;
    key->xmax = snap->xmax;
    key->curcid = snap->curcid;
    key->suboverflowed = snap->suboverflowed;
    key->xcnt = snap->xcnt;
    key->subxcnt = snap->subxcnt;
    key->valid = true;
}

}  // namespace

// Drops the reusable answer.
void registry_forget(ActiveModel* out) { out->key.valid = false; }

// Reuses the answer read under the same key, else runs the saved lookup read-only (the
// active snapshot, the current user's rights) and copies the model out of SPI memory.
void registry_active_model(Oid schema, const char* name, MemoryContext mcxt, ActiveModel* out,
                           const char* fn) {
    Snapshot snap = ActiveSnapshotSet() ? GetActiveSnapshot() : nullptr;
    if (out->model != nullptr && same_key(out->key, snap)) return;
    out->key.valid = false;  // until the lookup below succeeds
    if (!subxact_callback_registered) {
        RegisterSubXactCallback(count_subxact_abort, nullptr);
        subxact_callback_registered = true;
    }
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
    if (isnull)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: version %d of model \"%s\" has no model", fn, version, name)));
    /* Detoast into the caller's context before SPI_finish frees the SPI memory: the cache
       then compares whole model bytes, never a toast pointer. */
    MemoryContext old = MemoryContextSwitchTo(mcxt);
    struct varlena* bytes = PG_DETOAST_DATUM_COPY(model);
    MemoryContextSwitchTo(old);
    SPI_finish();
    out->model = model_cache_set(out->model, mcxt, PointerGetDatum(bytes));
    out->version = version;
    pfree(bytes);
    /* The snapshot SPI used is the one active now: record what the answer depended on. */
    record_key(&out->key, snap, mcxt);
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
