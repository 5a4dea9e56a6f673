// seg_assign and seg_distance for k-prototypes models: label one customer by numbers and
// categories (the model is decoded once per query).
#include <cmath>

#include "guard.hpp"
#include "kprototypes.hpp"
#include "model_point.hpp"

namespace {

// Nearest prototype of the prepared row; its mixed cost goes to *cost.
int32 nearest(const cseg_pg::ModelCache* c, double* cost) {
    const cseg::ModelView& m = c->view;
    return cseg_pg::guarded([&] {
        return cseg::nearest_prototype(c->scratch, c->codes, m.centroids, m.modes, m.k, m.dims,
                                       m.cat_dims, m.gamma, cost);
    });
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_assign_kprototypes);
PG_FUNCTION_INFO_V1(seg_distance_kprototypes);

// seg_assign(segmodel, float8[], text[]) -> cluster 0..k-1, or NULL for incomplete rows.
Datum seg_assign_kprototypes(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_assign")) PG_RETURN_NULL();
    double cost;
    PG_RETURN_INT32(nearest(c, &cost));
}

// seg_distance(segmodel, float8[], text[]) -> sqrt(squared numeric distance + gamma *
// mismatches) to the assigned prototype.
Datum seg_distance_kprototypes(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (!cseg_pg::model_mixed_point(fcinfo, c, 1, 2, "seg_distance")) PG_RETURN_NULL();
    double cost;
    nearest(c, &cost);
    PG_RETURN_FLOAT8(std::sqrt(cost));
}

}  // extern "C"
