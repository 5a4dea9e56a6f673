-- Choosing k: one statement fits every k of a range on one read of the table and judges it.
CREATE TYPE seg_sweep_row AS (
    k int,
    inertia float8,
    silhouette float8,
    davies_bouldin float8,
    calinski_harabasz float8,
    elbow bool,
    best_silhouette bool,
    model segmodel,
    warning text
);
COMMENT ON TYPE seg_sweep_row IS
    'One k of a sweep: inertia, silhouette, Davies-Bouldin, Calinski-Harabasz (scaled space; '
    'NULL where undefined, e.g. k = 1), whether k is the Kneedle elbow of inertia and whether '
    'it has the best silhouette, the fitted model (= kmeans_fit(features, k, options)), and a '
    'warning (NULL when fine): a cluster under 1 % of the rows, a silhouette below 0.25';

CREATE FUNCTION kmeans_sweep_trans(internal, float8[], int, int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_sweep_trans(internal, float8[], int, int) IS
    'Aggregate support: kmeans_sweep transition';
CREATE FUNCTION kmeans_sweep_trans(internal, float8[], int, int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_sweep_trans(internal, float8[], int, int, jsonb) IS
    'Aggregate support: kmeans_sweep transition with options';
CREATE FUNCTION kmeans_sweep_final(internal) RETURNS seg_sweep_row[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_sweep_final(internal) IS 'Aggregate support: kmeans_sweep final';

CREATE AGGREGATE kmeans_sweep(features float8[], k_min int, k_max int) (
    SFUNC = kmeans_sweep_trans, STYPE = internal,
    FINALFUNC = kmeans_sweep_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_sweep(float8[], int, int) IS
    'Fits k-means for every k from k_min to k_max on one read of the rows and scores each: '
    'one seg_sweep_row per k, use with unnest()';
CREATE AGGREGATE kmeans_sweep(features float8[], k_min int, k_max int, options jsonb) (
    SFUNC = kmeans_sweep_trans, STYPE = internal,
    FINALFUNC = kmeans_sweep_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_sweep(float8[], int, int, jsonb) IS
    'kmeans_sweep with options: every kmeans_fit option, plus silhouette_sample (exact up to '
    'this many rows, a seeded sample of this many above; default 10000, null = always exact) '
    'and elbow_sensitivity (Kneedle S, default 1)';

CREATE FUNCTION seg_sweep(source regclass, features text[], k_min int, k_max int,
                          options jsonb DEFAULT '{}')
    RETURNS SETOF seg_sweep_row LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    opts jsonb := coalesce(seg_sweep.options, '{}');
    columns text;
BEGIN
    IF seg_sweep.source IS NULL THEN
        RAISE EXCEPTION 'seg_sweep: source must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'seg_sweep: options must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT opts ? 'feature_names' THEN
        opts := opts || jsonb_build_object('feature_names', to_jsonb(seg_sweep.features));
    END IF;
    -- Column names are quoted; the caller's rights apply to reading the source.
    columns := @extschema@.seg_feature_columns('seg_sweep', seg_sweep.source, seg_sweep.features);
    RETURN QUERY EXECUTE format(
        'SELECT s.* FROM unnest((SELECT %s.kmeans_sweep(ARRAY[%s], $1, $2, $3) FROM %s)) s',
        '@extschema@', columns, seg_sweep.source)
        USING seg_sweep.k_min, seg_sweep.k_max, opts;
END
$$;
COMMENT ON FUNCTION seg_sweep(regclass, text[], int, int, jsonb) IS
    'kmeans_sweep over the named columns of a table or view (caller''s rights; column names '
    'become the models'' feature_names): one row per k, ready to chart';
