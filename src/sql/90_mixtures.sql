-- Gaussian mixtures and density clusters (DBSCAN)
CREATE FUNCTION gmm_fit_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION gmm_fit_trans(internal, float8[], int) IS
    'Aggregate support: gmm_fit transition';
CREATE FUNCTION gmm_fit_trans(internal, float8[], int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION gmm_fit_trans(internal, float8[], int, jsonb) IS
    'Aggregate support: gmm_fit transition with options';
CREATE FUNCTION gmm_fit_final(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION gmm_fit_final(internal) IS 'Aggregate support: gmm_fit final';

CREATE AGGREGATE gmm_fit(float8[], int) (
    SFUNC = gmm_fit_trans, STYPE = internal,
    FINALFUNC = gmm_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE gmm_fit(float8[], int) IS
    'Fits a Gaussian mixture segmentation model (EM, full covariances) with default options';
CREATE AGGREGATE gmm_fit(float8[], int, jsonb) (
    SFUNC = gmm_fit_trans, STYPE = internal,
    FINALFUNC = gmm_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE gmm_fit(float8[], int, jsonb) IS
    'Fits a Gaussian mixture segmentation model; options: covariance, init, n_init, max_iter, '
    'tol, reg_covar, init_candidates, seed, scale, missing, feature_names';

CREATE FUNCTION seg_proba(segmodel, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_proba' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_proba(segmodel, float8[]) IS
    'P(cluster | customer) under a Gaussian mixture model, one value per cluster, summing to 1; '
    'NULL when a feature is missing and the model does not impute';

CREATE FUNCTION dbscan_fit_trans(internal, float8[], float8, int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION dbscan_fit_trans(internal, float8[], float8, int) IS
    'Aggregate support: dbscan_fit transition';
CREATE FUNCTION dbscan_fit_trans(internal, float8[], float8, int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION dbscan_fit_trans(internal, float8[], float8, int, jsonb) IS
    'Aggregate support: dbscan_fit transition with options';
CREATE FUNCTION dbscan_fit_final(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION dbscan_fit_final(internal) IS 'Aggregate support: dbscan_fit final';

CREATE AGGREGATE dbscan_fit(float8[], float8, int) (
    SFUNC = dbscan_fit_trans, STYPE = internal,
    FINALFUNC = dbscan_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dbscan_fit(float8[], float8, int) IS
    'Fits a DBSCAN density clustering model (eps in the scaled space, min_samples counting '
    'the row itself); noise rows are labelled -1';
CREATE AGGREGATE dbscan_fit(float8[], float8, int, jsonb) (
    SFUNC = dbscan_fit_trans, STYPE = internal,
    FINALFUNC = dbscan_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dbscan_fit(float8[], float8, int, jsonb) IS
    'Fits a DBSCAN density clustering model; options: scale, missing, feature_names';
