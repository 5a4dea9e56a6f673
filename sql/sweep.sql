-- kmeans_sweep and seg_sweep: every k on one read of the table, judged and ready to chart.
-- scikit-learn figures: /usr/bin/python3 test/reference/sweep_reference.py (scikit-learn
-- 1.2.1, KMeans(k, n_init=10, random_state=0) on the standard-scaled mall customers; output
-- in test/reference/sweep_reference.txt).
CREATE TABLE sweep_mall AS
SELECT u.* FROM unnest((SELECT kmeans_sweep(ARRAY[age, annual_income, spending_score], 1, 10)
                        FROM mall_customers)) u;

-- The chart: one row per k; scores undefined (NULL) at k = 1; one elbow, one best silhouette.
SELECT k, round(inertia::numeric, 4) AS inertia, round(silhouette::numeric, 4) AS silhouette,
       round(davies_bouldin::numeric, 4) AS davies_bouldin,
       round(calinski_harabasz::numeric, 2) AS calinski_harabasz, elbow, best_silhouette
FROM sweep_mall ORDER BY k;
-- Each k's model is exactly kmeans_fit's, so the chosen one can be taken directly.
SELECT bool_and(s.model::text = (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], s.k)
                                 FROM mall_customers)::text) AS models_are_kmeans_fit
FROM sweep_mall s;
-- Inertia against scikit-learn's KMeans(k, n_init=10): never more than 0.1% worse, and
-- listed where it is worse at all (k-means finds local optima; at k = 8 sklearn's seeds
-- find a slightly better one).
SELECT bool_and(s.inertia <= r.inertia * 1.001) AS within_0_1_percent,
       array_agg(s.k ORDER BY s.k) FILTER (WHERE s.inertia > r.inertia * (1 + 1e-9))
           AS worse_than_sklearn
FROM sweep_mall s JOIN (VALUES (1, 599.99999999999977), (2, 389.38618895643697),
    (3, 295.45624492135556), (4, 205.22514747675925), (5, 168.24758017556834),
    (6, 133.88887021131023), (7, 117.16911517019707), (8, 103.94423632967377),
    (9, 93.614553128768051), (10, 81.848949546977394)) r(k, inertia) ON r.k = s.k;
-- k = 5: the same partition as sklearn's, so sklearn's scores (scaled space) to 1e-9.
SELECT abs(silhouette - 0.41664341513732767) <= 1e-9 * 0.41664341513732767 AS silhouette,
       abs(davies_bouldin - 0.87455105100241792) <= 1e-9 * 0.87455105100241792 AS davies_bouldin,
       abs(calinski_harabasz - 125.10094020060957) <= 1e-9 * 125.10094020060957
           AS calinski_harabasz
FROM sweep_mall WHERE k = 5;
-- Every score is the scoring aggregate's on the model's own labels in its scaled space.
SELECT bool_and(abs(s.silhouette - t.sil) <= 1e-12 * abs(t.sil)
                AND abs(s.davies_bouldin - t.db) <= 1e-12 * t.db
                AND abs(s.calinski_harabasz - t.ch) <= 1e-12 * t.ch) AS scores_match
FROM sweep_mall s,
     LATERAL (SELECT silhouette(s.model, x) AS sil,
                     davies_bouldin(seg_scale(s.model, x), seg_assign(s.model, x)) AS db,
                     calinski_harabasz(seg_scale(s.model, x), seg_assign(s.model, x)) AS ch
              FROM (SELECT ARRAY[age, annual_income, spending_score] AS x
                    FROM mall_customers) c) t
WHERE s.k > 1;
-- The best silhouette is the largest; the elbow is where inertia stops falling fast.
SELECT (SELECT k FROM sweep_mall WHERE best_silhouette)
       = (SELECT k FROM sweep_mall WHERE silhouette IS NOT NULL
          ORDER BY silhouette DESC, k LIMIT 1) AS best_is_max,
       (SELECT count(*) FROM sweep_mall WHERE elbow) AS elbows;

