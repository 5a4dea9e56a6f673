-- customer_seg.max_memory: a buffering aggregate checks the budget before it grows and fails
-- with an error that names the setting; kmeans_fit's "sample" keeps any input within it.
SET customer_seg.max_memory = '64kB';
-- 64 kB hold 4096 rows of two float8 features.
SELECT try($$SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2) FROM generate_series(1, 5000) AS i$$);
SHOW customer_seg.max_memory;
SELECT try($$SELECT scaler_fit(ARRAY[i, i % 7]::float8[]) FROM generate_series(1, 5000) AS i$$);
-- Just within the budget for the rows -- but the fit's own working memory (labels, bounds,
-- per-thread buffers: sql/fit_memory.sql) counts too, and does not fit beside them.
SELECT try($$SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2) FROM generate_series(1, 4096) AS i$$);
SET customer_seg.max_memory = '1MB';
SELECT (kmeans_fit(ARRAY[i, i % 7]::float8[], 2)::jsonb)->'n_rows' AS n_rows
FROM generate_series(1, 4096) AS i;
-- 100,000 rows (1.6 MB) do not fit 1 MB; as a sample of 1000 rows they do, whatever the
-- number of rows seen.
SELECT try($$SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2) FROM generate_series(1, 100000) AS i$$);
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_seen' AS n_seen
FROM (SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2, '{"sample": 1000}') AS m
      FROM generate_series(1, 100000) AS i) AS t;
SET customer_seg.max_memory = '64kB';
-- A sample larger than the budget fails as soon as the rows outgrow the budget.
SELECT try($$SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2, '{"sample": 10000}')
             FROM generate_series(1, 100000) AS i$$);
-- The error carries a detail and a hint.
SELECT kmeans_fit(ARRAY[i, i % 7]::float8[], 2) FROM generate_series(1, 5000) AS i;
-- Parallel workers: partial states and their merge are held to the same budget.
CREATE TABLE memory_rows AS SELECT i, ARRAY[i, i % 7]::float8[] AS v FROM generate_series(1, 5000) AS i;
ANALYZE memory_rows;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT try($$SELECT kmeans_fit(v, 2) FROM memory_rows$$);
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET customer_seg.max_memory;
SELECT (kmeans_fit(v, 2)::jsonb)->'n_rows' AS n_rows FROM memory_rows;
