-- kmeans_fit on the mall customers: shape of the model, determinism, options, GROUP BY.
CREATE TABLE km AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m FROM mall_customers;

-- Exactly k clusters, sizes largest first and summing to the rows used.
SELECT (m::jsonb)->'k' AS k, (m::jsonb)->'sizes' AS sizes, (m::jsonb)->'n_rows' AS n_rows,
       (SELECT sum(v::int) FROM jsonb_array_elements_text((m::jsonb)->'sizes') v) AS total,
       (SELECT bool_and(a >= b) FROM (
            SELECT (s)::int AS a, lead((s)::int) OVER (ORDER BY ord) AS b
            FROM jsonb_array_elements_text((m::jsonb)->'sizes') WITH ORDINALITY AS t(s, ord)) x
        WHERE b IS NOT NULL) AS largest_first
FROM km;
-- Inertia no worse than scikit-learn's KMeans(n_clusters=5, n_init=10) on the same
-- standard-scaled data: 168.24758017556834 (same for random_state 0..4; computed with
-- /usr/bin/python3 and scikit-learn 1.2.1, see test/reference/kmeans_reference.py).
SELECT ((m::jsonb)->>'inertia')::float8 <= 168.24758017556834 * (1 + 1e-9) AS as_good_as_sklearn,
       round(((m::jsonb)->>'inertia')::numeric, 6) AS inertia
FROM km;
-- The options as stored, defaults filled in.
SELECT (m::jsonb)->'options' AS options FROM km;

-- Same rows, same seed: identical model; another seed may differ but keeps k and n_rows.
SELECT (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) FROM mall_customers)::text
       = m::text AS deterministic
FROM km;
SELECT (m2::jsonb)->'k' AS k, (m2::jsonb)->'options'->'seed' AS seed
FROM (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5, '{"seed": 42}') AS m2
      FROM mall_customers) t;

-- Every option is accepted and recorded.
SELECT (kmeans_fit(ARRAY[age, annual_income, spending_score], 4,
        '{"scale": "minmax", "init": "random", "n_init": 3, "max_iter": 50, "tol": 0,
          "seed": 7, "missing": "error", "feature_names": ["a", "i", "s"]}')::jsonb)
       -> 'options' AS options
FROM mall_customers;
SELECT scale, (kmeans_fit(ARRAY[age, annual_income, spending_score], 3,
                          jsonb_build_object('scale', scale))::jsonb)->'scaler'->>'method' AS method
FROM mall_customers, unnest(ARRAY['standard', 'minmax', 'robust', 'none']) AS scale
GROUP BY scale ORDER BY scale;
-- max_iter = 1 stops after one iteration.
SELECT (kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
        '{"max_iter": 1, "n_init": 1}')::jsonb)->'n_iter' AS n_iter
FROM mall_customers;

-- k = 1: one cluster whose centroid is the mean; k = n: every row its own cluster.
SELECT (SELECT centroid FROM seg_centroids(kmeans_fit(ARRAY[age, annual_income], 1))) AS centroid,
       ARRAY[avg(age), avg(annual_income)] AS mean
FROM mall_customers;
SELECT ((kmeans_fit(ARRAY[x, x * x], 6)::jsonb)->>'inertia')::float8 = 0 AS zero_inertia,
       (kmeans_fit(ARRAY[x, x * x], 6)::jsonb)->'sizes' AS sizes
FROM generate_series(1, 6) AS x;
-- Fewer distinct points than k: still k centroids, the surplus ones empty, with a WARNING.
SELECT (kmeans_fit(ARRAY[x % 2], 3)::jsonb)->'sizes' AS sizes FROM generate_series(1, 9) AS x;

-- One model per group.
SELECT gender, (kmeans_fit(ARRAY[age, annual_income, spending_score], 3)::jsonb)->'n_rows' AS n
FROM mall_customers GROUP BY gender ORDER BY gender;

-- Missing values: skip (NOTICE + n_skipped), error, impute (training mean stored).
CREATE TEMP TABLE holes AS
SELECT customer_id,
       CASE WHEN customer_id % 10 = 0 THEN NULL ELSE age END AS age,
       CASE WHEN customer_id % 25 = 0 THEN 'NaN'::float8 ELSE annual_income END AS income,
       spending_score AS score
FROM mall_customers;
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_skipped' AS n_skipped
FROM (SELECT kmeans_fit(ARRAY[age, income, score], 4) AS m FROM holes) t;
SELECT try($$SELECT kmeans_fit(ARRAY[age, income, score], 4, '{"missing": "error"}') FROM holes$$);
SELECT (m::jsonb)->'n_rows' AS n_rows,
       round(((m::jsonb)->'impute'->>0)::numeric, 6) AS age_mean,
       (SELECT round(avg(age)::numeric, 6) FROM holes) AS expected
FROM (SELECT kmeans_fit(ARRAY[age, income, score], 4, '{"missing": "impute"}') AS m FROM holes) t;
-- Whole-NULL arrays are ignored like any aggregate input; no rows gives NULL.
SELECT (kmeans_fit(v, 1)::jsonb)->'n_rows' AS n_rows
FROM (VALUES (ARRAY[1, 2]::float8[]), (NULL), (ARRAY[3, 4])) AS t(v);
SELECT kmeans_fit(ARRAY[age], 2) IS NULL AS no_rows FROM mall_customers WHERE false;

-- customer_seg.fit_threads spreads the restarts over threads; the model is the same for any
-- setting (and refine none vs hartigan: never worse with the refinement).
SET customer_seg.fit_threads = 1;
CREATE TEMP TABLE by_threads AS
SELECT 1 AS threads, kmeans_fit(v, 6, '{"n_init": 7, "seed": 3}') AS m
FROM (SELECT ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]::float8[] AS v
      FROM wholesale_customers) w;
SET customer_seg.fit_threads = 2;
INSERT INTO by_threads
SELECT 2, kmeans_fit(v, 6, '{"n_init": 7, "seed": 3}')
FROM (SELECT ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]::float8[] AS v
      FROM wholesale_customers) w;
SET customer_seg.fit_threads = 64;
INSERT INTO by_threads
SELECT 64, kmeans_fit(v, 6, '{"n_init": 7, "seed": 3}')
FROM (SELECT ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]::float8[] AS v
      FROM wholesale_customers) w;
RESET customer_seg.fit_threads;
SELECT count(*) AS fits, count(DISTINCT m::text) AS distinct_models FROM by_threads;
SELECT (SELECT ((m::jsonb)->>'inertia')::float8 FROM by_threads WHERE threads = 1)
       <= ((kmeans_fit(v, 6, '{"n_init": 7, "seed": 3, "refine": "none"}')::jsonb)->>'inertia')::float8
       AS refined_not_worse
FROM (SELECT ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]::float8[] AS v
      FROM wholesale_customers) w;
SET customer_seg.fit_threads = 0;
