-- Aggregate support shared by every row-buffering aggregate (parallel query)
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
