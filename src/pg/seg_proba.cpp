// seg_proba(segmodel, float8[]) -> float8[]: P(cluster | row) for the kinds that have it.
#include "guard.hpp"
#include "model_point.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_proba);

// One probability per cluster (cluster order), summing to 1; NULL for an incomplete row the
// model does not impute. Kinds without probabilities: 22023 naming the kinds that have them.
Datum seg_proba(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    cseg_pg::require_model_operation(c, cseg::ModelOperation::Proba, "seg_proba");
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_proba")) PG_RETURN_NULL();
    const int32 k = c->view.k;
    Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * size_t(k)));
    double* p = static_cast<double*>(palloc(sizeof(double) * size_t(k)));
    cseg_pg::guarded([&] {
        c->kind->proba(c->view, c->prepared, cseg::ModelRow{c->scratch, c->codes}, p);
        return 0;
    });
    for (int32 i = 0; i < k; ++i) values[i] = Float8GetDatum(p[i]);
    ArrayType* out = construct_array(values, k, FLOAT8OID, sizeof(double), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    PG_RETURN_ARRAYTYPE_P(out);
}

}  // extern "C"
