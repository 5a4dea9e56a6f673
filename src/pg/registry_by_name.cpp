// The SQL functions that take a registry name: seg_model(name) (the active version's model)
// and seg_assign(name, features) (label with it). Each call site reads the version the
// snapshot it runs under sees as active, with the current user's rights; the answer is reused
// for as long as the snapshot, the user and the transaction stay the same
// (registry_active_model's LookupKey), so a query over many rows looks the model up once.
// Within one PL/pgSQL function both see the same version (the snapshot rule).
#include <cstring>

#include "guard.hpp"
#include "model_point.hpp"
#include "registry_lookup.hpp"

namespace {

// Per call site: the name looked up and the answer.
struct NameCache {
    Oid schema;
    int32 name_len;
    char* name;  // name_len bytes, plus a terminating NUL
    cseg_pg::ActiveModel active;
};

// The call site's cache, current for this call's snapshot, user and name.
NameCache* name_cache(FunctionCallInfo fcinfo, const text* name, const char* fn) {
    MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
    auto* nc = static_cast<NameCache*>(fcinfo->flinfo->fn_extra);
    if (nc == nullptr) {
        nc = static_cast<NameCache*>(MemoryContextAllocZero(mcxt, sizeof(NameCache)));
        nc->schema = cseg_pg::extension_schema_of(fcinfo->flinfo->fn_oid);
        fcinfo->flinfo->fn_extra = nc;
    }
    const int32 len = VARSIZE_ANY_EXHDR(name);
    if (nc->name == nullptr || nc->name_len != len || memcmp(nc->name, VARDATA_ANY(name), len) != 0) {
        cseg_pg::registry_forget(&nc->active);  // another name: the answer says nothing about it
        if (nc->name != nullptr) pfree(nc->name);
        nc->name = static_cast<char*>(MemoryContextAlloc(mcxt, len + 1));
        memcpy(nc->name, VARDATA_ANY(name), len);
        nc->name[len] = '\0';
        nc->name_len = len;
    }
    cseg_pg::registry_active_model(nc->schema, nc->name, mcxt, &nc->active, fn);
    return nc;
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_model_by_name);
PG_FUNCTION_INFO_V1(seg_assign_name);
PG_FUNCTION_INFO_V1(seg_assign_name_mixed);

// seg_model(text) -> the active version's model; 42704 when the name has none (as the
// current user sees the registry). A copy per call: the caller owns what it is given.
Datum seg_model_by_name(PG_FUNCTION_ARGS) {
    NameCache* nc = name_cache(fcinfo, PG_GETARG_TEXT_PP(0), "seg_model");
    const cseg_pg::ModelCache* c = nc->active.model;
    void* out = palloc(c->raw_len);
    memcpy(out, c->raw, c->raw_len);
    PG_RETURN_POINTER(out);
}

// seg_assign(text, float8[]) -> cluster of the active model, or NULL for incomplete rows.
Datum seg_assign_name(PG_FUNCTION_ARGS) {
    NameCache* nc = name_cache(fcinfo, PG_GETARG_TEXT_PP(0), "seg_assign");
    cseg_pg::ModelCache* c = nc->active.model;
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

// seg_assign(text, float8[], text[]) -> cluster of the active model of a categorical kind
// (k-prototypes), or NULL for incomplete rows.
Datum seg_assign_name_mixed(PG_FUNCTION_ARGS) {
    NameCache* nc = name_cache(fcinfo, PG_GETARG_TEXT_PP(0), "seg_assign");
    cseg_pg::ModelCache* c = nc->active.model;
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

}  // extern "C"
