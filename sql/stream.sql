-- The stream engine (kmeans_stream_fit, seg_train "engine": "stream"): one pass per Lloyd
-- iteration, the same model for a table and for the same rows split into partitions.
CREATE TABLE stream_rows AS
SELECT i AS id,
       (i % 4) * 10.0 + ((i * 7919) % 1000) / 1000.0 AS x,
       (i % 2) * 10.0 + ((i * 104729) % 1000) / 1000.0 AS y,
       ((i * 15485863) % 1000) / 1000.0 AS z
FROM generate_series(1::bigint, 4000) i;

-- Stream and memory engine on the same rows: the same clusters on well separated groups.
CREATE TABLE stream_models AS
SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y', 'z'], 4, '{"seed": 1}') AS stream,
       (SELECT kmeans_fit(ARRAY[x, y, z], 4, '{"seed": 1, "feature_names": ["x","y","z"]}')
        FROM stream_rows) AS memory;
SELECT (stream::jsonb)->>'algorithm' AS algorithm, (stream::jsonb)->'sizes' AS stream_sizes,
       (memory::jsonb)->'sizes' AS memory_sizes,
       abs(((stream::jsonb)->>'inertia')::float8 / ((memory::jsonb)->>'inertia')::float8 - 1)
           < 1e-9 AS same_inertia,
       (stream::jsonb)->'feature_names' AS names, (stream::jsonb)->>'n_rows' AS n_rows,
       ((stream::jsonb)->>'n_iter')::int BETWEEN 1 AND 300 AS iterated
FROM stream_models;
-- Labelling the training rows reproduces the sizes.
SELECT seg_assign(stream, ARRAY[x, y, z]) AS segment, count(*)
FROM stream_rows, stream_models GROUP BY 1 ORDER BY 1;
-- The scaler is fitted on every row (population std), as scaler_fit.
SELECT bool_and(abs(a - b) < 1e-9 * greatest(abs(b), 1)) AS same_scaler
FROM stream_models,
     LATERAL (SELECT scaler_fit(ARRAY[x, y, z]) AS s FROM stream_rows) f,
     LATERAL unnest(ARRAY(SELECT jsonb_array_elements_text((stream::jsonb)->'scaler'->'center')::float8)
                    || ARRAY(SELECT jsonb_array_elements_text((stream::jsonb)->'scaler'->'scale')::float8),
                    ARRAY(SELECT jsonb_array_elements_text((f.s::jsonb)->'center')::float8)
                    || ARRAY(SELECT jsonb_array_elements_text((f.s::jsonb)->'scale')::float8)) AS u(a, b);

-- The same rows in a partitioned table (and in another order): the same model.
CREATE TABLE stream_parts (id bigint, x float8, y float8, z float8) PARTITION BY RANGE (id);
CREATE TABLE stream_parts_1 PARTITION OF stream_parts FOR VALUES FROM (MINVALUE) TO (1500);
CREATE TABLE stream_parts_2 PARTITION OF stream_parts FOR VALUES FROM (1500) TO (MAXVALUE);
INSERT INTO stream_parts SELECT * FROM stream_rows ORDER BY id DESC;
SELECT abs(((p::jsonb)->>'inertia')::float8 / ((s.stream::jsonb)->>'inertia')::float8 - 1) < 1e-9
           AS same_inertia,
       (p::jsonb)->'sizes' = (s.stream::jsonb)->'sizes' AS same_sizes,
       (SELECT count(*) FROM stream_rows r
        WHERE seg_assign(p, ARRAY[r.x, r.y, r.z]) <> seg_assign(s.stream, ARRAY[r.x, r.y, r.z]))
           AS labels_differing
FROM stream_models s,
     LATERAL (SELECT kmeans_stream_fit('stream_parts', ARRAY['x', 'y', 'z'], 4, '{"seed": 1}') AS p) q;

-- Missing values: skipped and counted, or imputed with the mean of every row.
CREATE TABLE stream_missing AS
SELECT id, CASE WHEN id % 10 = 0 THEN NULL ELSE x END AS x, y, z FROM stream_rows;
SELECT (m::jsonb)->>'n_rows' AS n_rows, (m::jsonb)->>'n_skipped' AS n_skipped
FROM (SELECT kmeans_stream_fit('stream_missing', ARRAY['x', 'y', 'z'], 4) AS m) q;
SELECT (m::jsonb)->>'n_rows' AS n_rows, (m::jsonb)->>'n_skipped' AS n_skipped,
       round(((m::jsonb)->'impute'->>0)::numeric, 6) = (SELECT round(avg(x)::numeric, 6) FROM stream_missing)
           AS impute_is_mean
