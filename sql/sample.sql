-- kmeans_fit option "sample": the fit runs on a seeded reservoir sample (Vitter's Algorithm R)
-- of at most N rows, so the aggregate never holds more than N rows; the model records the
-- rows it was fitted on (n_rows), the rows it saw (n_seen), and labels every row as usual.
CREATE TABLE sample_rows AS
SELECT i AS id,
       ARRAY[(i % 4) * 10 + (i * 7919 % 101) / 100.0, (i % 4) * -5 + (i * 104729 % 103) / 100.0,
             (i % 4) * 3 + (i * 31 % 97) / 100.0]::float8[] AS v
FROM generate_series(1, 20000) AS i;
ANALYZE sample_rows;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE sampled AS
SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 1}') AS m FROM sample_rows;
-- Fitted on 2000 of the 20000 rows: sizes add up to the sample; the option is recorded.
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_seen' AS n_seen,
       (m::jsonb)->'n_skipped' AS n_skipped, (m::jsonb)->'options'->'sample' AS sample,
       (SELECT sum(s::bigint) FROM jsonb_array_elements_text((m::jsonb)->'sizes') AS s) AS sizes
FROM sampled;
-- Without the option every row is used and n_seen = n_rows + n_skipped.
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_seen' AS n_seen,
       (m::jsonb)->'options'->'sample' AS sample
FROM (SELECT kmeans_fit(v, 4) AS m FROM sample_rows) AS full_fit;
-- The model labels every row, and the four groups of the data (id % 4) are found from the
-- sample: one cluster each.
SELECT count(*) AS rows, count(seg_assign(s.m, r.v)) AS labelled,
       count(DISTINCT seg_assign(s.m, r.v)) AS clusters,
       count(DISTINCT (r.id % 4, seg_assign(s.m, r.v))) AS group_cluster_pairs
FROM sample_rows AS r, sampled AS s;

-- Determinism: the same rows in the same order and the same seed give the same sample, so
-- the same model; another seed draws another sample.
SELECT (SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 1}') FROM sample_rows)::text
       = m::text AS same_model
FROM sampled;
SELECT (SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 2}') FROM sample_rows)::text
       <> m::text AS other_seed_other_model
FROM sampled;
-- The sample depends on the order the rows arrive in (canonical sorting happens after the
-- reservoir has chosen): the same order is reproducible, another order draws another sample.
SELECT a::text = b::text AS same_order_same_model, a::text <> c::text AS other_order_other_model
FROM (SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 1}' ORDER BY id DESC) AS a
      FROM sample_rows) AS x,
     (SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 1}' ORDER BY id DESC) AS b
      FROM sample_rows) AS y,
     (SELECT kmeans_fit(v, 4, '{"sample": 2000, "seed": 1}' ORDER BY id) AS c
      FROM sample_rows) AS z;
-- A sample at least as large as the input keeps every row: the fit equals the full one.
SELECT (a::jsonb)->'centroids' = (b::jsonb)->'centroids' AS same_centroids,
       (a::jsonb)->'inertia' = (b::jsonb)->'inertia' AS same_inertia,
       (a::jsonb)->'n_rows' AS n_rows, (a::jsonb)->'n_seen' AS n_seen
FROM (SELECT kmeans_fit(v, 4, '{"sample": 20000}') AS a FROM sample_rows) AS x,
     (SELECT kmeans_fit(v, 4) AS b FROM sample_rows) AS y;
-- Whole-NULL arrays are not rows: not seen, not sampled.
SELECT (kmeans_fit(v, 2, '{"sample": 5}')::jsonb)->'n_seen' AS n_seen
FROM (SELECT CASE WHEN i % 2 = 0 THEN NULL ELSE ARRAY[i, i]::float8[] END AS v
      FROM generate_series(1, 100) AS i) AS t;

