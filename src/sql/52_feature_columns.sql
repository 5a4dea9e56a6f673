-- A text feature column's value as double precision (::float8), or an error naming the caller,
-- the column and the table: seg_feature_columns reads text columns through it.
CREATE FUNCTION seg_text_feature(value text, caller text, feature text, source text)
    RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_text_feature(text, text, text, text) IS
    'Internal: value::float8, but text that is not a number is an error naming the caller, '
    'the feature column and the source (22P02, or 22003 out of range)';

-- A numeric feature column's value as double precision (::float8), or 22003 naming the caller,
-- the column and the table when it lies beyond double precision's range.
CREATE FUNCTION seg_numeric_feature(value numeric, caller text, feature text, source text)
    RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_numeric_feature(numeric, text, text, text) IS
    'Internal: value::float8, but a value beyond double precision''s range is an error naming '
    'the caller, the feature column and the source (22003)';

-- The named feature columns of a table or view, checked once for every function that reads
-- them (seg_train, kmeans_stream_fit, seg_sweep, seg_compare, seg_report, seg_rfm): a source
-- that names no relation is 42P01 (seg_require_relation); numbers cast to float8, or
-- (as_type 'text') k-prototypes' categorical columns, of any type, cast to text, or
-- (as_type 'timestamp') seg_rfm's dates as wall-clock times: a date or timestamp as written,
-- anything else (timestamptz, text) through timestamptz in the session's TimeZone.
CREATE FUNCTION seg_feature_columns(caller text, source regclass, features text[],
                                    as_type text DEFAULT 'float8')
    RETURNS text LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i int;
    column_type oid;
    base_type oid;
    near text;
    columns text[] := '{}';
BEGIN
    IF source IS NULL THEN
        RAISE EXCEPTION '%: source must not be NULL', caller
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM @extschema@.seg_require_relation(source, caller);
    IF as_type IS NULL OR as_type NOT IN ('float8', 'text', 'timestamp') THEN
        RAISE EXCEPTION '%: as_type must be float8, text or timestamp', caller
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(cardinality(features), 0) = 0 OR array_position(features, NULL) IS NOT NULL THEN
        RAISE EXCEPTION '%: features must list at least one column name, without NULLs', caller
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 1 .. cardinality(features) LOOP
        IF array_position(features, features[i]) < i THEN
            RAISE EXCEPTION '%: column "%" is listed twice in %', caller, features[i],
                            CASE as_type WHEN 'text' THEN '"categorical_features"' ELSE 'features' END
                USING ERRCODE = 'duplicate_column',
                      DETAIL = 'A repeated column would count twice in every distance.';
        END IF;
        SELECT a.atttypid INTO column_type FROM pg_attribute a
        WHERE a.attrelid = source AND a.attname = features[i] AND a.attnum > 0
          AND NOT a.attisdropped;
        IF column_type IS NULL THEN
            SELECT string_agg(format('%I', a.attname), ', ') INTO near FROM pg_attribute a
            WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
              AND (lower(a.attname) = lower(features[i]) OR a.attname = features[i]::name);
            IF near IS NULL THEN
                RAISE EXCEPTION '%: column "%" does not exist in %', caller, features[i], source
                    USING ERRCODE = 'undefined_column';
            END IF;
            RAISE EXCEPTION '%: column "%" does not exist in %', caller, features[i], source
                USING ERRCODE = 'undefined_column',
                      HINT = 'Names are matched exactly, as quoted identifiers; the table has '
                             || near || '.';
        END IF;
        base_type := column_type;
        WHILE (SELECT t.typtype = 'd' FROM pg_type t WHERE t.oid = base_type) LOOP
            SELECT t.typbasetype INTO base_type FROM pg_type t WHERE t.oid = base_type;
        END LOOP;
        -- Numbers, text holding numbers, or any type with a cast to double precision.
        IF as_type = 'float8' AND NOT (base_type IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,
                              'float4'::regtype, 'float8'::regtype, 'numeric'::regtype)
                OR (SELECT t.typcategory = 'S' FROM pg_type t WHERE t.oid = base_type)
                OR EXISTS (SELECT FROM pg_cast c WHERE c.castsource = base_type
                                                   AND c.casttarget = 'float8'::regtype)) THEN
            RAISE EXCEPTION '%: feature column "%" of % has type %, not a number',
                            caller, features[i], source, format_type(column_type, NULL)
                USING ERRCODE = 'datatype_mismatch',
                      DETAIL = 'Feature columns must be smallint, integer, bigint, real, double '
                               'precision, numeric (or a domain over one), or text holding numbers.',
                      HINT = 'Read the table through a view that converts the column to a '
                             || CASE base_type
                                WHEN 'money'::regtype THEN format('number: %1$I::numeric AS %1$I.', features[i])
                                WHEN 'bool'::regtype THEN format('number: %1$I::int AS %1$I.', features[i])
                                ELSE 'number.' END;
        END IF;
        -- Text holding numbers is read by seg_text_feature, numeric by seg_numeric_feature,
        -- whose errors name the column.
        columns := columns || CASE
            WHEN as_type = 'float8' AND (SELECT t.typcategory = 'S' FROM pg_type t WHERE t.oid = base_type)
                THEN format('%s.seg_text_feature(%I::text, %L, %L, %L)', '@extschema@',
                            features[i], caller, features[i], source::text)
            WHEN as_type = 'float8' AND base_type = 'numeric'::regtype
                THEN format('%s.seg_numeric_feature(%I::numeric, %L, %L, %L)', '@extschema@',
                            features[i], caller, features[i], source::text)
            WHEN as_type = 'timestamp' AND base_type NOT IN ('date'::regtype, 'timestamp'::regtype)
                THEN format('(%I::timestamptz)::timestamp', features[i])
            ELSE format('%I::%s', features[i], as_type) END;
    END LOOP;
    RETURN array_to_string(columns, ', ');
END
$$;
COMMENT ON FUNCTION seg_feature_columns(text, regclass, text[], text) IS
    'Internal: the feature columns of source as a list of quoted casts to as_type (float8, '
    'text, or timestamp: wall-clock times in the session''s TimeZone), after checking that each exists once and, for float8, holds numbers (errors are '
    'prefixed with caller)';