FROM (SELECT kmeans_stream_fit('stream_missing', ARRAY['x', 'y', 'z'], 4, '{"missing": "impute"}') AS m) q;
SELECT try($$SELECT kmeans_stream_fit('stream_missing', ARRAY['x', 'y', 'z'], 4, '{"missing": "error"}')$$);

-- A parallel plan computes the same pass and the same seeding state.
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT (SELECT seg_stream_pass(stream, ARRAY[x, y, z]) FROM stream_rows) =
       (SELECT seg_stream_pass(stream, ARRAY[x, y, z]) FROM stream_rows) AS pass_repeatable,
       seg_stream_finish(stream, (SELECT seg_stream_pass(stream, ARRAY[x, y, z]) FROM stream_rows))::jsonb
           -> 'sizes' AS parallel_sizes
FROM stream_models;
SELECT length(seg_stream_seed(ARRAY[x, y, z], '{"sample": 100}')) AS seed_bytes FROM stream_rows;
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- seg_train with the stream engine saves a model like any other.
SELECT seg_train('stream_segments', 'stream_rows', ARRAY['x', 'y', 'z'], 4,
                 '{"engine": "stream", "seed": 1}') AS version;
SELECT (seg_model('stream_segments')::jsonb)->'sizes' AS sizes;
-- A stream fit in a subquery is fitted once, not again for each row that uses the model
-- (kmeans_stream_fit is VOLATILE; its passes run in seg_stream_run, STABLE, in one snapshot).
SET track_functions = 'pl';
BEGIN;
WITH m AS (SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 2, '{"seed": 1}') AS m)
SELECT count(seg_assign(m, ARRAY[x, y])) AS labelled FROM m, (SELECT x, y FROM stream_rows LIMIT 20) r;
SELECT funcname, calls FROM pg_stat_xact_user_functions
WHERE funcname IN ('kmeans_stream_fit', 'seg_stream_run') ORDER BY 1;
COMMIT;
RESET track_functions;
-- Retraining with the stream engine reports what changes against the active version (the
-- NOTICE's seg_diff reads the same columns as the fit).
SELECT seg_train('stream_segments', 'stream_rows', ARRAY['x', 'y', 'z'], 4,
                 '{"engine": "stream", "seed": 2}') AS version;
SELECT seg_train_engine('stream_rows', 3) AS default_engine;
SET customer_seg.max_memory = '64kB';
SELECT seg_train_engine('stream_rows', 3) AS default_engine_small_budget;
RESET customer_seg.max_memory;

-- Errors: bad options and arguments, k > n, robust scaling, malformed states.
SELECT try($$SELECT seg_train('s', 'stream_rows', ARRAY['x'], 2, '{"engine": "disk"}')$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 2, '{"scale": "robust"}')$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 2, '{"colour": 1}')$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 0)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 5000)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'nope'], 2)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY[]::text[], 2)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], NULL)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"progress": "yes"}')$$);
-- Its own options in another case are named as such (they used to reach the option check of
-- the fit, whose list of valid options has neither).
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"Progress": true}')$$);
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"ENGINE": "stream"}')$$);
-- An unknown key, or one of kmeans_fit's in another case, is named as kmeans_stream_fit's
-- option and the DETAIL lists kmeans_stream_fit's keys (it was "unknown kmeans_fit option",
-- listing kmeans_fit's, without "progress" and "engine"); so are bad values.
\set SHOW_CONTEXT never
SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"Seed": 1}');
SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"sample": 0}');
\set SHOW_CONTEXT errors
SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{}') IS NOT NULL AS fits;
CREATE TABLE stream_rows_15 AS SELECT * FROM stream_rows WHERE id <= 15;
-- A sample smaller than k on a table with enough rows names option "sample" (both engines
-- said "needs at least k rows: got 10 rows for k = 20" of a 4000-row table); with fewer rows
-- than k in the table the message is "needs at least k usable rows", counting the table's
-- usable rows (it counted the sample's: "got 10 usable rows" of a 15-row table), in both
-- engines; the detail says the sample does not matter, and counts the rows skipped.
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y'], 20, '{"sample": 10}')$$);
SELECT try($$SELECT kmeans_fit(ARRAY[x, y], 20, '{"sample": 10}') FROM stream_rows$$) AS memory_engine;
SELECT try($$SELECT kmeans_fit(ARRAY[x, y], 20, '{"sample": 10}') FROM stream_rows WHERE id <= 15$$) AS few_rows;
SELECT try($$SELECT kmeans_stream_fit('stream_rows_15', ARRAY['x', 'y'], 20, '{"sample": 10}')$$) AS few_rows_stream;
SELECT kmeans_fit(ARRAY[CASE WHEN id % 5 = 0 THEN NULL ELSE x END, y], 20,
                  '{"sample": 10, "missing": "skip"}') FROM stream_rows WHERE id <= 15;
SELECT (kmeans_fit(ARRAY[x, y], 10, '{"sample": 10}')::jsonb)->>'n_rows' AS sample_of_k_rows FROM stream_rows;
-- Every row skipped for a missing value: the DETAIL counts the missing values per feature,
-- most first, as kmeans_fit's does (the stream engine did not name the all-NULL column).
CREATE TABLE stream_nulls AS
SELECT id, x, CASE WHEN id % 3 = 0 THEN NULL ELSE y END AS y, NULL::float8 AS z
FROM stream_rows WHERE id <= 15;
\set SHOW_CONTEXT never
SELECT kmeans_stream_fit('stream_nulls', ARRAY['x', 'y', 'z'], 2, '{"missing": "skip"}');
SELECT seg_train('stream_nulls', 'stream_nulls', ARRAY['z', 'y'], 2, '{"engine": "stream"}');
SELECT kmeans_fit(ARRAY[x, y, z], 2, '{"missing": "skip", "feature_names": ["x", "y", "z"]}')
FROM stream_nulls;
-- With "sample" too (it named no column: the sample keeps complete rows only); in a parallel
-- plan whose workers read every row, their counts travel in the partial states.
SELECT kmeans_fit(ARRAY[x, y, z], 2,
                  '{"missing": "skip", "sample": 10, "feature_names": ["x", "y", "z"]}')
FROM stream_nulls;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT kmeans_fit(ARRAY[x, y, z], 2, '{"missing": "skip", "sample": 10}')
FROM stream_nulls;
SELECT kmeans_fit(ARRAY[x, y, z], 2, '{"missing": "skip", "sample": 10}') FROM stream_nulls;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
\set SHOW_CONTEXT errors
-- Fewer distinct rows than k: the WARNING kmeans_fit gives, and the empty clusters.
CREATE TABLE stream_few AS SELECT (i % 3)::float8 AS x FROM generate_series(1, 300) i;
SELECT (kmeans_stream_fit('stream_few', ARRAY['x'], 5, '{"seed": 1}')::jsonb)->'sizes' AS stream_sizes;
SELECT (kmeans_fit(ARRAY[x], 5, '{"seed": 1}')::jsonb)->'sizes' AS memory_sizes FROM stream_few;
CREATE TABLE stream_empty (x float8);
SELECT kmeans_stream_fit('stream_empty', ARRAY['x'], 2) IS NULL AS empty_is_null;
SELECT try($$SELECT seg_stream_update(stream, '\x00'::bytea) FROM stream_models$$);
SELECT try($$SELECT seg_stream_update(stream, '\x4c0100000001000000'::bytea) FROM stream_models$$);
SELECT try($$SELECT seg_stream_start('\x53'::bytea, 2, '{}')$$);
-- Values near the largest double: kmeans_fit's errors, naming the feature (the stream engine
-- said "seg_stream_start: malformed state: non-finite moments", 22P03, also for the merged
-- states of partitions or shards).
CREATE TABLE stream_huge AS SELECT (i % 3)::float8 AS y, i::float8 AS x FROM generate_series(1, 100) i;
INSERT INTO stream_huge VALUES (1, 1e308), (2, -1e308);
SELECT try($$SELECT kmeans_stream_fit('stream_huge', ARRAY['y', 'x'], 2)$$);
SELECT try($$SELECT kmeans_stream_fit('stream_huge', ARRAY['y', 'x'], 2, '{"scale": "minmax"}')$$);
SELECT try($$SELECT seg_stream_start(seg_stream_seed_merge(s), 2, '{}')
             FROM (SELECT seg_stream_seed(ARRAY[x], '{}') AS s FROM stream_huge WHERE x > 0
                   UNION ALL SELECT seg_stream_seed(ARRAY[x], '{}') FROM stream_huge WHERE x <= 0) q$$);
