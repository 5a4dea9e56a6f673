// seg_kinds(): the model kinds this build knows (the family's registry, model_kind.hpp), for
// seg_train's "algorithm" option and for users; seg_kind_options(algorithm): the option keys
// of a kind's fit aggregate, for seg_train's message on an unknown key.
#include <string>
#include <vector>

#include "guard.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "pg.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_kinds);

// Returns TABLE(algorithm text, fit_function text, categorical boolean, operations text[]).
Datum seg_kinds(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const int32 n = cseg_pg::guarded([] { return int32(cseg::model_kinds().size()); });
    for (int32 i = 0; i < n; ++i) {
        struct Row {
            const char* name;
            const char* fit;
            bool categorical;
            bool takes[cseg::kModelOperationCount];
        };
        const Row r = cseg_pg::guarded([&] {
            const cseg::ModelKind* k = cseg::model_kinds()[size_t(i)];
            Row out{k->name(), k->fit_function(), k->categorical(), {}};
            for (int32 op = 0; op < cseg::kModelOperationCount; ++op)
                out.takes[op] = k->takes(cseg::ModelOperation(op));
            return out;
        });
        static const char* const kOperation[cseg::kModelOperationCount] = {
            "assign", "assign_mixed", "modes", "proba", "dendrogram"};
        Datum ops[cseg::kModelOperationCount];
        int32 n_ops = 0;
        for (int32 op = 0; op < cseg::kModelOperationCount; ++op)
            if (r.takes[op]) ops[n_ops++] = CStringGetTextDatum(kOperation[op]);
        Datum values[4] = {CStringGetTextDatum(r.name), CStringGetTextDatum(r.fit),
                           BoolGetDatum(r.categorical),
                           PointerGetDatum(construct_array(ops, n_ops, TEXTOID, -1, false,
                                                           TYPALIGN_INT))};
        bool nulls[4] = {false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum)0;
}

PG_FUNCTION_INFO_V1(seg_kind_options);

// Returns the option keys (text[]) the fit aggregate of kind `algorithm` takes; 22023 for an
// unknown kind.
Datum seg_kind_options(PG_FUNCTION_ARGS) {
    const char* name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    struct Keys {
        const char** keys;  // static strings of kOptionFields
        int32 n;
    };
    const Keys k = cseg_pg::guarded([name] {
        const cseg::ModelKind* kind = cseg::find_model_kind(name);
        if (kind == nullptr)
            throw cseg::Error(cseg::ErrorKind::InvalidParameter,
                              "seg_kind_options: unknown algorithm \"" + std::string(name) + "\"");
        const std::vector<const char*> v = cseg::model_option_keys(kind->algorithm());
        Keys out{static_cast<const char**>(cseg_pg::alloc_nothrow(sizeof(char*) * v.size())),
                 int32(v.size())};
        for (size_t i = 0; i < v.size(); ++i) out.keys[i] = v[i];
        return out;
    });
    Datum* items = static_cast<Datum*>(palloc(sizeof(Datum) * (size_t(k.n) + 1)));
    for (int32 i = 0; i < k.n; ++i) items[i] = CStringGetTextDatum(k.keys[i]);
    PG_RETURN_ARRAYTYPE_P(construct_array(items, k.n, TEXTOID, -1, false, TYPALIGN_INT));
}

}  // extern "C"
