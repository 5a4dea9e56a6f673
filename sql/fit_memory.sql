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

-- Everything else that grows with the rows counts too. hclust_fit with complete linkage needs
-- a condensed distance matrix (6000 rows: 137 MB): the capped role's budget is the ceiling,
-- not what it set before the ceiling was lowered.
SET customer_seg.max_memory_limit = '8MB';
SET ROLE regress_fm_user;
SELECT try($$SELECT hclust_fit(v, 5, '{"linkage": "complete"}') FROM fm_rows$$);
RESET ROLE;
RESET customer_seg.max_memory_limit;
-- kprototypes_fit: its per-cluster category counts (k x distinct categories) are counted
-- before the fit allocates them: 300 clusters x 6000 distinct ids do not fit 8 MB ...
CREATE TABLE fm_mixed AS
SELECT v[1:2] AS num, ARRAY['id' || row_number() OVER (), (v[1]::int % 3)::text] AS cat
FROM fm_rows;
SET customer_seg.max_memory = '8MB';
\set VERBOSITY default
SELECT kprototypes_fit(num, cat, 300, '{"n_init": 1, "max_iter": 2}') IS NULL FROM fm_mixed;
\set VERBOSITY terse
-- ... and do within 64 MB.
SET customer_seg.max_memory = '64MB';
SELECT (m::jsonb)->'k' AS k FROM (SELECT kprototypes_fit(num, cat, 300, '{"n_init": 1,
  "max_iter": 2}') AS m FROM fm_mixed) s;
-- The scores: the silhouette's grouped copy of the rows and its per-row cluster sums are
-- counted (4 MB is too little for all 6000 rows; a sample of 500 fits) ...
SET customer_seg.max_memory = '4MB';
SELECT try($$SELECT silhouette(v, (v[1]::int) % 50) FROM fm_rows$$);
SELECT try($$SELECT count(*) FROM unnest((SELECT silhouette_values(i, v, (v[1]::int) % 50)
  FROM (SELECT row_number() OVER () AS i, v FROM fm_rows) s))$$);
SELECT silhouette(v, (v[1]::int) % 50, '{"sample_size": 500}') > -1 AS sampled FROM fm_rows;
-- Text and uuid ids are copied as the rows arrive: the copies count too, checked before each
-- copy (200 ids of 100 kB in a 2 MB budget were kept, 20 MB, and 10 MB ids piled up to 2 GB
-- before an "array size exceeds" error), and the result's second copy of them at the end.
SET customer_seg.max_memory = '2MB';
SELECT try($$SELECT silhouette_values(repeat('x', 100000) || i, v, i % 3)
             FROM generate_series(1, 200) i, (VALUES (ARRAY[1, 2]::float8[])) r(v)$$);
-- 200 ids of 4 kB are kept (0.8 MB), but the result would copy them once more: refused at
-- the end; 100 of them fit.
SELECT try($$SELECT silhouette_values(repeat('x', 4000) || i, ARRAY[i, i % 7]::float8[], i % 3)
             FROM generate_series(1, 200) i$$);
SELECT count(*) AS ids, min(length((x).id)) AS id_length
FROM unnest((SELECT silhouette_values(repeat('x', 4000) || i, ARRAY[i, i % 7]::float8[], i % 3)
             FROM generate_series(1, 100) i)) x;
SELECT count(*) AS ids
FROM unnest((SELECT silhouette_values(md5(i::text)::uuid, ARRAY[i, i % 7]::float8[], i % 3)
             FROM generate_series(1, 1000) i)) x;
SET customer_seg.max_memory = '4MB';
-- ... and so are the Davies-Bouldin and Calinski-Harabasz indexes' label codes and means.
SELECT davies_bouldin(v, (v[1]::int) % 50) > 0 AS db FROM fm_rows;
SET customer_seg.max_memory = '1600kB';
SELECT try($$SELECT davies_bouldin(v, (v[1]::int) % 50) FROM fm_rows$$);
RESET customer_seg.max_memory;
-- gmm_fit: two n x k responsibilities, k full covariance matrices and their precisions in
-- every copy the restarts keep, the per-thread block buffers and the k-means starts are
-- counted before EM starts (k = 40 full on 6000 x 32 does not fit 8 MB, but 64 MB) ...
SET customer_seg.max_memory = '8MB';
\set VERBOSITY default
SELECT gmm_fit(v, 40, '{"max_iter": 2, "init_candidates": 1}') IS NULL FROM fm_rows;
\set VERBOSITY terse
SELECT try($$SELECT gmm_fit(v, 40, '{"covariance": "diag", "max_iter": 2, "init_candidates": 1}') FROM fm_rows$$);
SET customer_seg.max_memory = '64MB';
SELECT (m::jsonb)->'k' AS k FROM (SELECT gmm_fit(v, 40, '{"max_iter": 2, "init_candidates": 1}') AS m
  FROM fm_rows) s;
-- ... dbscan_fit: its k-d trees, the cluster being grown, one row's neighbours (at most n:
-- never all rows' neighbour lists) and the core rows copied into the model ...
SET customer_seg.max_memory = '8MB';
\set VERBOSITY default
SELECT dbscan_fit(v, 0.3, 5) IS NULL FROM fm_rows;
\set VERBOSITY terse
SET customer_seg.max_memory = '64MB';
SELECT (m::jsonb)->'k' AS k, (m::jsonb)->'n_noise' AS n_noise
FROM (SELECT dbscan_fit(v, 0.3, 5) AS m FROM fm_rows) s;
-- ... and seg_compare: every fit and scoring it will run, before the first, then beside the
-- models it keeps (its rows and their working copy, 0.4 MB here, fit in 1 MB; its first fit,
-- k-means at k = 3, and that model's exact silhouette do not).
CREATE TABLE fm_cols AS SELECT v[1] AS a, v[2] AS b, v[3] AS c, v[4] AS d FROM fm_rows;
SET customer_seg.max_memory = '1MB';
\set VERBOSITY default
SELECT count(*) FROM seg_compare('fm_cols', ARRAY['a', 'b', 'c', 'd'], 2, 3);
\set VERBOSITY terse
SET customer_seg.max_memory = '64MB';
SELECT algorithm, k FROM seg_compare('fm_cols', ARRAY['a', 'b', 'c', 'd'], 2, 3,
  '{"eps": 0.3, "min_samples": 5, "silhouette_sample": 1000}') ORDER BY algorithm, k;
-- Wide rows: 50 customers of 10,000 features (3.8 MB). The row buffer reserved 1024 rows
-- first (78 MB, counted against the budget: "The rows take 63.9 MB"), and the principal
-- components came from a 10,000 x 10,000 covariance (800 MB, then more than ten minutes in
-- an eigen solver no cancel reached). Now the first reservation is at most 1 MB of rows and
-- the components come from the 50 x 50 Gram matrix: the training rows' coordinates have the
-- stored variances and are uncorrelated, as principal axes must be.
CREATE TABLE fm_wide AS
SELECT i, ARRAY(SELECT sin(i * j * 0.001) + (j % 5) * cos(i * 0.37) + 0.1 * ((i * 7919 + j * 104729) % 101)
                FROM generate_series(1, 10000) j) AS v
FROM generate_series(1, 50) i;
SET customer_seg.max_memory = '64MB';
CREATE TABLE fm_wide_model AS SELECT kmeans_fit(v, 2, '{"n_init": 1}') AS m FROM fm_wide;
SELECT abs(var_samp(xy[1]) / (p->'variance'->>0)::float8 - 1) < 1e-9 AS axis_1_variance,
       abs(var_samp(xy[2]) / (p->'variance'->>1)::float8 - 1) < 1e-9 AS axis_2_variance,
       abs(corr(xy[1], xy[2])) < 1e-9 AS uncorrelated
FROM (SELECT seg_project(m, v) AS xy, (m::jsonb)->'projection' AS p
      FROM fm_wide, fm_wide_model) q
GROUP BY p;
SELECT (hclust_fit(v, 3)::jsonb)->'k' AS hclust_k FROM fm_wide;
RESET customer_seg.max_memory;
DROP TABLE fm_wide, fm_wide_model;
DROP TABLE fm_cols;
DROP TABLE fm_mixed;
DROP TABLE fm_rows;
DROP ROLE regress_fm_user;
