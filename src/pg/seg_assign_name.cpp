// seg_assign(name text, features float8[]): label with the active version of a named model.
// Each call site looks the model up once per statement (the statement's snapshot, so a
// version activated and committed before the statement started is seen; see
// registry_active_model) and keeps the decoded model for the rows of that statement.
#include <cstring>

#include "guard.hpp"
#include "model_point.hpp"
#include "registry_lookup.hpp"

namespace {

// Per call site: the name looked up, for which statement, and the result.
struct NameCache {
    Oid schema;
    bool valid;
    cseg_pg::StatementKey stmt;
    int32 name_len;
    char* name;  // name_len bytes, plus a terminating NUL
    cseg_pg::ActiveModel active;
};

// The call site's cache, refreshed when the statement or the name changed.
NameCache* name_cache(FunctionCallInfo fcinfo, const text* name) {
    MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
    auto* nc = static_cast<NameCache*>(fcinfo->flinfo->fn_extra);
    if (nc == nullptr) {
        nc = static_cast<NameCache*>(MemoryContextAllocZero(mcxt, sizeof(NameCache)));
        nc->schema = cseg_pg::extension_schema_of(fcinfo->flinfo->fn_oid);
        fcinfo->flinfo->fn_extra = nc;
    }
    const int32 len = VARSIZE_ANY_EXHDR(name);
    const cseg_pg::StatementKey now = cseg_pg::current_statement();
    if (nc->valid && cseg_pg::same_statement(nc->stmt, now) && nc->name_len == len &&
        memcmp(nc->name, VARDATA_ANY(name), len) == 0)
        return nc;
    nc->valid = false;
    if (nc->name_len != len || nc->name == nullptr || memcmp(nc->name, VARDATA_ANY(name), len) != 0)
        nc->active.relid = InvalidOid;  // another name: the cached row says nothing about it
    if (nc->name != nullptr) pfree(nc->name);
    nc->name = static_cast<char*>(MemoryContextAlloc(mcxt, len + 1));
    memcpy(nc->name, VARDATA_ANY(name), len);
    nc->name[len] = '\0';
    nc->name_len = len;
    cseg_pg::registry_active_model(nc->schema, nc->name, mcxt, &nc->active, "seg_assign");
    nc->stmt = now;
    nc->valid = true;
    return nc;
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_assign_name);
PG_FUNCTION_INFO_V1(seg_assign_name_mixed);

// seg_assign(text, float8[]) -> cluster of the active model, or NULL for incomplete rows.
Datum seg_assign_name(PG_FUNCTION_ARGS) {
    NameCache* nc = name_cache(fcinfo, PG_GETARG_TEXT_PP(0));
    cseg_pg::ModelCache* c = nc->active.model;
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

// seg_assign(text, float8[], text[]) -> cluster of the active model of a categorical kind
// (k-prototypes), or NULL for incomplete rows.
Datum seg_assign_name_mixed(PG_FUNCTION_ARGS) {
    NameCache* nc = name_cache(fcinfo, PG_GETARG_TEXT_PP(0));
    cseg_pg::ModelCache* c = nc->active.model;
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

}  // extern "C"
