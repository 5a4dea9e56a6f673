-- seg_drift: today's customers against the model's training data.
SET client_min_messages = warning;
CREATE TABLE dm AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m FROM mall_customers;

-- The training rows themselves: shares as at training, PSI 0, same mean distances.
CREATE TABLE d_train AS
SELECT seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) AS r
FROM mall_customers, dm GROUP BY dm.m::text;
SELECT r->'rows' AS rows, r->'unlabelled' AS unlabelled, r->'training_rows' AS training_rows,
       r->'psi' AS psi, r->>'verdict' AS verdict, r->'psi_epsilon' AS epsilon,
       abs((r->>'mean_distance_now')::float8 - (r->>'mean_distance_training')::float8) < 1e-12
       AS same_mean_distance
FROM d_train;
SELECT s->'segment' AS segment, s->'rows_now' AS rows_now, s->'rows_training' AS rows_training,
       s->'share_now' = s->'share_training' AS same_share,
       abs((s->>'mean_distance_now')::float8 - (s->>'mean_distance_training')::float8) < 1e-12
       AS same_distance
FROM d_train, jsonb_array_elements(r->'segments') s;

-- Older customers only: the shares move; PSI is sum (now - then) * ln(now / then), with
-- empty segments counted at epsilon = 0.0001; the verdict uses 0.1 and 0.25.
CREATE TABLE d_old AS
SELECT seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) AS r
FROM mall_customers, dm WHERE age >= 40 GROUP BY dm.m::text;
SELECT s->'segment' AS segment, s->'rows_now' AS rows_now, round((s->>'share_now')::numeric, 4) AS share_now,
       round((s->>'share_training')::numeric, 4) AS share_training,
       round((s->>'psi')::numeric, 4) AS psi_term
FROM d_old, jsonb_array_elements(r->'segments') s;
SELECT round((r->>'psi')::numeric, 6) AS psi, r->>'verdict' AS verdict FROM d_old;
WITH now AS (
    SELECT seg_assign(dm.m, ARRAY[age, annual_income, spending_score]) AS seg, count(*) AS n
    FROM mall_customers, dm WHERE age >= 40 GROUP BY 1
), shares AS (
    SELECT c.cluster,
           greatest(coalesce(now.n, 0)::float8 / (SELECT sum(n) FROM now), 1e-4) AS a,
           greatest(c.size::float8 / 200, 1e-4) AS e
    FROM dm, seg_centroids(dm.m) c LEFT JOIN now ON now.seg = c.cluster
)
SELECT abs(sum((a - e) * ln(a / e)) - (SELECT (r->>'psi')::float8 FROM d_old)) < 1e-12 AS psi_matches_formula,
       count(*) FILTER (WHERE a = 1e-4) AS empty_segments_now
FROM shares;
-- The mean distance now is the mean of seg_distance per segment.
SELECT bool_and(abs((s->>'mean_distance_now')::float8 - d.md) < 1e-12) AS distances_match
FROM d_old, jsonb_array_elements(r->'segments') s
JOIN (SELECT seg_assign(dm.m, ARRAY[age, annual_income, spending_score]) AS seg,
             avg(seg_distance(dm.m, ARRAY[age, annual_income, spending_score])) AS md
      FROM mall_customers, dm WHERE age >= 40 GROUP BY 1) d ON d.seg = (s->>'segment')::int;
SELECT s->'segment' AS segment, s->'mean_distance_now' AS mean_distance_now
FROM d_old, jsonb_array_elements(r->'segments') s WHERE s->'rows_now' = '0';

-- A small shift is "stable", a moderate one "moderate shift" in the segment shares (the
-- overall verdict of the second is "major shift": the ages alone moved, sql/drift_features.sql).
SELECT (seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) ->> 'segment_verdict') AS verdict,
       round((seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) ->> 'psi')::numeric, 4) AS psi
FROM mall_customers, dm WHERE customer_id % 4 <> 0 GROUP BY dm.m::text;
SELECT (seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) ->> 'segment_verdict') AS verdict,
       (seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) ->> 'verdict') AS overall,
       round((seg_drift(dm.m, ARRAY[age, annual_income, spending_score]) ->> 'psi')::numeric, 4) AS psi
FROM mall_customers, dm WHERE age < 50 GROUP BY dm.m::text;

-- GROUP BY: one report per group.
SELECT gender, (seg_drift(dm.m, ARRAY[age, annual_income, spending_score]))->'rows' AS rows,
       (seg_drift(dm.m, ARRAY[age, annual_income, spending_score]))->>'verdict' AS verdict
FROM mall_customers, dm GROUP BY gender ORDER BY gender;

-- Missing values: rows with a NULL or NaN element are counted as unlabelled; a NULL array or
-- a NULL model is ignored; no row at all gives NULL; an all-unlabelled input has no PSI and
-- no verdict: a row the model skips counts in no feature either, as its training left such
-- rows out of the deciles and means (drift_features.sql).
SELECT r->'rows' AS rows, r->'unlabelled' AS unlabelled
FROM (SELECT seg_drift(m, f) AS r
      FROM dm, (VALUES (ARRAY[30, 60, 50]::float8[]), (ARRAY[30, NULL, 50]),
                       (ARRAY[30, 'NaN'::float8, 50]), (NULL)) v(f)) t;