-- Options pass through to kmeans_fit; silhouette_sample samples above that many rows (NOTICE).
SELECT k, (model::jsonb)->'options'->'n_init' AS n_init,
       (model::jsonb)->'scaler'->>'method' AS scale, silhouette IS NOT NULL AS scored
FROM unnest((SELECT kmeans_sweep(ARRAY[age, annual_income, spending_score], 2, 3,
                                 '{"n_init": 2, "scale": "minmax", "silhouette_sample": 50,
                                   "seed": 11}')
             FROM mall_customers)) ORDER BY k;
SELECT bool_and(a.silhouette = b.silhouette) AS exact_when_under_sample,
       bool_and(a.silhouette = c.silhouette) AS null_is_exact
FROM unnest((SELECT kmeans_sweep(ARRAY[age, annual_income], 2, 4, '{"n_init": 1}')
             FROM mall_customers)) a
JOIN unnest((SELECT kmeans_sweep(ARRAY[age, annual_income], 2, 4,
                                 '{"n_init": 1, "silhouette_sample": 200}')
             FROM mall_customers)) b USING (k)
JOIN unnest((SELECT kmeans_sweep(ARRAY[age, annual_income], 2, 4,
                                 '{"n_init": 1, "silhouette_sample": null}')
             FROM mall_customers)) c USING (k);
SELECT k, elbow FROM unnest((SELECT kmeans_sweep(ARRAY[age, annual_income, spending_score], 1,
                                                 10, '{"elbow_sensitivity": 0}')
                             FROM mall_customers)) WHERE elbow;
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 3, '{"silhouette_sample": 0}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 3, '{"elbow_sensitivity": -1}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 3, '{"n_init": 0}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 3, '{"k": 3}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 3, '"x"') FROM mall_customers$$);

-- k range, NULLs, too few rows, shapes.
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 0, 3) FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 4, 3) FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], NULL, 3) FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age], 2, 6) FROM mall_customers WHERE customer_id <= 5$$);
SELECT try($$SELECT kmeans_sweep(CASE WHEN customer_id = 9 THEN ARRAY[age] ELSE ARRAY[age, age] END, 2, 3) FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep('{}'::float8[], 2, 3)$$);
SELECT kmeans_sweep(ARRAY[age], 2, 3) IS NULL AS no_rows FROM mall_customers WHERE false;
SELECT kmeans_sweep(NULL::float8[], 2, 3) IS NULL AS only_null_rows FROM mall_customers;
-- Rows with NULL/NaN/Infinity elements are skipped once (NOTICE), as by kmeans_fit.
SELECT k, (model::jsonb)->'n_rows' AS n_rows, silhouette IS NOT NULL AS scored
FROM unnest((SELECT kmeans_sweep(x, 2, 3, '{"n_init": 1}')
             FROM (SELECT ARRAY[age, annual_income] AS x FROM mall_customers
                   UNION ALL VALUES (ARRAY[NULL, 1]::float8[]), (ARRAY['NaN'::float8, 1]),
                                    (ARRAY[1, '-Infinity'::float8])) t)) ORDER BY k;
-- k = n: every row its own cluster; the scores sklearn would refuse are NULL.
SELECT k, inertia, silhouette, davies_bouldin, calinski_harabasz, best_silhouette
FROM unnest((SELECT kmeans_sweep(ARRAY[x], 1, 4) FROM unnest(ARRAY[0, 1, 5, 6]::float8[]) x))
ORDER BY k;

-- seg_sweep: the same from a table name and column names (quoted; they become the models'
-- feature names).
SELECT bool_and(a.inertia = b.inertia AND a.silhouette IS NOT DISTINCT FROM b.silhouette
                AND a.elbow = b.elbow AND a.best_silhouette = b.best_silhouette)
           AS same_as_aggregate,
       bool_and((b.model::jsonb)->'feature_names' = '["age", "annual_income", "spending_score"]')
           AS named
