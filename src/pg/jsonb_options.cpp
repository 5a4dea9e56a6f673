// jsonb options argument -> text.
#include "jsonb_options.hpp"

#include <cstring>

extern "C" {
#include "nodes/primnodes.h"
#include "utils/float.h"  // float8out_internal
}

namespace cseg_pg {

// Detoasts and prints the jsonb argument, defaulting to an empty object.
const char* jsonb_options_text(FunctionCallInfo fcinfo, int argno) {
    if (PG_NARGS() <= argno || PG_ARGISNULL(argno)) return "{}";
    Jsonb* jb = PG_GETARG_JSONB_P(argno);
    return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
}

namespace {

// The last options argument a call site saw (bytes and printed text), in fn_mcxt.
struct OptionsMemo {
    Size len;
    char* bytes;
    char* text;
    bool constant_checked;  // the argument is a constant (or parameter) and passed the check
};

}  // namespace

// True when transition-function argument `argno` (the aggregate's argument argno - 1: the
// state comes first) is a constant or a query parameter, the same on every row of the query.
bool aggregate_argument_is_constant(FunctionCallInfo fcinfo, int argno) {
    const Aggref* aggref = AggGetAggref(fcinfo);
    if (aggref == nullptr || argno < 1 || argno > list_length(aggref->args)) return false;
    const Node* e = reinterpret_cast<Node*>(
        static_cast<TargetEntry*>(list_nth(aggref->args, argno - 1))->expr);
    return IsA(e, Const) ||
           (IsA(e, Param) && reinterpret_cast<const Param*>(e)->paramkind == PARAM_EXTERN);
}

// Compares the printed options with the first row's, printing only bytes not seen last time.
void jsonb_options_check_same(FunctionCallInfo fcinfo, int argno, const char* first,
                              const char* fn, void** memo_slot) {
    const char* text = "{}";
    if (memo_slot == nullptr) memo_slot = &fcinfo->flinfo->fn_extra;
    auto* seen = static_cast<OptionsMemo*>(*memo_slot);
    if (seen != nullptr && seen->constant_checked) return;  // the same value on every row
    if (PG_NARGS() > argno && !PG_ARGISNULL(argno)) {
        Jsonb* jb = PG_GETARG_JSONB_P(argno);
        const Size len = VARSIZE(jb);
        auto* memo = seen;
        if (memo == nullptr || memo->len != len || memcmp(memo->bytes, jb, len) != 0) {
            MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
            if (memo == nullptr) {
                memo = static_cast<OptionsMemo*>(palloc0(sizeof(OptionsMemo)));
                *memo_slot = memo;
            }
            if (memo->bytes != nullptr) pfree(memo->bytes);
            if (memo->text != nullptr) pfree(memo->text);
            memo->bytes = nullptr;
            memo->text = JsonbToCString(nullptr, &jb->root, len);
            memo->bytes = static_cast<char*>(palloc(len));
            memcpy(memo->bytes, jb, len);
            memo->len = len;
            MemoryContextSwitchTo(old);
        }
        text = memo->text;
        // A constant or a query parameter cannot change between rows: checked once is enough.
        if (strcmp(text, first) == 0 && aggregate_argument_is_constant(fcinfo, argno))
            memo->constant_checked = true;
    }
    if (strcmp(text, first) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the options must be the same on every row of a group, got %s "
                               "and then %s",
                               fn, first, text),
                        errhint("Pass the options as a constant.")));
}

// Compares an int parameter with its first row's value.
void int_param_check_same(FunctionCallInfo fcinfo, int argno, int32 first, const char* what,
                          const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: %s must not be NULL", fn, what)));
    const int32 v = PG_GETARG_INT32(argno);
    if (v != first)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: %s must be the same on every row of a group, got %d and then "
                               "%d",
                               fn, what, first, v),
                        errhint("Pass %s as a constant.", what)));
}

// Compares a text parameter's bytes with its first row's value.
void text_param_check_same(FunctionCallInfo fcinfo, int argno, const char* first,
                           const char* what, const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: %s must not be NULL", fn, what)));
    const text* t = PG_GETARG_TEXT_PP(argno);
    const Size len = VARSIZE_ANY_EXHDR(t);
    if (len != strlen(first) || memcmp(VARDATA_ANY(t), first, len) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: %s must be the same on every row of a group, got \"%s\" and "
                               "then \"%s\"",
                               fn, what, first, text_to_cstring(t)),
                        errhint("Pass %s as a constant.", what)));
}

// As int_param_check_same, for a float8 parameter (printed as float8out does).
void float8_param_check_same(FunctionCallInfo fcinfo, int argno, double first, const char* what,
                             const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("%s: %s must not be NULL", fn, what)));
    const double v = PG_GETARG_FLOAT8(argno);
    if (!(v == first))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: %s must be the same on every row of a group, got %s and "
                               "then %s",
                               fn, what, float8out_internal(first), float8out_internal(v)),
                        errhint("Pass %s as a constant.", what)));
}

}  // namespace cseg_pg
