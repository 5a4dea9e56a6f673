// seg_assign and seg_distance: label one customer with a model of any kind (decoded once per
// query): by numbers (segmodel, float8[]) or by numbers and categories (segmodel, float8[],
// text[]); the kind says which it takes (model_kind.hpp) and how it labels and measures.
#include "guard.hpp"
#include "model_point.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_assign_model);
PG_FUNCTION_INFO_V1(seg_distance_model);
PG_FUNCTION_INFO_V1(seg_assign_kprototypes);
PG_FUNCTION_INFO_V1(seg_distance_kprototypes);

// seg_assign(segmodel, float8[]) -> cluster 0..k-1, or NULL for incomplete rows.
Datum seg_assign_model(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

// seg_distance(segmodel, float8[]) -> the kind's distance to the assigned cluster (k-means:
// Euclidean to the centroid, scaled space).
Datum seg_distance_model(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_distance")) PG_RETURN_NULL();
    double distance;
    cseg_pg::model_cache_assign(c, &distance);
    PG_RETURN_FLOAT8(distance);
}

// seg_assign(segmodel, float8[], text[]) -> cluster 0..k-1, or NULL for incomplete rows.
Datum seg_assign_kprototypes(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_assign")) PG_RETURN_NULL();
    PG_RETURN_INT32(cseg_pg::model_cache_assign(c, nullptr));
}

// seg_distance(segmodel, float8[], text[]) -> the kind's distance to the assigned cluster
// (k-prototypes: sqrt(squared numeric distance + gamma * mismatches)).
Datum seg_distance_kprototypes(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_distance")) PG_RETURN_NULL();
    double distance;
    cseg_pg::model_cache_assign(c, &distance);
    PG_RETURN_FLOAT8(distance);
}

}  // extern "C"