FROM sweep_mall a
JOIN seg_sweep('mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 1, 10) b
  USING (k);
CREATE TABLE "Sweep Me" ("Age" int, "weird""col" numeric);
INSERT INTO "Sweep Me" SELECT age, annual_income FROM mall_customers;
SELECT k, (model::jsonb)->'feature_names' AS names
FROM seg_sweep('"Sweep Me"', ARRAY['Age', 'weird"col'], 2, 3, '{"n_init": 1}') ORDER BY k;
SELECT k, (model::jsonb)->'feature_names' AS names
FROM seg_sweep('"Sweep Me"', ARRAY['Age'], 2, 2, '{"n_init": 1, "feature_names": ["years"]}');
SELECT count(*) AS defaults_for_null_options
FROM seg_sweep('"Sweep Me"', ARRAY['Age'], 2, 3, NULL);
DROP TABLE "Sweep Me";
SELECT try($$SELECT * FROM seg_sweep('mall_customers', ARRAY['age', 'no_such'], 2, 3)$$);
-- k as large as the rows: no silhouette, and the warning says why rather than nothing.
CREATE TEMP TABLE sweep_six AS
SELECT (i * 7 % 11)::float8 AS a, (i * 5 % 13)::float8 AS b FROM generate_series(1, 6) i;
SELECT k, silhouette IS NULL AS no_silhouette, warning
FROM seg_sweep('sweep_six', ARRAY['a', 'b'], 5, 6) ORDER BY k;
SELECT try($$SELECT * FROM seg_sweep('mall_customers', ARRAY[]::text[], 2, 3)$$);
SELECT try($$SELECT * FROM seg_sweep('mall_customers', ARRAY['age', NULL], 2, 3)$$);
SELECT try($$SELECT * FROM seg_sweep(NULL, ARRAY['age'], 2, 3)$$);
SELECT try($$SELECT * FROM seg_sweep('mall_customers', ARRAY['age'], 2, 3, '[1]')$$);
SELECT try($$SELECT * FROM seg_sweep('no_such_table', ARRAY['age'], 2, 3)$$);

-- Parallel query: workers buffer, the leader sweeps; identical to the serial result.
CREATE TABLE sweep_par AS
SELECT ARRAY[(i * 7919 % 1009)::float8, (i * 104729 % 1013)::float8, (i % 7)::float8] AS x
FROM generate_series(1, 20000) AS i;
ANALYZE sweep_par;
SELECT kmeans_sweep(x, 2, 4, '{"n_init": 2, "silhouette_sample": 1000}')::text AS serial
FROM sweep_par \gset
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT kmeans_sweep(x, 2, 4) FROM sweep_par;
SELECT kmeans_sweep(x, 2, 4, '{"n_init": 2, "silhouette_sample": 1000}')::text = :'serial'
           AS same_as_serial
FROM sweep_par;
RESET ALL;
SET force_parallel_mode = on;
SELECT kmeans_sweep(x, 2, 4, '{"n_init": 2, "silhouette_sample": 1000}')::text = :'serial'
           AS same_as_serial
FROM sweep_par;
RESET force_parallel_mode;
-- Cancellation reaches the sweep and the scores inside long computations (each would run
-- for seconds; try() cannot catch a cancel, so the errors show as such).
CREATE TEMP TABLE slow AS
SELECT i AS id, ARRAY[(i * 7919 % 1009)::float8, (i % 13)::float8] AS x, i % 5 AS label
FROM generate_series(1, 60000) AS i;
SET statement_timeout = '300ms';
SELECT kmeans_sweep(x, 2, 30, '{"silhouette_sample": null}') IS NULL FROM slow;
SELECT silhouette(x, label) FROM slow;
SELECT silhouette_values(id, x, label) IS NULL FROM slow;
RESET statement_timeout;
DROP TABLE sweep_par, sweep_mall;
