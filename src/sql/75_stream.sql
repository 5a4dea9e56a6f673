-- The stream engine: k-means over tables of any size, one pass per Lloyd iteration
-- (src/core/kmeans_stream.hpp, src/pg/kmeans_stream.cpp, docs/scale.md)
CREATE FUNCTION seg_stream_seed_trans(internal, float8[], jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_seed_trans(internal, float8[], jsonb) IS
    'Aggregate support: seg_stream_seed transition';
CREATE FUNCTION seg_stream_seed_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_seed_combine(internal, internal) IS
    'Aggregate support: merges two partial seeding states';
CREATE FUNCTION seg_stream_seed_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_seed_serialize(internal) IS
    'Aggregate support: a seeding state as bytea (also its final value)';
CREATE FUNCTION seg_stream_seed_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_seed_deserialize(bytea, internal) IS
    'Aggregate support: a seeding state from bytea';
CREATE FUNCTION seg_stream_seed_merge_trans(internal, bytea) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_seed_merge_trans(internal, bytea) IS
    'Aggregate support: seg_stream_seed_merge transition';

CREATE AGGREGATE seg_stream_seed(float8[], jsonb) (
    SFUNC = seg_stream_seed_trans, STYPE = internal,
    FINALFUNC = seg_stream_seed_serialize,
    COMBINEFUNC = seg_stream_seed_combine, SERIALFUNC = seg_stream_seed_serialize,
    DESERIALFUNC = seg_stream_seed_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_stream_seed(float8[], jsonb) IS
    'Stream engine, seeding pass: per-feature moments and the seeded bottom-s sample of the '
    'rows, as bytea (options: missing, seed, sample)';
CREATE AGGREGATE seg_stream_seed_merge(bytea) (
    SFUNC = seg_stream_seed_merge_trans, STYPE = internal,
    FINALFUNC = seg_stream_seed_serialize,
    COMBINEFUNC = seg_stream_seed_combine, SERIALFUNC = seg_stream_seed_serialize,
    DESERIALFUNC = seg_stream_seed_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_stream_seed_merge(bytea) IS
    'Stream engine: merges the seeding states of several shards or partitions';

CREATE FUNCTION seg_stream_pass_trans(internal, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_pass_trans(internal, segmodel, float8[]) IS
    'Aggregate support: seg_stream_pass transition';
CREATE FUNCTION seg_stream_pass_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_pass_combine(internal, internal) IS
    'Aggregate support: merges two partial Lloyd pass states';
CREATE FUNCTION seg_stream_pass_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_pass_serialize(internal) IS
    'Aggregate support: a Lloyd pass state as bytea (also its final value)';
CREATE FUNCTION seg_stream_pass_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_pass_deserialize(bytea, internal) IS
    'Aggregate support: a Lloyd pass state from bytea';
CREATE FUNCTION seg_stream_pass_merge_trans(internal, bytea) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_pass_merge_trans(internal, bytea) IS
    'Aggregate support: seg_stream_pass_merge transition';

CREATE AGGREGATE seg_stream_pass(segmodel, float8[]) (
    SFUNC = seg_stream_pass_trans, STYPE = internal,
    FINALFUNC = seg_stream_pass_serialize,
    COMBINEFUNC = seg_stream_pass_combine, SERIALFUNC = seg_stream_pass_serialize,
    DESERIALFUNC = seg_stream_pass_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_stream_pass(segmodel, float8[]) IS
    'Stream engine, one Lloyd pass: per-cluster sums, counts, distance sums and inertia of '
    'the rows assigned to the model''s centres, as bytea (k x d numbers)';
CREATE AGGREGATE seg_stream_pass_merge(bytea) (
    SFUNC = seg_stream_pass_merge_trans, STYPE = internal,
    FINALFUNC = seg_stream_pass_serialize,
    COMBINEFUNC = seg_stream_pass_combine, SERIALFUNC = seg_stream_pass_serialize,
    DESERIALFUNC = seg_stream_pass_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_stream_pass_merge(bytea) IS
    'Stream engine: merges the Lloyd pass states of several shards or partitions';

CREATE FUNCTION seg_stream_rows(state bytea) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_rows(bytea) IS
    'Stream engine: the rows a seeding or pass state read (used or skipped)';

CREATE FUNCTION seg_stream_start(seed bytea, k int, options jsonb) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_start(bytea, int, jsonb) IS
    'Stream engine: the starting model (scaler from the moments, centres from kmeans_fit''s '
    'restarts on the sample)';
CREATE FUNCTION seg_stream_tolerance(seed bytea, model segmodel) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_tolerance(bytea, segmodel) IS
    'Stream engine: tol times the mean scaled feature variance (scikit-learn''s rule)';
CREATE FUNCTION seg_stream_update(model segmodel, pass bytea) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_update(segmodel, bytea) IS
    'Stream engine: the model after one Lloyd update from a pass''s sums';
CREATE FUNCTION seg_stream_shift(a segmodel, b segmodel) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_shift(segmodel, segmodel) IS
    'Stream engine: total squared shift between two models'' centres';
CREATE FUNCTION seg_stream_finish(model segmodel, pass bytea) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_stream_finish(segmodel, bytea) IS
    'Stream engine: the final model from the pass over its own centres (sizes, inertia, '
    'segments numbered by size)';

-- The relations one pass reads: the source itself, or, for a partitioned table with foreign
-- partitions (shards), each leaf partition on its own so that postgres_fdw can push the
-- pass aggregate down to its server. Reading a leaf directly checks the leaf's privileges and
-- row-level security instead of the parent's: unless the caller may read every leaf and no
-- leaf (nor the parent) has row-level security, the pass reads the parent, as a query would.
CREATE FUNCTION seg_stream_sources(source regclass, OUT relation regclass, OUT is_foreign bool)
    RETURNS SETOF record LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH src AS (
        SELECT c.relkind, c.relrowsecurity FROM pg_class c WHERE c.oid = source
    ), leaves AS (
        SELECT t.relid, c.relkind = 'f' AS is_foreign,
               NOT c.relrowsecurity AND has_table_privilege(t.relid, 'SELECT') AS readable
        FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid
        WHERE t.isleaf
    ), sharded AS (
        SELECT coalesce((SELECT relkind = 'p' AND NOT relrowsecurity FROM src), false)
               AND EXISTS (SELECT FROM leaves WHERE is_foreign)
               AND NOT EXISTS (SELECT FROM leaves WHERE NOT readable) AS yes
    )
    SELECT l.relid::regclass, l.is_foreign FROM leaves l WHERE (SELECT yes FROM sharded)
    UNION ALL
    SELECT source, coalesce((SELECT relkind = 'f' FROM src), false)
    WHERE NOT (SELECT yes FROM sharded)
$$;
COMMENT ON FUNCTION seg_stream_sources(regclass) IS
    'Stream engine: the relations each pass reads (a sharded table''s leaf partitions when the '
    'caller may read each and none has row-level security, else the source itself)';

CREATE FUNCTION seg_memory_budget() RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION seg_memory_budget() IS
    'Bytes one customer_seg aggregate may hold in memory (customer_seg.max_memory)';

-- The engine seg_train picks by default: "stream" when the source has foreign partitions or
-- its rows would not fit customer_seg.max_memory as kmeans_fit buffers them, else "memory".
CREATE FUNCTION seg_train_engine(source regclass, dims int) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN (SELECT c.relkind = 'f' FROM pg_class c WHERE c.oid = source)
             OR EXISTS (SELECT FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid
                        WHERE t.isleaf AND c.relkind = 'f')
            THEN 'stream'
        WHEN coalesce((SELECT sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples
                                       ELSE pg_relation_size(c.oid)::float8 / (32 + 8 * dims)
                                  END)
                       FROM pg_class c
                       WHERE c.relkind IN ('r', 'm')
                         AND (c.oid = source OR c.oid IN (SELECT t.relid FROM pg_partition_tree(source) t
                                                          WHERE t.isleaf))), 0) * dims * 8
             > @extschema@.seg_memory_budget()
            THEN 'stream'
        ELSE 'memory' END
$$;
COMMENT ON FUNCTION seg_train_engine(regclass, int) IS
    'The engine seg_train uses when none is given: stream for sharded tables and tables whose '
    'rows would not fit customer_seg.max_memory (planner row estimate x dims x 8 bytes)';

-- The error unless a pass read as many rows as the seeding pass: a source whose rows change
-- from one read to the next (a view of random(), a foreign table over such a view) would
-- otherwise give a model of rows no single read returned.
CREATE FUNCTION seg_stream_require_rows(source text, relations text, pass int, sums bytea,
                                        seen bigint)
    RETURNS void LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    got bigint := coalesce(@extschema@.seg_stream_rows(sums), 0);
BEGIN
    IF got IS DISTINCT FROM seen THEN
        RAISE EXCEPTION 'kmeans_stream_fit: pass % read % rows of %, the seeding pass %',
                        pass, got, source, seen
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Every pass reads the source again (%s) and must find the same rows.',
                                  relations),
                  HINT = 'A view or foreign table whose rows change from one read to the next '
                         '(random(), clock_timestamp(), a remote view of such) cannot be fitted '
                         'pass by pass: copy its rows into a table, or use engine "memory".';
    END IF;
END
$$;
COMMENT ON FUNCTION seg_stream_require_rows(text, text, int, bytea, bigint) IS
    'Internal: the error unless a stream pass read the rows of the seeding pass';

-- The stream fit itself. STABLE, so the seeding pass and every Lloyd pass read the snapshot
-- of the statement that called it: rows another session commits during the fit are in no
-- pass, in READ COMMITTED too, as with engine "memory"'s one query (a VOLATILE function takes
-- a new snapshot per statement). Called only through kmeans_stream_fit, which is VOLATILE: a
-- STABLE kmeans_stream_fit in a subquery the planner pulls up was fitted again for every row
-- of the outer query that referred to the model.
CREATE FUNCTION seg_stream_run(source regclass, features text[], k int, options jsonb)
    RETURNS segmodel LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    opts jsonb := coalesce(seg_stream_run.options, '{}');
    progress bool := false;
    columns text;
    seed_query text;
    pass_query text;
    relations regclass[];
    shards int;
    seed bytea;
    seen bigint;
    seed_branches text[];
    unshipped text;
    through_parent text;
    pass_branches text[];
    running text;
    culprit text;
    err_state text;
    err_message text;
    err_detail text;
    err_hint text;
    err_context text;
    model @extschema@.segmodel;
    next_model @extschema@.segmodel;
    sums bytea;
    tol float8;
    shift float8;
    max_iter int;
    pass int := 0;
    started timestamptz;
    seconds float8;
BEGIN
    IF source IS NULL OR k IS NULL THEN
        RAISE EXCEPTION 'kmeans_stream_fit: source and k must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'kmeans_stream_fit: options must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM @extschema@.seg_refuse_miscased_options('kmeans_stream_fit', opts,
                                                    ARRAY['progress', 'engine']);
    IF opts ? 'progress' THEN
        IF jsonb_typeof(opts->'progress') <> 'boolean' THEN
            RAISE EXCEPTION 'kmeans_stream_fit: option "progress" must be true or false'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        progress := (opts->>'progress')::bool;
    END IF;
    opts := opts - 'progress' - 'engine';
    -- Hartigan's refinement moves single rows and needs them all in memory: the sample fit
    -- that seeds the passes runs plain Lloyd, and the model records that.
    IF opts->>'refine' IS DISTINCT FROM 'none' AND opts ? 'refine' THEN
        RAISE EXCEPTION 'kmeans_stream_fit: option "refine" must be "none" with engine "stream" (got %)', opts->'refine'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Hartigan''s refinement needs every row in memory: use engine "memory" for it.';
    END IF;
    opts := opts || '{"refine": "none"}';
    IF NOT opts ? 'feature_names' THEN
        opts := opts || jsonb_build_object('feature_names', to_jsonb(features));
    END IF;

    columns := @extschema@.seg_feature_columns('kmeans_stream_fit', source, features);
    SELECT array_agg(s.relation ORDER BY s.relation::text), count(*) FILTER (WHERE s.is_foreign)
        INTO relations, shards
    FROM @extschema@.seg_stream_sources(source) s;
    IF cardinality(relations) = 1 AND relations[1] = source THEN
        seed_query := format('SELECT %s.seg_stream_seed(ARRAY[%s], $1) FROM %s',
                             '@extschema@', columns, source);
        pass_query := format('SELECT %s.seg_stream_pass($1, ARRAY[%s]) FROM %s',
                             '@extschema@', columns, source);
    ELSE
        -- The leaves are read directly: the caller must also be allowed to read the
        -- feature columns of the table it named (a query with no rows checks that).
        EXECUTE format('SELECT ARRAY[%s] FROM ONLY %s WHERE false', columns, source);
        SELECT array_agg(format('SELECT %s.seg_stream_seed(ARRAY[%s], $1) AS s FROM ONLY %s',
                                '@extschema@', columns, r) ORDER BY o),
               array_agg(format('SELECT %s.seg_stream_pass($1, ARRAY[%s]) AS s FROM ONLY %s',
                                '@extschema@', columns, r) ORDER BY o)
            INTO seed_branches, pass_branches
        FROM unnest(relations) WITH ORDINALITY AS u(r, o);
        seed_query := format('SELECT %s.seg_stream_seed_merge(s) FROM (%s) q', '@extschema@',
                             array_to_string(seed_branches, ' UNION ALL '));
        pass_query := format('SELECT %s.seg_stream_pass_merge(s) FROM (%s) q', '@extschema@',
                             array_to_string(pass_branches, ' UNION ALL '));
    END IF;

    -- postgres_fdw runs our aggregates on a server only when its "extensions" option lists
    -- customer_seg; elsewhere every pass fetches the rows: say so rather than be slow.
    SELECT string_agg(DISTINCT format('%I', v.srvname), ', ') INTO unshipped
    FROM unnest(relations) AS r
         JOIN pg_foreign_table f ON f.ftrelid = r
         JOIN pg_foreign_server v ON v.oid = f.ftserver
         JOIN pg_foreign_data_wrapper w ON w.oid = v.srvfdw
    WHERE w.fdwname = 'postgres_fdw'
      AND NOT EXISTS (SELECT FROM unnest(v.srvoptions) AS o
                      WHERE o LIKE 'extensions=%'
                        AND 'customer_seg' = ANY (string_to_array(replace(substr(o, 12), ' ', ''), ',')));
    -- A sharded table read through its parent (seg_stream_sources: row-level security, or a
    -- leaf the caller may not read by name): every pass fetches the foreign leaves' rows.
    IF relations = ARRAY[source] AND EXISTS (SELECT FROM pg_partition_tree(source) t
                                             JOIN pg_class c ON c.oid = t.relid
                                             WHERE t.isleaf AND c.relkind = 'f') THEN
        SELECT string_agg(format('%s (%s)', c.oid::regclass,
                                 CASE WHEN c.relrowsecurity THEN 'row-level security'
                                      ELSE 'no SELECT on it' END), ', ' ORDER BY c.oid::regclass::text)
            INTO through_parent
        FROM pg_class c
        WHERE (c.oid = source AND c.relrowsecurity)
           OR (c.oid IN (SELECT t.relid FROM pg_partition_tree(source) t WHERE t.isleaf)
               AND (c.relrowsecurity OR NOT has_table_privilege(c.oid, 'SELECT')));
        RAISE NOTICE 'kmeans_stream_fit: the passes read % through the parent, as a query would: each fetches the rows of its foreign partitions', source
            USING DETAIL = format('Because of %s.', coalesce(through_parent, 'the partitions')),
                  HINT = 'The passes run on the shards when the caller may read every partition '
                         'and none has row-level security.';
    END IF;
    IF unshipped IS NOT NULL THEN
        RAISE WARNING 'kmeans_stream_fit: foreign server % does not list customer_seg in its "extensions" option: every pass fetches its rows instead of running there', unshipped
            USING HINT = 'ALTER SERVER ... OPTIONS (ADD extensions ''customer_seg''), with '
                         'customer_seg installed on that server in the schema it has here.';
    END IF;

    -- An error a shard raises does not say which shard (postgres_fdw reports the remote
    -- query, the same on every shard): the handler at the end names it.
    BEGIN
        started := clock_timestamp();
        running := 'seed';
        EXECUTE seed_query INTO seed USING opts;
        running := NULL;
        IF seed IS NULL THEN
            RETURN NULL;
        END IF;
        seen := @extschema@.seg_stream_rows(seed);
        -- The starting model checks every option (unknown keys list the valid ones).
        model := @extschema@.seg_stream_start(seed, k, opts);
        tol := @extschema@.seg_stream_tolerance(seed, model);
        max_iter := ((model::jsonb)->'options'->>'max_iter')::int;
        IF progress THEN
            seconds := extract(epoch FROM clock_timestamp() - started);
            RAISE NOTICE 'kmeans_stream_fit: seeding pass and a fit on a sample of % rows in % s%',
                (model::jsonb)->>'n_rows', round(seconds::numeric, 3),
                CASE WHEN shards > 0 THEN format(', %s of %s shards answered', shards, shards) ELSE '' END;
        END IF;
        LOOP
            EXIT WHEN pass >= max_iter;
            started := clock_timestamp();
            running := 'pass';
            EXECUTE pass_query INTO sums USING model;
            running := NULL;
            PERFORM @extschema@.seg_stream_require_rows(source::text, array_to_string(relations, ', '),
                                                       pass + 1, sums, seen);
            next_model := @extschema@.seg_stream_update(model, sums);
            shift := @extschema@.seg_stream_shift(model, next_model);
            model := next_model;
            pass := pass + 1;
            IF progress THEN
                seconds := extract(epoch FROM clock_timestamp() - started);
                RAISE NOTICE 'kmeans_stream_fit: pass % of at most %: % rows in % s (% rows/s), inertia %, centre shift % (tolerance %)%',
                    pass, max_iter, (model::jsonb)->>'n_rows', round(seconds::numeric, 3),
                    round(((model::jsonb)->>'n_rows')::numeric / greatest(seconds, 1e-6)::numeric),
                    (model::jsonb)->>'inertia', shift, tol,
                    CASE WHEN shards > 0 THEN format(', %s of %s shards answered', shards, shards) ELSE '' END;
                PERFORM set_config('application_name',
                                   left(format('customer_seg: kmeans_stream_fit pass %s/%s inertia %s',
                                               pass, max_iter, (model::jsonb)->>'inertia'), 63),
                                   true);
            END IF;
            EXIT WHEN shift <= tol;
        END LOOP;
        running := 'pass';
        EXECUTE pass_query INTO sums USING model;
        running := NULL;
        PERFORM @extschema@.seg_stream_require_rows(source::text, array_to_string(relations, ', '),
                                                       pass + 1, sums, seen);
        RETURN @extschema@.seg_stream_finish(model, sums);
    EXCEPTION WHEN OTHERS THEN
        -- A pass or the seeding pass over several relations failed: read them one at a time
        -- (the same statement, one branch) to name the first that fails. Cancellation is not
        -- caught here; an error no single relation repeats is raised as it was.
        IF running IS NULL OR seed_branches IS NULL THEN
            RAISE;
        END IF;
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT,
                                err_context = PG_EXCEPTION_CONTEXT;
        FOR i IN 1 .. cardinality(relations) LOOP
            BEGIN
                IF running = 'seed' THEN
                    EXECUTE format('SELECT %s.seg_stream_seed_merge(s) FROM (%s) q', '@extschema@',
                                   seed_branches[i]) USING opts;
                ELSE
                    EXECUTE format('SELECT %s.seg_stream_pass_merge(s) FROM (%s) q', '@extschema@',
                                   pass_branches[i]) USING model;
                END IF;
            EXCEPTION WHEN OTHERS THEN
                SELECT format('%s %s', CASE WHEN v.srvname IS NULL THEN 'table'
                                            ELSE 'foreign table' END, relations[i])
                       || coalesce(format(' on server %I', v.srvname), '')
                    INTO culprit
                FROM (SELECT) one
                     LEFT JOIN (pg_foreign_table f JOIN pg_foreign_server v ON v.oid = f.ftserver)
                     ON f.ftrelid = relations[i];
                EXIT;
            END;
        END LOOP;
        IF culprit IS NULL THEN
            RAISE;
        END IF;
        err_detail := concat_ws(' ', nullif(err_detail, ''),
                                format('Raised by %s, one of the %s relations the %s reads.',
                                       culprit, cardinality(relations),
                                       CASE running WHEN 'seed' THEN 'seeding pass'
                                                    ELSE 'Lloyd pass' END));
        -- RAISE cannot set CONTEXT: the shard's part of it (postgres_fdw's "remote SQL
        -- command: ..." and the remote server's own lines before it) goes into the DETAIL.
        err_detail := concat_ws(E'\n', err_detail,
                                substring(err_context FROM E'^(.*remote SQL command: [^\n]*)'));
        IF err_hint <> '' THEN
            RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_message,
                                  DETAIL = err_detail, HINT = err_hint;
        END IF;
        RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_message, DETAIL = err_detail;
    END;
END
$$;
COMMENT ON FUNCTION seg_stream_run(regclass, text[], int, jsonb) IS
    'kmeans_stream_fit''s passes, all in the snapshot of the statement calling it (internal: '
    'call kmeans_stream_fit)';

-- K-means over a table of any size: one seeding pass, one pass per Lloyd iteration (above).
CREATE FUNCTION kmeans_stream_fit(source regclass, features text[], k int,
                                  options jsonb DEFAULT '{}')
    RETURNS segmodel LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Lock the source as reading it does (ACCESS SHARE), in a statement of its own, before
    -- the passes take their one snapshot (seg_stream_run is STABLE): DDL committed while this
    -- waited (ALTER COLUMN ... TYPE rewrites the table) met the old columns' casts and a
    -- snapshot older than the rewrite, which sees no row (the fit returned NULL). Only for a
    -- caller who may read the table (any column): the others get the usual errors, in order.
    IF source IS NOT NULL AND has_any_column_privilege(source, 'SELECT') THEN
        EXECUTE format('SELECT FROM %s LIMIT 0', source);
    END IF;
    RETURN @extschema@.seg_stream_run(source, features, k, options);
END
$$;
COMMENT ON FUNCTION kmeans_stream_fit(regclass, text[], int, jsonb) IS
    'K-means over a table of any size (seg_train''s engine "stream"): one seeding pass, then one '
    'pass per Lloyd iteration; memory O(k x d) plus the seeding sample; sharded tables run each '
    'pass on their postgres_fdw servers';
