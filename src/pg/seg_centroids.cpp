// seg_centroids(segmodel): one row per cluster with its size and centroid in original units
// (unscaled, then through the inverse of each feature's transform).
#include "datum_codec.hpp"
#include "feature_pipeline.hpp"
#include "float8_array.hpp"
#include "guard.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_centroids);

// Returns TABLE(cluster int, size bigint, centroid float8[]).
Datum seg_centroids(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    const cseg::ModelView& m = c->view;
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (int32 cl = 0; cl < m.k; ++cl) {
        const double* centroid = m.centroids + static_cast<size_t>(cl) * m.dims;
        for (int32 j = 0; j < m.dims; ++j)
            c->scratch[j] = centroid[j] * m.scale[j] + m.center[j];
        /* Back through each feature's transform (profile.hpp: centroid_in_original_units). */
        cseg::inverse_transform_row(m.transform, m.lambdas, c->scratch, m.dims);
        Datum values[3] = {Int32GetDatum(cl), Int64GetDatum(m.sizes[cl]),
                           PointerGetDatum(cseg_pg::float8_array_build(c->scratch, m.dims))};
        bool nulls[3] = {false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}

}  // extern "C"
