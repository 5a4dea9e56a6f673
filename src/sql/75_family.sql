-- The model family: which kinds this build knows, and the registry's seg_assign for kinds
-- whose rows carry categories.
CREATE FUNCTION seg_kinds(OUT algorithm text, OUT fit_function text, OUT categorical boolean,
                          OUT operations text[])
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_kinds' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_kinds() IS
    'The model kinds (JSON "algorithm") this build knows: the aggregate that fits each, whether '
    'its rows carry categorical attributes, and the operations beyond the common ones it takes '
    '(assign: seg_assign(segmodel, float8[]); assign_mixed: seg_assign(segmodel, float8[], '
    'text[]); modes; proba; dendrogram)';
CREATE FUNCTION seg_kind_options(algorithm text) RETURNS text[]
    AS 'MODULE_PATHNAME', 'seg_kind_options' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_kind_options(text) IS
    'Internal: the option keys the fit aggregate of a kind (seg_kinds().algorithm) takes, for '
    'seg_train''s message on an unknown option';
CREATE FUNCTION seg_assign(name text, numbers float8[], categorical text[]) RETURNS int
    AS 'MODULE_PATHNAME', 'seg_assign_name_mixed' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_assign(text, float8[], text[]) IS
    'Cluster number of a customer''s numbers and categories under the active version of a '
    'named model of a categorical kind (k-prototypes); NULL when a value is missing and the '
    'model does not impute';

-- silhouette with a model of a categorical kind (k-prototypes): rows labelled as
-- seg_assign(model, numbers, categorical) and scored under the model's own mixed
-- dissimilarity sqrt(squared scaled numeric distance + gamma * differing categories). Only
-- the form with options exists: a three-argument (segmodel, float8[], text[]) form would make
-- silhouette(model, features, '{"sample_size": ...}') ambiguous (text[] or jsonb).
CREATE FUNCTION silhouette_model_mixed_trans(internal, segmodel, float8[], text[], jsonb)
    RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_model_mixed_trans(internal, segmodel, float8[], text[], jsonb) IS
    'Aggregate support: silhouette(segmodel, float8[], text[], jsonb) transition';
CREATE FUNCTION silhouette_model_mixed_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_model_mixed_final(internal) IS
    'Aggregate support: silhouette(segmodel, float8[], text[], jsonb) final';
CREATE AGGREGATE silhouette(model segmodel, numbers float8[], categorical text[],
                            options jsonb) (
    SFUNC = silhouette_model_mixed_trans, STYPE = internal,
    FINALFUNC = silhouette_model_mixed_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette(segmodel, float8[], text[], jsonb) IS
    'Mean silhouette of the customers as a k-prototypes model segments them (labelled as '
    'seg_assign), under the model''s dissimilarity sqrt(squared scaled numeric distance + '
    'gamma * differing categories), an unseen category differing from every category; options '
    '''{}'' or {"sample_size": N, "seed": S} as for silhouette(features, label, options)';

-- seg_drift for a model of a categorical kind (k-prototypes): rows labelled by their numbers
-- and categories; distances are the kind's (sqrt of the mixed cost).
CREATE FUNCTION seg_drift_trans(internal, segmodel, float8[], text[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_trans(internal, segmodel, float8[], text[]) IS
    'Aggregate support: seg_drift(segmodel, float8[], text[]) transition';
CREATE AGGREGATE seg_drift(model segmodel, numbers float8[], categorical text[]) (
    SFUNC = seg_drift_trans, STYPE = internal, FINALFUNC = seg_drift_final,
    COMBINEFUNC = seg_drift_combine, SERIALFUNC = seg_drift_serialize,
    DESERIALFUNC = seg_drift_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_drift(segmodel, float8[], text[]) IS
    'seg_drift for a k-prototypes model: segment shares and population stability index now '
    'vs at training, mean distance (sqrt of the mixed cost) to the prototype now vs at '
    'training';
