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
-- The leader's own partial state reaches its Finalize Aggregate by reference, not as rows
-- (src/pg/leader_state.hpp); workers always serialize. Every way a parallel plan can run
-- gives the serial model: leader and workers, workers only, the leader alone (no worker
-- could start), rescanned once per outer row, and a labelled (scoring) aggregate.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE par_serial AS
SELECT kmeans_fit(v, 4)::text AS m,
       round(davies_bouldin(v, (id % 3)::int)::numeric, 10) AS s
FROM par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT davies_bouldin(v, (id % 3)::int) FROM par;
SELECT kmeans_fit(v, 4)::text = (SELECT m FROM par_serial) AS same_with_leader FROM par;
SELECT round(davies_bouldin(v, (id % 3)::int)::numeric, 10)
       = (SELECT s FROM par_serial) AS same_davies_bouldin
FROM par;
SET parallel_leader_participation = off;
SELECT kmeans_fit(v, 4)::text = (SELECT m FROM par_serial) AS same_workers_only FROM par;
RESET parallel_leader_participation;
SET max_parallel_workers = 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT kmeans_fit(v, 4) FROM par;
SELECT kmeans_fit(v, 4)::text = (SELECT m FROM par_serial) AS same_leader_alone FROM par;
RESET max_parallel_workers;
-- The inner side of a nested loop runs the parallel aggregate once per outer row (the
-- Gather and the leader's Partial Aggregate are rescanned in between).
SET enable_material = off;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT g, s.m FROM generate_series(1, 3) AS g
LEFT JOIN LATERAL (SELECT kmeans_fit(v, 4)::text AS m FROM par OFFSET 0) AS s ON true;
SELECT g, s.m = (SELECT m FROM par_serial) AS same_on_rescan FROM generate_series(1, 3) AS g
LEFT JOIN LATERAL (SELECT kmeans_fit(v, 4)::text AS m FROM par OFFSET 0) AS s ON true;
RESET enable_material;
-- A sample is a reservoir merged across the participants: every row is seen once.
SELECT (kmeans_fit(v, 4, '{"sample": 500}')::jsonb)->'n_seen' AS n_seen FROM par;
RESET ALL;
-- force_parallel_mode (PostgreSQL 15's name for debug_parallel_query) runs the whole
-- aggregate in a worker.
SET force_parallel_mode = on;
SELECT (kmeans_fit(v, 4)::jsonb)->'n_rows' AS n_rows FROM par;
SELECT (scaler_fit(v)::jsonb)->'method' AS method FROM par;
RESET force_parallel_mode;