-- Missing values. skip: incomplete rows are counted among the rows seen and skipped, and
-- never sampled (the NOTICE counts all of them).
CREATE TEMP TABLE sample_missing AS
SELECT id, CASE WHEN id % 10 = 0 THEN ARRAY[NULL, 1, 2]::float8[]
                WHEN id % 10 = 5 THEN ARRAY['NaN', 1, 2]::float8[] ELSE v END AS v
FROM sample_rows;
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_skipped' AS n_skipped,
       (m::jsonb)->'n_seen' AS n_seen
FROM (SELECT kmeans_fit(v, 4, '{"sample": 500}') AS m FROM sample_missing) AS t;
-- error: an incomplete row fails the fit even when it was not sampled.
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": 10, "missing": "error"}') FROM sample_missing$$);
-- impute: incomplete rows are sampled like any other and imputed with the sample's means.
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_skipped' AS n_skipped,
       (m::jsonb)->'n_seen' AS n_seen, jsonb_typeof((m::jsonb)->'impute') AS impute
FROM (SELECT kmeans_fit(v, 4, '{"sample": 500, "missing": "impute"}') AS m
      FROM sample_missing) AS t;

-- Bad values and too small samples.
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": 0}') FROM sample_rows$$);
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": -3}') FROM sample_rows$$);
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": 2.5}') FROM sample_rows$$);
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": "100"}') FROM sample_rows$$);
SELECT try($$SELECT kmeans_fit(v, 4, '{"sample": 3}') FROM sample_rows$$);
SELECT (kmeans_fit(v, 4, '{"sample": null}')::jsonb)->'options'->'sample' AS sample
FROM sample_rows;
-- An integer written as a JSON float (1e3, 1.0e1) is that integer, for "sample" as for every
-- integer option (shard13 reported 1e12 refused; it is not, on this code).
SELECT (m::jsonb)->'options'->'sample' AS sample, (m::jsonb)->'options'->'n_init' AS n_init
FROM (SELECT kmeans_fit(v, 4, '{"sample": 1e3, "n_init": 1.0e1}') AS m FROM sample_rows) AS t;
SELECT (m::jsonb)->'options'->'sample' AS sample
FROM (SELECT kmeans_fit(v, 4, '{"sample": 1e12}') AS m FROM sample_rows WHERE id <= 20) AS t;

-- A sampled model's text form round-trips; n_seen is checked against the other counts.
SELECT m::text::segmodel::text = m::text AS text_round_trip FROM sampled;
SELECT try(format('SELECT %L::segmodel',
                  jsonb_set(m::jsonb, '{n_seen}', to_jsonb(1999))))
FROM sampled;
SELECT try(format('SELECT %L::segmodel', m::jsonb - 'n_seen')) FROM sampled;
SELECT try(format('SELECT %L::segmodel',
                  jsonb_set(m::jsonb, '{n_seen}', to_jsonb(4001))))
FROM (SELECT kmeans_fit(v, 4) AS m FROM sample_rows) AS t;
SELECT try(format('SELECT %L::segmodel',
                  jsonb_set(m::jsonb, '{options,sample}', to_jsonb(1000))))
FROM sampled;
-- Older texts without "n_seen" and "sample" are still read.
SELECT ((m::jsonb - 'n_seen') #- '{options,sample}')::segmodel::text = m::text AS older_text
FROM (SELECT kmeans_fit(v, 4) AS m FROM sample_rows) AS t;

-- Parallel query: each worker keeps a reservoir of its share, the leader merges them
-- (weighted by the rows each has seen): still exactly 2000 rows out of all 20000.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT kmeans_fit(v, 4, '{"sample": 2000}') FROM sample_rows;
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_seen' AS n_seen,
       (m::jsonb)->'n_skipped' AS n_skipped
FROM (SELECT kmeans_fit(v, 4, '{"sample": 2000}') AS m FROM sample_missing) AS t;
RESET ALL;
SET force_parallel_mode = on;
SELECT (kmeans_fit(v, 4, '{"sample": 700}')::jsonb)->'n_rows' AS n_rows FROM sample_rows;
RESET force_parallel_mode;
