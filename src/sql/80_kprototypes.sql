-- K-prototypes: customers with numeric and categorical attributes (Huang 1997, 1998)
CREATE FUNCTION kprototypes_fit_trans(internal, float8[], text[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kprototypes_fit_trans(internal, float8[], text[], int) IS
    'Aggregate support: kprototypes_fit transition';
CREATE FUNCTION kprototypes_fit_trans(internal, float8[], text[], int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kprototypes_fit_trans(internal, float8[], text[], int, jsonb) IS
    'Aggregate support: kprototypes_fit transition with options';
CREATE FUNCTION kprototypes_fit_final(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION kprototypes_fit_final(internal) IS
    'Aggregate support: kprototypes_fit final';

-- No partial (parallel) aggregation: the state holds category texts that would have to be
-- merged; the scan below the aggregate can still run in parallel workers.
CREATE AGGREGATE kprototypes_fit(float8[], text[], int) (
    SFUNC = kprototypes_fit_trans, STYPE = internal,
    FINALFUNC = kprototypes_fit_final, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kprototypes_fit(float8[], text[], int) IS
    'Fits a k-prototypes segmentation model (numeric and categorical attributes) with '
    'default options';
CREATE AGGREGATE kprototypes_fit(float8[], text[], int, jsonb) (
    SFUNC = kprototypes_fit_trans, STYPE = internal,
    FINALFUNC = kprototypes_fit_final, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kprototypes_fit(float8[], text[], int, jsonb) IS
    'Fits a k-prototypes segmentation model; options: scale, init, n_init, max_iter, seed, '
    'missing, feature_names, gamma, categorical_names';

CREATE FUNCTION seg_assign(segmodel, float8[], text[]) RETURNS int
    AS 'MODULE_PATHNAME', 'seg_assign_kprototypes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_assign(segmodel, float8[], text[]) IS
    'Cluster number (0 = largest segment) of a customer''s numbers and categories under a '
    'k-prototypes model; an unseen category matches no mode; NULL when a value is missing '
    'and the model does not impute';
CREATE FUNCTION seg_distance(segmodel, float8[], text[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'seg_distance_kprototypes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_distance(segmodel, float8[], text[]) IS
    'sqrt(squared scaled distance + gamma * mismatched categories) from a customer to its '
    'k-prototypes prototype';
CREATE FUNCTION seg_modes(model segmodel,
                          OUT cluster int, OUT feature text, OUT mode text, OUT share float8)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_modes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION seg_modes(segmodel) IS
    'One row per k-prototypes cluster and categorical attribute: the most frequent category '
    'and the share of the cluster''s training rows that have it; unnamed attributes are '
    'categorical_1, ...';