SELECT try($$SELECT kmeans_fit(ARRAY[y, x], 2) FROM stream_huge$$) AS memory_engine;
-- Values that scale beyond 1e100 (scale "none"): the passes' squared distances could overflow.
CREATE TABLE stream_vast AS SELECT (i % 3)::float8 AS y, i * 1e120::float8 AS x FROM generate_series(1, 100) i;
SELECT try($$SELECT kmeans_stream_fit('stream_vast', ARRAY['y', 'x'], 2, '{"scale": "none"}')$$);
SELECT (kmeans_stream_fit('stream_vast', ARRAY['y', 'x'], 2)::jsonb)->>'n_rows' AS standard_scale_fits;
-- Every pass must read the seeding pass's rows: a view of random() returns others each time
-- (the fit used to go on, its model from rows no single read returned).
CREATE VIEW stream_random AS SELECT * FROM stream_rows WHERE random() < 0.5;
SELECT regexp_replace(try($$SELECT kmeans_stream_fit('stream_random', ARRAY['x', 'y'], 2)$$),
                      'pass [0-9]+ read [0-9]+ rows of public.stream_random, the seeding pass [0-9]+',
                      'pass P read N rows of public.stream_random, the seeding pass M') AS random_view;
SELECT seg_stream_rows(seg_stream_seed(ARRAY[x, y], '{"sample": 10}')) AS seed_rows,
       seg_stream_rows(seg_stream_pass((SELECT kmeans_fit(ARRAY[x, y], 2) FROM stream_rows), ARRAY[x, y])) AS pass_rows
