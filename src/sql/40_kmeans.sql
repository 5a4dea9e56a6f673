-- K-means
CREATE FUNCTION kmeans_fit_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_fit_trans(internal, float8[], int) IS
    'Aggregate support: kmeans_fit transition';
CREATE FUNCTION kmeans_fit_trans(internal, float8[], int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_fit_trans(internal, float8[], int, jsonb) IS
    'Aggregate support: kmeans_fit transition with options';
CREATE FUNCTION kmeans_fit_final(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_fit_final(internal) IS 'Aggregate support: kmeans_fit final';

CREATE AGGREGATE kmeans_fit(float8[], int) (
    SFUNC = kmeans_fit_trans, STYPE = internal,
    FINALFUNC = kmeans_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_fit(float8[], int) IS
    'Fits a k-means segmentation model with default options';
CREATE AGGREGATE kmeans_fit(float8[], int, jsonb) (
    SFUNC = kmeans_fit_trans, STYPE = internal,
    FINALFUNC = kmeans_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_fit(float8[], int, jsonb) IS
    'Fits a k-means segmentation model; options: scale, init, n_init, max_iter, tol, seed, '
    'missing, feature_names';

CREATE FUNCTION seg_assign(segmodel, float8[]) RETURNS int
    AS 'MODULE_PATHNAME', 'seg_assign_model' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_assign(segmodel, float8[]) IS
    'Cluster number (0 = largest segment) of a customer''s features; NULL when a feature is '
    'missing and the model does not impute';
CREATE FUNCTION seg_distance(segmodel, float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'seg_distance_model' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_distance(segmodel, float8[]) IS
    'Euclidean distance (scaled space) from a customer to its assigned centroid';
CREATE FUNCTION seg_centroids(model segmodel,
                              OUT cluster int, OUT size bigint, OUT centroid float8[])
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_centroids' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION seg_centroids(segmodel) IS
    'One row per cluster: number, training size and centroid in original units';
