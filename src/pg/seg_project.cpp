// seg_project(segmodel, float8[]) -> float8[]: a row's coordinates on the model's two principal
// components (the projection fitted with the model, pca.hpp), for BI tools and the map.
#include <cstring>

#include "datum_codec.hpp"
#include "guard.hpp"
#include "model_point.hpp"
#include "pca.hpp"

extern "C" {
#include "utils/array.h"
}

extern "C" {

PG_FUNCTION_INFO_V1(seg_project);

// Scales the row as seg_assign does, then projects it: (x - mean) . component for both axes.
// NULL when seg_assign would give NULL; 22023 for a model stored without a projection.
Datum seg_project(PG_FUNCTION_ARGS) {
    const char* fn = "seg_project";
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    if (c->view.projection == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the model has no projection", fn),
                        errdetail("%s", cseg::kNoProjectionDetail),
                        errhint("%s", cseg::kNoProjectionHint)));
    if (!cseg_pg::model_point(fcinfo, c, 1, fn)) PG_RETURN_NULL();
    const int32 d = c->view.dims;
    const uint8_t* tail = c->view.projection;  // variance[2], ratio[2], mean[d], comp[2d]
    double xy[2] = {0.0, 0.0};
    for (int a = 0; a < 2; ++a) {
        for (int32 j = 0; j < d; ++j) {
            double mean, comp;
            std::memcpy(&mean, tail + 8 * (4 + j), 8);
            std::memcpy(&comp, tail + 8 * (4 + d + a * d + j), 8);
            xy[a] += (c->scratch[j] - mean) * comp;
        }
    }
    Datum elems[2] = {Float8GetDatum(xy[0]), Float8GetDatum(xy[1])};
    PG_RETURN_ARRAYTYPE_P(
        construct_array(elems, 2, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

}  // extern "C"
