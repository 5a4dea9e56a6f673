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

-- A regclass argument naming a dropped relation prints as a number, which made the queries of
-- the functions reading it syntax errors: seg_feature_columns, which each of them calls before
-- it reads the source, checks it here.
CREATE FUNCTION seg_require_relation(source regclass, caller text) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IS NOT NULL AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = source) THEN
        RAISE EXCEPTION '%: no relation has OID % (a dropped table?)', caller, source::oid
            USING ERRCODE = 'undefined_table';
    END IF;
END
$$;
COMMENT ON FUNCTION seg_require_relation(regclass, text) IS
    'Raises 42P01 naming the caller when a regclass argument names no relation (internal)';
