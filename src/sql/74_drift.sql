-- Drift of today's customers against the training data
CREATE FUNCTION seg_drift_trans(internal, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_trans(internal, segmodel, float8[]) IS
    'Aggregate support: seg_drift transition (per-segment counts and distance sums)';
CREATE FUNCTION seg_drift_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_combine(internal, internal) IS
    'Aggregate support: merges two partial seg_drift states';
CREATE FUNCTION seg_drift_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_serialize(internal) IS
    'Aggregate support: a partial seg_drift state as bytea';
CREATE FUNCTION seg_drift_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_deserialize(bytea, internal) IS
    'Aggregate support: a partial seg_drift state from bytea';
CREATE FUNCTION seg_drift_final(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_drift_final(internal) IS 'Aggregate support: seg_drift report';

CREATE AGGREGATE seg_drift(segmodel, float8[]) (
    SFUNC = seg_drift_trans, STYPE = internal, FINALFUNC = seg_drift_final,
    COMBINEFUNC = seg_drift_combine, SERIALFUNC = seg_drift_serialize,
    DESERIALFUNC = seg_drift_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_drift(segmodel, float8[]) IS
    'Compares the rows with the model''s training data: segment shares now vs at training, '
    'population stability index (verdict: stable < 0.1 <= moderate shift < 0.25 <= major '
    'shift), mean distance to the centroid now vs at training';