SELECT seg_drift(NULL::segmodel, ARRAY[1, 2, 3]::float8[]) IS NULL AS null_model,
       (SELECT seg_drift(m, ARRAY[1, 2, 3]::float8[]) FROM dm WHERE false) IS NULL AS no_rows;
SELECT r->'psi' AS psi, r->'verdict' AS verdict, r->'mean_distance_now' AS distance
FROM (SELECT seg_drift(m, ARRAY[NULL, 1, 2]::float8[]) AS r FROM dm) t;
-- An imputing model labels incomplete rows.
SELECT (seg_drift(m, ARRAY[NULL, 60, 50]::float8[]))->'rows' AS imputed_rows
FROM (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 3, '{"missing": "impute"}') AS m
      FROM mall_customers) t;
-- Errors: wrong lengths, two different models in one group.
SELECT try($$SELECT seg_drift(m, ARRAY[1, 2]::float8[]) FROM dm$$);
SELECT try($$SELECT seg_drift(m, '{}'::float8[]) FROM dm$$);
SELECT try($$SELECT seg_drift(m, ARRAY[age, annual_income, spending_score])
             FROM mall_customers,
                  (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], k) AS m
                   FROM mall_customers, generate_series(2, 3) k GROUP BY k) ms$$);

-- Parallel aggregation: two workers, partial states serialized and combined; the same report
-- (distance sums, and the distance change derived from them, may differ in the last bits
-- with the summation order).
CREATE TABLE many AS SELECT c.* FROM mall_customers c, generate_series(1, 300);
ANALYZE many;
CREATE TABLE d_serial AS
SELECT seg_drift((SELECT m FROM dm), ARRAY[age, annual_income, spending_score]) AS r FROM many;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF)
SELECT seg_drift((SELECT m FROM dm), ARRAY[age, annual_income, spending_score]) FROM many;
CREATE TABLE d_parallel AS
SELECT seg_drift((SELECT m FROM dm), ARRAY[age, annual_income, spending_score]) AS r FROM many;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET force_parallel_mode = on;
CREATE TABLE d_forced AS
SELECT seg_drift((SELECT m FROM dm), ARRAY[age, annual_income, spending_score]) AS r FROM many;
RESET force_parallel_mode;
SELECT p.r - 'mean_distance_now' - 'distance_change' - 'segments'
           = s.r - 'mean_distance_now' - 'distance_change' - 'segments' AS same_totals,
       f.r - 'mean_distance_now' - 'distance_change' - 'segments'
           = s.r - 'mean_distance_now' - 'distance_change' - 'segments' AS forced_same,
       (SELECT jsonb_agg(x - 'mean_distance_now') FROM jsonb_array_elements(p.r->'segments') x)
       = (SELECT jsonb_agg(x - 'mean_distance_now') FROM jsonb_array_elements(s.r->'segments') x)
       AS same_segments,
       abs((p.r->>'mean_distance_now')::float8 - (s.r->>'mean_distance_now')::float8) < 1e-12
       AS same_distance,
       s.r->'rows' AS rows, s.r->>'verdict' AS verdict
FROM d_serial s, d_parallel p, d_forced f;
DROP TABLE dm, d_train, d_old, many, d_serial, d_parallel, d_forced;
-- Partial states merge to the serial report, digit for digit: the sums carry their rounding
-- errors. A partitionwise plan sums each partition's rows apart and merges the partial
-- states, always in another order than a serial scan (the mean distances once differed in
-- the last digits).
CREATE TABLE d_parts (id int, g int, x float8[], c text[]) PARTITION BY RANGE (id);
CREATE TABLE d_parts_1 PARTITION OF d_parts FOR VALUES FROM (0) TO (70);
CREATE TABLE d_parts_2 PARTITION OF d_parts FOR VALUES FROM (70) TO (140);
CREATE TABLE d_parts_3 PARTITION OF d_parts FOR VALUES FROM (140) TO (1000);
INSERT INTO d_parts
SELECT customer_id, customer_id % 2, ARRAY[age, annual_income * 1.1, spending_score], ARRAY[gender]
FROM mall_customers;
ANALYZE d_parts;
CREATE TABLE d_models AS SELECT kmeans_fit(x, 4) AS km, kprototypes_fit(x, c, 3) AS kp FROM d_parts;
CREATE TABLE d_whole AS
SELECT g, seg_drift((SELECT km FROM d_models), x) AS km,
       seg_drift((SELECT kp FROM d_models), x, c) AS kp
FROM d_parts GROUP BY g;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT g, seg_drift((SELECT km FROM d_models), x) FROM d_parts GROUP BY g;
SELECT w.g, p.km = w.km AS same_kmeans_report, p.kp = w.kp AS same_kprototypes_report
FROM (SELECT g, seg_drift((SELECT km FROM d_models), x) AS km,
             seg_drift((SELECT kp FROM d_models), x, c) AS kp
      FROM d_parts GROUP BY g) p JOIN d_whole w USING (g) ORDER BY g;
RESET enable_partitionwise_aggregate;
DROP TABLE d_parts, d_models, d_whole;
RESET client_min_messages;
