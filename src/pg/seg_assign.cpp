// seg_assign and seg_distance: label one customer with a model (decoded once per query).
#include <cmath>

#include "distance.hpp"
#include "guard.hpp"
#include "model_point.hpp"

namespace {

// Nearest centroid of the prepared point; its squared distance goes to *sq.
int32 nearest(const cseg_pg::ModelCache* c, double* sq) {
    return cseg_pg::guarded([&] { return cseg_pg::model_cache_nearest(c, c->scratch, sq); });
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_assign_model);
PG_FUNCTION_INFO_V1(seg_distance_model);

// seg_assign(segmodel, float8[]) -> cluster 0..k-1, or NULL for incomplete rows.
Datum seg_assign_model(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_assign")) PG_RETURN_NULL();
    double sq;
    PG_RETURN_INT32(nearest(c, &sq));
}

// seg_distance(segmodel, float8[]) -> Euclidean distance to the assigned centroid (scaled).
Datum seg_distance_model(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_point(fcinfo, c, 1, "seg_distance")) PG_RETURN_NULL();
    double sq;
    nearest(c, &sq);
    PG_RETURN_FLOAT8(std::sqrt(sq));
}

}  // extern "C"
