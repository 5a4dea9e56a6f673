-- Retraining: how many customers change segment between two models
CREATE FUNCTION seg_diff_trans(internal, segmodel, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_diff_trans(internal, segmodel, segmodel, float8[]) IS
    'Aggregate support: seg_diff transition (old x new segment counts)';
CREATE FUNCTION seg_diff_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_diff_combine(internal, internal) IS
    'Aggregate support: merges two partial seg_diff states';
CREATE FUNCTION seg_diff_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_diff_serialize(internal) IS
    'Aggregate support: a partial seg_diff state as bytea';
CREATE FUNCTION seg_diff_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_diff_deserialize(bytea, internal) IS
    'Aggregate support: a partial seg_diff state from bytea';
CREATE FUNCTION seg_diff_final(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_diff_final(internal) IS 'Aggregate support: seg_diff report';

CREATE AGGREGATE seg_diff(old segmodel, new segmodel, features float8[]) (
    SFUNC = seg_diff_trans, STYPE = internal, FINALFUNC = seg_diff_final,
    COMBINEFUNC = seg_diff_combine, SERIALFUNC = seg_diff_serialize,
    DESERIALFUNC = seg_diff_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_diff(segmodel, segmodel, float8[]) IS
    'Labels every row with both models (as seg_assign): rows, unlabelled, changed, '
    'changed_share (rows whose segment number differs) and transitions [{old, new, rows}]';
