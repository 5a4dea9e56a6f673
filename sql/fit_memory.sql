-- customer_seg.max_memory is a real cap on a fit: the rows plus everything the fit allocates
-- that grows with n, k, d or threads (Elkan's n x k bounds, per-thread buffers, restarts
-- running side by side) are counted before anything is allocated, and the error names the
-- setting. Ordinary roles cannot set fit_threads or max_memory beyond the ceilings a
-- superuser sets (customer_seg.fit_threads_limit, customer_seg.max_memory_limit).
SET client_min_messages = warning;
SELECT setseed(0.5);
CREATE TABLE fm_rows AS
SELECT array_agg(random() + (i % 50) ORDER BY j) AS v
FROM generate_series(1, 6000) AS i, generate_series(1, 32) AS j GROUP BY i;

-- 6000 rows x 32 features (1.5 MB); k = 300 with 32 features uses Elkan's bounds, 6000 x 300
-- doubles per restart (14 MB), so 8 MB are refused before any of it is allocated ...
SET customer_seg.max_memory = '8MB';
SELECT try($$SELECT kmeans_fit(v, 300, '{"n_init": 2, "max_iter": 5}') FROM fm_rows$$);
-- ... with the sizes in the detail and the ways out in the hint.
\set VERBOSITY default
SELECT kmeans_fit(v, 300, '{"n_init": 2, "max_iter": 5}') IS NULL FROM fm_rows;
\set VERBOSITY terse
-- The same fit runs within 64 MB (on fewer threads when all of them would not fit: the model
-- is the same for any number of threads).
SET customer_seg.max_memory = '64MB';
SET customer_seg.fit_threads = 8;
SELECT (m::jsonb)->'k' AS k, (m::jsonb)->'n_rows' AS n_rows
FROM (SELECT kmeans_fit(v, 300, '{"n_init": 4, "max_iter": 3}') AS m FROM fm_rows) s;
-- kmeans_sweep counts its largest k's fit too.
SET customer_seg.max_memory = '8MB';
SELECT try($$SELECT count(*) FROM unnest((SELECT kmeans_sweep(v, 299, 300) FROM fm_rows))$$);
RESET customer_seg.max_memory;
RESET customer_seg.fit_threads;

-- The ceilings: only a superuser sets them, and an ordinary role cannot go beyond them.
SHOW customer_seg.fit_threads_limit;
SHOW customer_seg.max_memory_limit;
CREATE ROLE regress_fm_user;
GRANT SELECT ON fm_rows TO regress_fm_user;
SET ROLE regress_fm_user;
\set VERBOSITY default
SET customer_seg.fit_threads = 64;
\set VERBOSITY terse
SELECT try($$SET customer_seg.max_memory = '1TB'$$);
SELECT try($$SET customer_seg.fit_threads_limit = 64$$);
SELECT try($$SET customer_seg.max_memory_limit = '1TB'$$);
-- Within the ceilings, settings work as before.
SELECT try($$SET customer_seg.fit_threads = 8$$);
SELECT try($$SET customer_seg.max_memory = '4GB'$$);
SHOW customer_seg.fit_threads;
RESET ROLE;
-- A ceiling lowered later still caps what the role set before: its budget is then 8 MB and
-- the error says so.
SET customer_seg.max_memory_limit = '8MB';
SET ROLE regress_fm_user;
SHOW customer_seg.max_memory;
SELECT try($$SELECT kmeans_fit(v, 300, '{"n_init": 2, "max_iter": 5}') FROM fm_rows$$);
RESET ROLE;
-- A superuser is not bound by the ceilings.
SET customer_seg.fit_threads = 64;
SET customer_seg.max_memory = '1TB';
SHOW customer_seg.max_memory;
RESET customer_seg.fit_threads;
RESET customer_seg.max_memory;
RESET customer_seg.max_memory_limit;
DROP TABLE fm_rows;
DROP ROLE regress_fm_user;
