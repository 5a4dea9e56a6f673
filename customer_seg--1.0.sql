-- customer_seg 1.0: types, scaling, k-means fit and labelling.
\echo Use "CREATE EXTENSION customer_seg" to load this file. \quit

------------------------------------------------------------------------------------------
-- Types
------------------------------------------------------------------------------------------

CREATE TYPE segscaler;

CREATE FUNCTION segscaler_in(cstring) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_out(segscaler) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_recv(internal) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_send(segscaler) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE segscaler (
    INPUT = segscaler_in, OUTPUT = segscaler_out,
    RECEIVE = segscaler_recv, SEND = segscaler_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended
);
COMMENT ON TYPE segscaler IS
    'A fitted feature scaler: method plus per-feature center and scale; text form is JSON';

CREATE TYPE segmodel;

CREATE FUNCTION segmodel_in(cstring) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_out(segmodel) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_recv(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_send(segmodel) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE segmodel (
    INPUT = segmodel_in, OUTPUT = segmodel_out,
    RECEIVE = segmodel_recv, SEND = segmodel_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended
);
COMMENT ON TYPE segmodel IS
    'A fitted segmentation model: scaler, centroids in scaled space, feature names, '
    'training statistics and options; text form is JSON';

-- JSON views of both types, e.g. (m::jsonb)->>'inertia', and back.
CREATE CAST (segmodel AS jsonb) WITH INOUT;
CREATE CAST (jsonb AS segmodel) WITH INOUT;
CREATE CAST (segscaler AS jsonb) WITH INOUT;
CREATE CAST (jsonb AS segscaler) WITH INOUT;

------------------------------------------------------------------------------------------
-- Aggregate support shared by every row-buffering aggregate (parallel query)
------------------------------------------------------------------------------------------

CREATE FUNCTION seg_rows_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_rows_combine(internal, internal) IS
    'Aggregate support: merges two partial row buffers';
CREATE FUNCTION seg_rows_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_rows_serialize(internal) IS
    'Aggregate support: a partial row buffer as bytea';
CREATE FUNCTION seg_rows_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_rows_deserialize(bytea, internal) IS
    'Aggregate support: a partial row buffer from bytea';

------------------------------------------------------------------------------------------
-- Scaling
------------------------------------------------------------------------------------------

CREATE FUNCTION scaler_fit_trans(internal, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_trans(internal, float8[]) IS
    'Aggregate support: scaler_fit transition';
CREATE FUNCTION scaler_fit_trans(internal, float8[], text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_trans(internal, float8[], text) IS
    'Aggregate support: scaler_fit transition with a method';
CREATE FUNCTION scaler_fit_final(internal) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_final(internal) IS 'Aggregate support: scaler_fit final';

CREATE AGGREGATE scaler_fit(float8[]) (
    SFUNC = scaler_fit_trans, STYPE = internal,
    FINALFUNC = scaler_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE scaler_fit(float8[]) IS
    'Fits a standard scaler (mean, population std) on the feature arrays';
CREATE AGGREGATE scaler_fit(float8[], text) (
    SFUNC = scaler_fit_trans, STYPE = internal,
    FINALFUNC = scaler_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE scaler_fit(float8[], text) IS
    'Fits a scaler: method standard, minmax, robust or none';

CREATE FUNCTION seg_scale(segscaler, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_scale_scaler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_scale(segscaler, float8[]) IS
    'Scales a feature array: (x - center) / scale; NULL elements stay NULL';
CREATE FUNCTION seg_unscale(segscaler, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_unscale_scaler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_unscale(segscaler, float8[]) IS
    'Maps a scaled feature array back to original units: x * scale + center';
CREATE FUNCTION seg_scale(segmodel, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_scale_model' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_scale(segmodel, float8[]) IS
    'Scales a feature array with the model''s own scaler';

------------------------------------------------------------------------------------------
-- K-means
------------------------------------------------------------------------------------------

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
