-- seg_diff: how many customers change segment between two models, and seg_train's NOTICE.
SET client_min_messages = warning;
CREATE TABLE dv AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS a,
       kmeans_fit(ARRAY[age, annual_income, spending_score], 5, '{"seed": 7, "n_init": 1, "init": "random"}') AS b,
       kmeans_fit(ARRAY[age, annual_income, spending_score], 4) AS c
FROM mall_customers;
-- A model against itself: nothing changes, every row stays on the diagonal.
SELECT r->'rows' AS rows, r->'changed' AS changed, r->'changed_share' AS share,
       jsonb_array_length(r->'transitions') AS pairs
FROM (SELECT seg_diff(a, a, ARRAY[age, annual_income, spending_score]) AS r FROM mall_customers, dv GROUP BY a::text) t;
-- 5 segments against 4: the transitions add up to the rows and match seg_assign.
CREATE TABLE d54 AS
SELECT seg_diff(a, c, ARRAY[age, annual_income, spending_score]) AS r FROM mall_customers, dv GROUP BY a::text;
SELECT r->'rows' AS rows, r->'changed' AS changed, round((r->>'changed_share')::numeric, 4) AS share,
       (SELECT sum((t->>'rows')::int) FROM jsonb_array_elements(r->'transitions') t) AS total
FROM d54;
SELECT (SELECT jsonb_agg(jsonb_build_object('old', o, 'new', n, 'rows', cnt) ORDER BY o, n)
        FROM (SELECT seg_assign(a, ARRAY[age, annual_income, spending_score]) AS o,
                     seg_assign(c, ARRAY[age, annual_income, spending_score]) AS n, count(*) AS cnt
              FROM mall_customers, dv GROUP BY 1, 2) s) = r->'transitions' AS matches_seg_assign
FROM d54;
-- Missing values: a row either model cannot label is unlabelled; NULL inputs are ignored.
SELECT seg_diff(a, c, f) AS r
FROM dv, (VALUES (ARRAY[30, 60, 50]::float8[]), (ARRAY[30, NULL, 50]), (NULL)) v(f);
SELECT seg_diff(NULL::segmodel, a, ARRAY[1, 2, 3]::float8[]) IS NULL AS null_model FROM dv;
-- Errors: different numbers of features, rows comparing different models.
SELECT try($$SELECT seg_diff(a, (SELECT kmeans_fit(ARRAY[age, annual_income], 2) FROM mall_customers), ARRAY[1, 2, 3]::float8[]) FROM dv$$);
SELECT try($$SELECT seg_diff(CASE WHEN v = 1 THEN a ELSE c END, c, ARRAY[1, 2, 3]::float8[]) FROM dv, generate_series(1, 2) v$$);
SELECT try($$SELECT seg_diff(a, c, ARRAY[1, 2]::float8[]) FROM dv$$);
-- A forced-parallel plan gives the same report.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = regress;
SELECT seg_diff((SELECT a FROM dv), (SELECT c FROM dv), ARRAY[age, annual_income, spending_score])
       = (SELECT r FROM d54) AS parallel_same
FROM mall_customers;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- seg_train says what share of the training rows changes segment against the active version.
SET client_min_messages = notice;
SELECT seg_train('diff_demo', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5);
SELECT seg_train('diff_demo', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5,
                 '{"seed": 3, "n_init": 1, "init": "random"}');
SELECT seg_train('diff_demo', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5,
                 '{"transform": ["none", "log1p", "none"]}');
SET client_min_messages = warning;
DELETE FROM seg_models WHERE name = 'diff_demo';
