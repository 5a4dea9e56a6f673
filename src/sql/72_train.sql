-- Training into the registry
-- Refuses an option of `keys` (the caller's own, lower case) written in another case: it
-- would reach the fit aggregate, whose list of valid options does not name it.
CREATE FUNCTION seg_refuse_miscased_options(caller text, options jsonb, keys text[])
    RETURNS void LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    miscased text;
BEGIN
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RETURN;
    END IF;
    SELECT o INTO miscased FROM jsonb_object_keys(options) AS o
    WHERE lower(o) = ANY (keys) AND o <> ALL (keys)
    LIMIT 1;
    IF miscased IS NOT NULL THEN
        RAISE EXCEPTION '%: unknown option "%"', caller, miscased
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Option names are lower case: "%s".', lower(miscased));
    END IF;
END
$$;
COMMENT ON FUNCTION seg_refuse_miscased_options(text, jsonb, text[]) IS
    'Internal: refuses an option of keys written in another case (22023, naming the caller)';

CREATE FUNCTION seg_train(name text, source regclass, features text[], k int,
                          options jsonb DEFAULT '{}')
    RETURNS int LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    -- Categories are read as ::text under fixed display settings (DateStyle's field order
    -- stays the session's), the ones seg_label_trigger reads them under: a date or a float
    -- category has the same text in every session.
    SET DateStyle = 'ISO' SET IntervalStyle = 'postgres' SET extra_float_digits = 1
    SET bytea_output = 'hex'
AS $$
#variable_conflict use_column
DECLARE
    opts jsonb := coalesce(seg_train.options, '{}');
    kind_name text;
    fit_function text;
    is_categorical boolean;
    cat_features text[];
    columns text;
    cat_columns text;
    fitted @extschema@.segmodel;
    reference @extschema@.segmodel;
    reference_version int;
    unaligned @extschema@.segmodel;       -- the fitted model before seg_align
    compared_version int;                 -- the active version it was aligned to
    locked boolean := false;              -- the registry's lock is held
    diff jsonb;
    new_version int;
    engine text;
    both_kinds text;
    valid_keys text[];
    unknown_key text;
BEGIN
    PERFORM @extschema@.seg_require_model_name(seg_train.name, 'seg_train');
    IF seg_train.source IS NULL OR seg_train.k IS NULL THEN
        RAISE EXCEPTION 'seg_train: source and k must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The model is saved into seg_models at the end: a read-only transaction (a hot standby,
    -- default_transaction_read_only) is refused now, not after the fit has read the table.
    IF current_setting('transaction_read_only') = 'on' THEN
        RAISE EXCEPTION 'seg_train: cannot train in a read-only transaction'
            USING ERRCODE = 'read_only_sql_transaction',
                  DETAIL = CASE WHEN pg_is_in_recovery()
                                THEN 'This server is a hot standby; seg_train saves the model in '
                                     'seg_models, which only the primary can write.'
                                ELSE 'transaction_read_only is on; seg_train saves the model in '
                                     'seg_models.' END,
                  HINT = 'Train on the primary in a read-write transaction; the fit aggregates '
                         '(kmeans_fit, ...) and every function that reads a model work read-only.';
    END IF;
    -- Column names are quoted; the caller's rights apply to reading the source (the fit and,
    -- below, the retrain diff of either engine).
    columns := @extschema@.seg_feature_columns('seg_train', seg_train.source, seg_train.features);
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'seg_train: options must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- "algorithm" picks the kind (the family's registry, seg_kinds()); it is not an option of
    -- the fit aggregate itself.
    IF jsonb_typeof(opts->'algorithm') IS DISTINCT FROM 'string' AND opts ? 'algorithm' THEN
        RAISE EXCEPTION 'seg_train: option "algorithm" must be a string'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    kind_name := coalesce(opts->>'algorithm', 'kmeans');
    opts := opts - 'algorithm';
    SELECT s.fit_function, s.categorical INTO fit_function, is_categorical
    FROM @extschema@.seg_kinds() s WHERE s.algorithm OPERATOR(pg_catalog.=) kind_name;
    IF fit_function IS NULL THEN
        RAISE EXCEPTION 'seg_train: unknown algorithm "%"', kind_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Valid algorithms: ' || (SELECT string_agg(s.algorithm, ', ')
                                                    FROM @extschema@.seg_kinds() s) || '.';
    END IF;
    IF kind_name OPERATOR(pg_catalog.=) 'dbscan' THEN
        -- dbscan_fit takes eps and min_samples, not a number of clusters.
        RAISE EXCEPTION 'seg_train cannot fit "dbscan" models: dbscan_fit takes eps and min_samples, not k'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Fit with dbscan_fit(features, eps, min_samples) and register the model '
                         'with seg_save(name, model); seg_compare suggests eps.';
    END IF;
    IF NOT is_categorical AND opts ? 'categorical_features' THEN
        RAISE EXCEPTION 'seg_train: option "categorical_features" does not apply to algorithm "%"', kind_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- An unknown key (or one in another case, named first) is refused here, naming seg_train
    -- and its keys for this kind, before the fit reads the table: the fit's message would list
    -- only its own.
    valid_keys := @extschema@.seg_kind_options(kind_name) || ARRAY['algorithm']
                  || CASE WHEN is_categorical THEN ARRAY['categorical_features'] END
                  || ARRAY['engine', 'progress'];
    SELECT o INTO unknown_key FROM jsonb_object_keys(opts) AS o
    WHERE o <> ALL (valid_keys) ORDER BY lower(o) = ANY (valid_keys) DESC, o LIMIT 1;
    IF lower(unknown_key) = ANY (valid_keys) THEN
        RAISE EXCEPTION 'seg_train: unknown option "%"', unknown_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Valid options with algorithm "%s" are: %s.', kind_name,
                                  array_to_string(valid_keys, ', ')),
                  HINT = format('Option names are lower case: "%s".', lower(unknown_key));
    ELSIF unknown_key IS NOT NULL THEN
        RAISE EXCEPTION 'seg_train: unknown option "%"', unknown_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Valid options with algorithm "%s" are: %s.', kind_name,
                                  array_to_string(valid_keys, ', '));
    END IF;
    IF is_categorical THEN
        -- "categorical_features": the text columns; features are the numeric ones.
        IF jsonb_typeof(opts->'categorical_features') IS DISTINCT FROM 'array'
           OR jsonb_array_length(opts->'categorical_features') = 0
           OR EXISTS (SELECT FROM jsonb_array_elements(opts->'categorical_features') e
                      WHERE jsonb_typeof(e) <> 'string') THEN
            RAISE EXCEPTION 'seg_train: algorithm "%" needs option "categorical_features", an array of at least one column name', kind_name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT array_agg(e ORDER BY i) INTO cat_features
        FROM jsonb_array_elements_text(opts->'categorical_features') WITH ORDINALITY AS u(e, i);
        opts := opts - 'categorical_features';
        IF NOT opts ? 'categorical_names' THEN
            opts := opts || jsonb_build_object('categorical_names', to_jsonb(cat_features));
        END IF;
        cat_columns := @extschema@.seg_feature_columns('seg_train', seg_train.source,
                                                       cat_features, 'text');
        SELECT f INTO both_kinds FROM unnest(cat_features) AS f
        WHERE f = ANY (seg_train.features) LIMIT 1;
        IF both_kinds IS NOT NULL THEN
            RAISE EXCEPTION 'seg_train: column "%" is both in features and in "categorical_features"', both_kinds
                USING ERRCODE = 'duplicate_column',
                      DETAIL = 'A column is either a number or a category of k-prototypes.';
        END IF;
    END IF;
    IF NOT opts ? 'feature_names' THEN
        opts := opts || jsonb_build_object('feature_names', to_jsonb(seg_train.features));
    END IF;
    -- The engine: "memory" (the fit aggregate, every row in the backend), "stream" (k-means
    -- only: one pass per Lloyd iteration, kmeans_stream_fit) or by default the one
    -- seg_train_engine picks for k-means (always "memory" for the other kinds).
    engine := coalesce(opts->>'engine', 'auto');
    IF engine NOT IN ('auto', 'memory', 'stream') THEN
        RAISE EXCEPTION 'seg_train: option "engine" must be "memory" or "stream" (or absent: chosen by the table''s size), got %',
                        opts->'engine'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF engine = 'stream' AND kind_name <> 'kmeans' THEN
        RAISE EXCEPTION 'seg_train: engine "stream" fits algorithm "kmeans" only, not "%"', kind_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Lock the source as reading it does (ACCESS SHARE), in a statement of its own, and check
    -- its columns again under a snapshot taken after the lock: DDL committed since the check
    -- above (ALTER COLUMN ... TYPE rewrites the table) met the old columns' casts in the fit
    -- (a bare 22P02), or in the stream engine a snapshot older than the rewrite (no rows).
    EXECUTE format('SELECT FROM %s LIMIT 0', seg_train.source);
    columns := @extschema@.seg_feature_columns('seg_train', seg_train.source, seg_train.features);
    IF is_categorical THEN
        cat_columns := @extschema@.seg_feature_columns('seg_train', seg_train.source,
                                                       cat_features, 'text');
    END IF;
    IF engine = 'auto' THEN
        -- The stream engine does not apply the feature pipeline (transform, clip, an impute
        -- other than the mean): such fits use engine "memory".
        engine := CASE WHEN kind_name = 'kmeans'
                        AND jsonb_typeof(opts->'transform') IS DISTINCT FROM 'array'
                        AND jsonb_typeof(opts->'clip') IS DISTINCT FROM 'array'
                        AND coalesce(opts->>'impute', 'mean') = 'mean'
                       THEN @extschema@.seg_train_engine(seg_train.source, cardinality(seg_train.features))
                       ELSE 'memory' END;
    END IF;
    IF engine = 'stream' THEN
        fitted := @extschema@.kmeans_stream_fit(seg_train.source, seg_train.features,
                                                seg_train.k, opts);
    ELSE
        IF opts ? 'progress' THEN
            RAISE NOTICE 'seg_train: option "progress" reports the passes of engine "stream"; this fit uses engine "memory"';
        END IF;
        opts := opts - 'engine' - 'progress';
        IF is_categorical THEN
            EXECUTE format('SELECT %s.%I(ARRAY[%s], ARRAY[%s], $1, $2) FROM %s',
                           '@extschema@', fit_function, columns, cat_columns, seg_train.source)
                INTO fitted USING seg_train.k, opts;
        ELSE
            EXECUTE format('SELECT %s.%I(ARRAY[%s], $1, $2) FROM %s',
                           '@extschema@', fit_function, columns, seg_train.source)
                INTO fitted USING seg_train.k, opts;
        END IF;
    END IF;
    IF fitted IS NULL THEN
        RAISE EXCEPTION 'seg_train: % has no rows to train on', seg_train.source
            USING ERRCODE = 'no_data_found';
    END IF;
    -- Align to the active version and say what retraining changes (seg_diff reads the table
    -- again) before taking the registry's lock: held during that pass, it made every other
    -- save and activation, of any model, wait for it. Under the lock the active version is
    -- read again; if another session switched it in between, the alignment and the diff are
    -- redone against the new one. From then on no other save or activation can interleave, so
    -- the numbering follows the version that is active when this one replaces it.
    unaligned := fitted;
    LOOP
        SELECT m.model, m.version INTO reference, reference_version
        FROM @extschema@.seg_models m WHERE m.name = seg_train.name AND m.active;
        EXIT WHEN locked AND reference_version IS NOT DISTINCT FROM compared_version;
        fitted := unaligned;
        compared_version := reference_version;
        IF reference IS NOT NULL THEN
            IF (reference::jsonb)->>'algorithm' IS DISTINCT FROM kind_name THEN
                RAISE NOTICE 'seg_train: segment numbers not aligned: the active version of "%" is a % model, the new one a % model',
                             seg_train.name, (reference::jsonb)->>'algorithm', kind_name;
            ELSIF ((reference::jsonb)->>'dims')::int = cardinality(seg_train.features)
                  AND ((reference::jsonb)->>'categorical_dims')::int
                      IS NOT DISTINCT FROM cardinality(cat_features)
                  AND EXISTS (SELECT FROM (VALUES ('feature_names'), ('categorical_names')) AS v(k)
                              WHERE jsonb_typeof((reference::jsonb)->v.k) = 'array'
                                AND jsonb_typeof((fitted::jsonb)->v.k) = 'array'
                                AND (reference::jsonb)->v.k <> (fitted::jsonb)->v.k) THEN
                -- Other columns, or the same ones in another order (seg_align's rule): a label
                -- trigger still listing the old order refuses the new version.
                RAISE NOTICE 'seg_train: segment numbers not aligned: the active version of "%" has features %, the new one %',
                             seg_train.name,
                             concat_ws(' + ', (reference::jsonb)->'feature_names', nullif((reference::jsonb)->'categorical_names', 'null')),
                             concat_ws(' + ', (fitted::jsonb)->'feature_names', nullif((fitted::jsonb)->'categorical_names', 'null'));
            ELSIF ((reference::jsonb)->>'dims')::int = cardinality(seg_train.features)
                  AND ((reference::jsonb)->>'categorical_dims')::int
                      IS NOT DISTINCT FROM cardinality(cat_features) THEN
                fitted := @extschema@.seg_align(fitted, reference);
                -- What retraining changes for the customers: their segments under both versions
                -- (seg_diff labels by the numbers: every kind but the categorical ones).
                IF NOT is_categorical THEN
                    EXECUTE format('SELECT %s.seg_diff($1, $2, ARRAY[%s]) FROM %s',
                                   '@extschema@', columns, seg_train.source)
                        INTO diff USING reference, fitted;
                    IF (diff->>'rows')::bigint > 0 THEN
                        RAISE NOTICE 'seg_train: % %% of the % training rows change segment against the active version % of "%"',
                            round(100 * (diff->>'changed_share')::numeric, 1), diff->>'rows',
                            reference_version, seg_train.name
                            USING DETAIL = 'seg_diff(old, new, features) over the training rows: '
                                           || (diff->'transitions')::text;
                    END IF;
                END IF;
            ELSE
                RAISE NOTICE 'seg_train: segment numbers not aligned: the active version of "%" has % features, the new one %',
                             seg_train.name, (reference::jsonb)->>'dims', cardinality(seg_train.features);
            END IF;
        END IF;
        IF NOT locked THEN
            LOCK TABLE @extschema@.seg_models IN SHARE ROW EXCLUSIVE MODE;
            locked := true;
        END IF;
    END LOOP;
    -- trained_on: schema-qualified always; a temporary table as pg_temp.name (regclass would
    -- print it bare, as if it were a table of some schema on the path).
    new_version := @extschema@.seg_save_version(seg_train.name, fitted, true,
        (SELECT CASE WHEN c.relpersistence = 't' THEN format('pg_temp.%I', c.relname)
                     ELSE format('%I.%I', n.nspname, c.relname) END
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = seg_train.source));
    RETURN new_version;
END
$$;
COMMENT ON FUNCTION seg_train(text, regclass, text[], int, jsonb) IS
    'Fits the aggregate of option "algorithm" (default kmeans; seg_kinds() lists them) with k '
    'and the other options on the named columns of a table or view (caller''s rights; for '
    'kprototypes option "categorical_features" names the text columns), aligns its segment '
    'numbers to the active version''s when it is of the same kind and features, saves and '
    'activates it; returns the new version';
