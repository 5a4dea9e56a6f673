-- Comparing algorithms: k-means, Ward and a Gaussian mixture per k and DBSCAN once, on one
-- read of the table, scored alike (PyCaret's compare_models, in SQL).
CREATE TYPE seg_compare_row AS (
    algorithm text,
    k int,
    silhouette float8,
    davies_bouldin float8,
    calinski_harabasz float8,
    bic float8,
    n_noise bigint,
    seconds float8,
    model segmodel,
    warning text
);
COMMENT ON TYPE seg_compare_row IS
    'One model of a comparison: its kind and number of clusters, silhouette, Davies-Bouldin '
    'and Calinski-Harabasz of the training rows labelled by seg_assign (scaled space, noise '
    'left out; NULL where undefined), the mixture''s BIC (else NULL), rows in no cluster, '
    'seconds to fit, the model, and a warning (NULL when fine: the sweep''s rule)';

CREATE FUNCTION seg_compare_trans(internal, float8[], int, int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_compare_trans(internal, float8[], int, int, jsonb) IS
    'Aggregate support: seg_compare_rows transition';
CREATE FUNCTION seg_compare_final(internal) RETURNS seg_compare_row[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_compare_final(internal) IS 'Aggregate support: seg_compare_rows final';

CREATE AGGREGATE seg_compare_rows(features float8[], k_min int, k_max int, options jsonb) (
    SFUNC = seg_compare_trans, STYPE = internal,
    FINALFUNC = seg_compare_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_compare_rows(float8[], int, int, jsonb) IS
    'seg_compare over rows of numbers: one seg_compare_row per model, use with unnest()';

CREATE FUNCTION seg_compare(source regclass, features text[], k_min int, k_max int,
                            options jsonb DEFAULT '{}')
    RETURNS TABLE(algorithm text, k int, silhouette float8, davies_bouldin float8,
                  calinski_harabasz float8, bic float8, n_noise bigint, seconds float8,
                  model segmodel, warning text)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    opts jsonb := coalesce(seg_compare.options, '{}');
    columns text;
BEGIN
    IF seg_compare.source IS NULL THEN
        RAISE EXCEPTION 'seg_compare: source must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'seg_compare: options must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT opts ? 'feature_names' THEN
        opts := opts || jsonb_build_object('feature_names', to_jsonb(seg_compare.features));
    END IF;
    -- Column names are quoted; the caller's rights apply to reading the source.
    columns := @extschema@.seg_feature_columns('seg_compare', seg_compare.source,
                                               seg_compare.features);
    RETURN QUERY EXECUTE format(
        'SELECT s.* FROM unnest((SELECT %s.seg_compare_rows(ARRAY[%s], $1, $2, $3) '
        'FROM %s)) s',
        '@extschema@', columns, seg_compare.source)
        USING seg_compare.k_min, seg_compare.k_max, opts;
END
$$;
COMMENT ON FUNCTION seg_compare(regclass, text[], int, int, jsonb) IS
    'k-means, Ward hierarchical and a Gaussian mixture for every k from k_min to k_max and '
    'DBSCAN once (eps / min_samples from the options, else the k-distance knee rule), on one '
    'read of the named columns, scored alike: one row per model, ready to chart';