FROM stream_missing;
SELECT try($$SELECT seg_stream_rows('\x4d'::bytea)$$);
-- A pass belongs to the model that labelled its rows: passes of two models of the same shape
-- do not merge, and a model is not updated or finished with another model's pass.
CREATE TEMP TABLE stream_passes AS
SELECT (SELECT seg_stream_pass(stream, ARRAY[x, y, z]) FROM stream_rows) AS p1,
       (SELECT seg_stream_pass(memory, ARRAY[x, y, z]) FROM stream_rows) AS p2,
       seg_stream_update(stream, (SELECT seg_stream_pass(stream, ARRAY[x, y, z]) FROM stream_rows)) AS next
FROM stream_models;
SELECT try($$SELECT seg_stream_pass_merge(p) FROM stream_passes, LATERAL (VALUES (p1), (p2)) v(p)$$);
SELECT seg_stream_pass_merge(p) = seg_stream_pass_merge(p) AS same_model_merges,
       length(seg_stream_pass_merge(p)) AS state_bytes
FROM stream_passes, LATERAL (VALUES (p1), (p1), (NULL)) v(p);
SELECT try($$SELECT seg_stream_update(memory, p1) FROM stream_models, stream_passes$$);
SELECT try($$SELECT seg_stream_finish(next, p1) FROM stream_passes$$);
SELECT seg_stream_update(stream, p1)::text = next::text AS own_pass_updates
FROM stream_models, stream_passes;
SELECT try($$SELECT seg_stream_pass(NULL::segmodel, ARRAY[1.0, 2.0, 3.0])$$);
SELECT try($$SELECT seg_stream_pass(stream, ARRAY[1.0, 2.0]) FROM stream_models$$);
SELECT try($$SELECT seg_stream_seed(a, '{}') FROM (VALUES (ARRAY[1.0, 2.0]), (ARRAY[1.0])) v(a)$$);
SET customer_seg.max_memory = '64kB';
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x', 'y', 'z'], 4)$$);
RESET customer_seg.max_memory;
SELECT try($$SELECT kmeans_stream_fit('stream_rows', ARRAY['x'], 2, '{"refine": "hartigan"}')$$);
SELECT (kmeans_stream_fit('stream_rows', ARRAY['x'], 2)::jsonb)->'options'->>'refine' AS refine;
-- Only k-means models stream.
SELECT try($$SELECT seg_stream_pass(m, ARRAY[1.0])
            FROM (SELECT kprototypes_fit(ARRAY[x], ARRAY[(id % 3)::text], 2) AS m FROM stream_rows) q$$);
-- Leave the registry as it was for the files that follow.
DELETE FROM seg_models WHERE name = 'stream_segments';
