-- The aggregates run in parallel query: workers read the table, partial states are
-- serialized, combined, and the model equals the serial one.
CREATE TABLE par AS
SELECT i AS id, ARRAY[(i * 7919 % 10007)::float8, (i * 104729 % 10009)::float8,
                      (i % 97)::float8] AS v
FROM generate_series(1::bigint, 60000) AS i;
ANALYZE par;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT kmeans_fit(v, 4) FROM par;
-- Workers really ran: two launched, each scan loop saw a share of the rows.
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT kmeans_fit(v, 4) FROM par;
CREATE TEMP TABLE par_model AS SELECT kmeans_fit(v, 4) AS m FROM par;
CREATE TEMP TABLE par_scaler AS SELECT scaler_fit(v, 'robust') AS s FROM par;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT kmeans_fit(v, 4) FROM par)::text = m::text AS same_model FROM par_model;
SELECT (SELECT scaler_fit(v, 'robust') FROM par)::text = s::text AS same_scaler FROM par_scaler;
RESET ALL;
-- force_parallel_mode (PostgreSQL 15's name for debug_parallel_query) runs the whole
-- aggregate in a worker.
SET force_parallel_mode = on;
SELECT (kmeans_fit(v, 4)::jsonb)->'n_rows' AS n_rows FROM par;
SELECT (scaler_fit(v)::jsonb)->'method' AS method FROM par;
RESET force_parallel_mode;
