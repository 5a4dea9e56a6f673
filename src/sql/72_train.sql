-- Training into the registry
CREATE FUNCTION seg_train(name text, source regclass, features text[], k int,
                          options jsonb DEFAULT '{}')
    RETURNS int LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    opts jsonb := coalesce(seg_train.options, '{}');
    columns text;
    fitted @extschema@.segmodel;
    reference @extschema@.segmodel;
    new_version int;
BEGIN
    IF seg_train.name IS NULL OR seg_train.name = '' THEN
        RAISE EXCEPTION 'seg_train: the model name must not be NULL or empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF seg_train.source IS NULL OR seg_train.k IS NULL THEN
        RAISE EXCEPTION 'seg_train: source and k must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF coalesce(cardinality(seg_train.features), 0) = 0
       OR array_position(seg_train.features, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'seg_train: features must list at least one column name, without NULLs'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'seg_train: options must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT opts ? 'feature_names' THEN
        opts := opts || jsonb_build_object('feature_names', to_jsonb(seg_train.features));
    END IF;
    -- Column names are quoted; the caller's rights apply to reading the source.
    SELECT string_agg(format('%I::float8', f), ', ' ORDER BY i) INTO columns
    FROM unnest(seg_train.features) WITH ORDINALITY AS u(f, i);
    EXECUTE format('SELECT @extschema@.kmeans_fit(ARRAY[%s], $1, $2) FROM %s',
                   columns, seg_train.source)
        INTO fitted USING seg_train.k, opts;
    IF fitted IS NULL THEN
        RAISE EXCEPTION 'seg_train: % has no rows to train on', seg_train.source
            USING ERRCODE = 'no_data_found';
    END IF;
    -- The fit ran without locks; from here on no other save or activation can interleave,
    -- so the numbering follows the version that is active when this one replaces it.
    LOCK TABLE @extschema@.seg_models IN SHARE ROW EXCLUSIVE MODE;
    SELECT m.model INTO reference FROM @extschema@.seg_models m
    WHERE m.name = seg_train.name AND m.active;
    IF reference IS NOT NULL THEN
        IF ((reference::jsonb)->>'dims')::int = cardinality(seg_train.features) THEN
            fitted := @extschema@.seg_align(fitted, reference);
        ELSE
            RAISE NOTICE 'seg_train: segment numbers not aligned: the active version of "%" has % features, the new one %',
                         seg_train.name, (reference::jsonb)->>'dims', cardinality(seg_train.features);
        END IF;
    END IF;
    new_version := @extschema@.seg_save(seg_train.name, fitted, true);
    UPDATE @extschema@.seg_models m SET trained_on = seg_train.source::text
    WHERE m.name = seg_train.name AND m.version = new_version;
    RETURN new_version;
END
$$;
COMMENT ON FUNCTION seg_train(text, regclass, text[], int, jsonb) IS
    'Fits kmeans_fit(k, options) on the named columns of a table or view (caller''s rights), '
    'aligns its segment numbers to the active version''s, saves and activates it; returns '
    'the new version';
