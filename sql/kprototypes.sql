-- kprototypes_fit, seg_assign/seg_distance(segmodel, float8[], text[]), seg_modes on the
-- marketing campaign customers: numbers (income, age, recency, total spend) and categories
-- (education, marital status).
CREATE TEMP VIEW mc AS
SELECT id, ARRAY[income, 2014 - year_birth, recency,
                 mnt_wines + mnt_fruits + mnt_meat_products + mnt_fish_products +
                 mnt_sweet_products + mnt_gold_prods]::float8[] AS num,
       ARRAY[education, marital_status] AS cat
FROM marketing_campaign;
CREATE TABLE kp AS
SELECT kprototypes_fit(num, cat, 4, '{"feature_names": ["income", "age", "recency", "spend"],
                                     "categorical_names": ["education", "marital"]}') AS m
FROM mc;

-- The model: algorithm, shape, sizes largest first and summing to the rows used, gamma 0.5
-- (standard scaling: every scaled feature has standard deviation 1).
SELECT (m::jsonb)->>'algorithm' AS algorithm, (m::jsonb)->'k' AS k, (m::jsonb)->'dims' AS dims,
       (m::jsonb)->'categorical_dims' AS cat_dims, (m::jsonb)->'n_rows' AS n_rows,
       (m::jsonb)->'n_skipped' AS skipped, (m::jsonb)->'sizes' AS sizes,
       round(((m::jsonb)->>'gamma')::numeric, 12) AS gamma,
       (m::jsonb)->'categorical_names' AS cat_names
FROM kp;
SELECT (SELECT bool_and(a >= b) FROM (
            SELECT s::int AS a, lead(s::int) OVER (ORDER BY ord) AS b
            FROM jsonb_array_elements_text((m::jsonb)->'sizes') WITH ORDINALITY AS t(s, ord)) x
        WHERE b IS NOT NULL) AS largest_first,
       (SELECT sum(s::int) FROM jsonb_array_elements_text((m::jsonb)->'sizes') s)
       = ((m::jsonb)->>'n_rows')::int AS sizes_sum
FROM kp;
-- The vocabularies: every category seen, sorted bytewise.
SELECT (m::jsonb)->'categories' AS categories FROM kp;
-- The options as stored: no tol, gamma null (the default), every other kmeans_fit option.
SELECT (m::jsonb)->'options' AS options FROM kp;
-- The cost is the numeric inertia plus gamma times the mismatched categories.
SELECT ((m::jsonb)->>'cost')::float8 > ((m::jsonb)->>'inertia')::float8 AS cost_above_inertia
FROM kp;

-- Labelling the training rows reproduces sizes and cost; distances are sqrt of the cost.
CREATE TEMP TABLE kp_labels AS
SELECT mc.id, mc.num, mc.cat, seg_assign(kp.m, mc.num, mc.cat) AS seg,
       seg_distance(kp.m, mc.num, mc.cat) AS dist
FROM mc, kp;
SELECT (SELECT jsonb_agg(n ORDER BY seg) FROM (
            SELECT seg, count(*) AS n FROM kp_labels WHERE seg IS NOT NULL GROUP BY seg) t)
       = (m::jsonb)->'sizes' AS sizes_match,
       abs((SELECT sum(dist ^ 2) FROM kp_labels) - ((m::jsonb)->>'cost')::float8)
       < 1e-9 * ((m::jsonb)->>'cost')::float8 AS cost_match,
       (SELECT count(*) FROM kp_labels WHERE seg IS NULL) AS unlabelled
FROM kp;

-- seg_modes: per cluster the most frequent category (ties: first bytewise) and its share.
SELECT * FROM seg_modes((SELECT m FROM kp)) ORDER BY cluster, feature;
SELECT bool_and(s.mode = x.mode AND abs(s.share - x.share) < 1e-12) AS modes_match
FROM seg_modes((SELECT m FROM kp)) s
JOIN (SELECT DISTINCT ON (seg, feature) seg, feature, value AS mode,
             count(*) OVER (PARTITION BY seg, feature, value)::float8
             / count(*) OVER (PARTITION BY seg, feature) AS share
      FROM (SELECT seg, unnest(ARRAY['education', 'marital']) AS feature, unnest(cat) AS value
            FROM kp_labels WHERE seg IS NOT NULL) u
      ORDER BY seg, feature,
               count(*) OVER (PARTITION BY seg, feature, value) DESC, value COLLATE "C") x
  ON x.seg = s.cluster AND x.feature = s.feature;
-- seg_centroids works on k-prototypes models: the numeric means of the members.
SELECT c.cluster, c.size,
       (SELECT bool_and(abs(a - b) < 1e-9 * greatest(1, abs(b)))
        FROM unnest(c.centroid, ARRAY[avg(l.num[1]), avg(l.num[2]), avg(l.num[3]),
                                      avg(l.num[4])]) AS u(a, b)) AS centroid_is_member_mean
FROM kp, seg_centroids(kp.m) c JOIN kp_labels l ON l.seg = c.cluster
GROUP BY c.cluster, c.size, c.centroid ORDER BY c.cluster;

-- A category not seen in training matches no mode: it counts as a mismatch everywhere.
SELECT seg_assign(m, ARRAY[50000, 40, 50, 600], ARRAY['Doctorate', 'Married'])
       = seg_assign(m, ARRAY[50000, 40, 50, 600], ARRAY['Unknown', 'Married']) AS unseen_alike,
       round(seg_distance(m, ARRAY[50000, 40, 50, 600], ARRAY['Doctorate', 'Single'])::numeric,
             9) > 0 AS has_distance
FROM kp;
-- NULL numbers or categories give NULL (no imputation); wrong lengths are errors.
SELECT seg_assign(m, ARRAY[NULL, 40, 50, 600], ARRAY['PhD', 'Married']) AS null_number,
       seg_assign(m, ARRAY[50000, 40, 50, 600], ARRAY['PhD', NULL]) AS null_category,
       seg_assign(m, ARRAY[50000, 40, 50, 600], NULL) AS null_array,
       seg_assign(m, ARRAY['NaN'::float8, 40, 50, 600], ARRAY['PhD', 'Married']) AS nan_number,
       seg_distance(m, ARRAY[50000, 'Infinity'::float8, 50, 600], ARRAY['PhD', 'Married']) AS inf_dist,
       (SELECT count(*) FROM seg_modes(NULL)) AS modes_of_null
FROM kp;
-- NaN and infinite numbers are missing values when fitting, like NULLs.
SELECT (kprototypes_fit(n, c, 1)::jsonb)->'n_skipped' AS n_skipped
FROM (VALUES (ARRAY[1.0, 2], ARRAY['a']), (ARRAY['NaN', 2]::float8[], ARRAY['b']),
             (ARRAY[3.0, '-Infinity'], ARRAY['c']), (ARRAY[5.0, 6], ARRAY['c'])) AS t(n, c);
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2, 3, 4], ARRAY['PhD']) FROM kp$$);
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2, 3], ARRAY['PhD', 'Single']) FROM kp$$);
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2, 3, 4], '{}'::text[]) FROM kp$$);
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2, 3, 4], ARRAY[['PhD', 'Single']]) FROM kp$$);
-- The wrong kind of model, both ways.
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2, 3, 4]) FROM kp$$);
SELECT try($$SELECT seg_distance(m, ARRAY[1, 2, 3, 4]) FROM kp$$);
SELECT try($$SELECT seg_assign(kmeans_fit(ARRAY[age], 2), ARRAY[1.0], ARRAY['x'])
             FROM mall_customers$$);
SELECT try($$SELECT * FROM seg_modes((SELECT kmeans_fit(ARRAY[age], 2) FROM mall_customers))$$);

-- Determinism: the same rows in another order give the identical model.
SELECT (SELECT kprototypes_fit(num, cat, 4, '{"feature_names": ["income", "age", "recency",
                                              "spend"],
                                             "categorical_names": ["education", "marital"]}')
        FROM (SELECT * FROM mc ORDER BY id DESC) r)::text = m::text AS same_model
FROM kp;
-- Another seed or init still gives k clusters over the same rows.
SELECT (m2::jsonb)->'k' AS k, (m2::jsonb)->'n_rows' AS n_rows, (m2::jsonb)->'options'->'seed' AS seed
FROM (SELECT kprototypes_fit(num, cat, 4, '{"seed": 42, "init": "random"}') AS m2 FROM mc) t;

-- Every option is accepted and recorded.
SELECT (kprototypes_fit(num, cat, 3,
        '{"scale": "robust", "init": "random", "n_init": 2, "max_iter": 50, "seed": 7,
          "missing": "impute", "feature_names": ["i", "a", "r", "s"], "gamma": 1.5,
          "categorical_names": ["e", "m"]}')::jsonb) -> 'options' AS options
FROM mc;
-- gamma given is used as is; max_iter = 1 stops after one round.
SELECT (m3::jsonb)->'gamma' AS gamma, (m3::jsonb)->'n_iter' AS n_iter
FROM (SELECT kprototypes_fit(num, cat, 4, '{"gamma": 2, "max_iter": 1, "n_init": 1}') AS m3
      FROM mc) t;
-- The default gamma is half the mean population standard deviation of the scaled numbers
-- (the kmodes package's rule), here with minmax scaling, computed in SQL.
SELECT abs(((m4::jsonb)->>'gamma')::float8 - 0.5 * (
           SELECT avg(sd) FROM (
               SELECT stddev_pop((x - lo) / (hi - lo)) AS sd
               FROM (SELECT j, num[j] AS x, min(num[j]) OVER (PARTITION BY j) AS lo,
                            max(num[j]) OVER (PARTITION BY j) AS hi
                     FROM mc, generate_series(1, 4) AS j WHERE num[1] IS NOT NULL) s
               GROUP BY j) t)) < 1e-12 AS gamma_is_formula,
       round(((m4::jsonb)->>'gamma')::numeric, 10) AS gamma
FROM (SELECT kprototypes_fit(num, cat, 4, '{"scale": "minmax"}') AS m4 FROM mc) t;

-- Missing values: skip (NOTICE + n_skipped), error, impute (mean and most frequent category).
CREATE TEMP TABLE kp_holes AS
SELECT id, num,
       ARRAY[CASE WHEN id % 7 = 0 THEN NULL ELSE cat[1] END, cat[2]] AS cat
FROM mc;
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_skipped' AS n_skipped
FROM (SELECT kprototypes_fit(num, cat, 3) AS m FROM kp_holes) t;
SELECT try($$SELECT kprototypes_fit(num, cat, 3, '{"missing": "error"}') FROM kp_holes$$);
CREATE TEMP TABLE kp_impute AS
SELECT kprototypes_fit(num, cat, 3, '{"missing": "impute"}') AS m FROM kp_holes;
SELECT (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'categorical_impute' AS categorical_impute,
       round(((m::jsonb)->'impute'->>0)::numeric, 6) AS income_mean,
       (SELECT round(avg(income)::numeric, 6) FROM marketing_campaign) AS expected
FROM kp_impute;
-- An imputing model labels incomplete rows with the stored values filled in.
SELECT seg_assign(m, ARRAY[NULL, 40, 50, 600], ARRAY[NULL, 'Single'])
       = seg_assign(m, ARRAY[((m::jsonb)->'impute'->>0)::float8, 40, 50, 600],
                    ARRAY['Graduation', 'Single']) AS imputed_same
FROM kp_impute;

-- Rows with a NULL array are ignored (as a strict aggregate would); no rows gives NULL.
SELECT (kprototypes_fit(n, c, 1)::jsonb)->'n_rows' AS n_rows
FROM (VALUES (ARRAY[1.0, 2], ARRAY['a']), (NULL, ARRAY['b']), (ARRAY[3.0, 4], NULL),
             (ARRAY[5.0, 6], ARRAY['c'])) AS t(n, c);
SELECT kprototypes_fit(num, cat, 2) IS NULL AS no_rows FROM mc WHERE false;
-- One model per group.
SELECT cat[2] AS marital, (kprototypes_fit(num, ARRAY[cat[1]], 2)::jsonb)->'n_rows' AS n
FROM mc WHERE cat[2] IN ('Married', 'Single') GROUP BY cat[2] ORDER BY cat[2];
-- Fewer distinct rows than k: still k prototypes, with a WARNING for the empty ones.
SELECT (kprototypes_fit(ARRAY[x % 2], ARRAY[(x % 2)::text], 3)::jsonb)->'sizes' AS sizes
FROM generate_series(1, 9) AS x;

-- Bad input.
SELECT try($$SELECT kprototypes_fit(n, c, 2) FROM (VALUES (ARRAY[1.0], ARRAY['a', 'b']),
                                                           (ARRAY[2.0], ARRAY['a'])) t(n, c)$$);
SELECT try($$SELECT kprototypes_fit(n, c, 2) FROM (VALUES (ARRAY[1.0], ARRAY['a']),
                                                           (ARRAY[2.0, 3], ARRAY['a'])) t(n, c)$$);
SELECT try($$SELECT kprototypes_fit(num, '{}'::text[], 2) FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, ARRAY[cat], 2) FROM mc$$);
SELECT try($$SELECT kprototypes_fit('{}'::float8[], cat, 2) FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 0) FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, NULL) FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 3000) FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 2, '{"tol": 0.1}') FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 2, '{"gamma": -1}') FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 2, '{"gamma": "high"}') FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 2, '{"categorical_names": ["one"]}') FROM mc$$);
SELECT try($$SELECT kprototypes_fit(num, cat, 2, '[]') FROM mc$$);
SELECT try($$SELECT kprototypes_fit(ARRAY[1e308, -1e308], ARRAY['a'], 1)
             FROM generate_series(1, 3)$$);

-- Text and binary forms round-trip and are validated.
SELECT m::text::segmodel::text = m::text AS text_round_trip FROM kp;
CREATE TEMP TABLE kp_copy (m segmodel);
INSERT INTO kp_copy SELECT m FROM kp;
\copy kp_copy TO 'build/regress/kprototypes.bin' WITH (FORMAT binary)
\copy kp_copy FROM 'build/regress/kprototypes.bin' WITH (FORMAT binary)
SELECT count(*) AS copies, count(DISTINCT m::text) AS distinct_texts,
       bool_and(m::text = (SELECT m::text FROM kp)) AS binary_round_trip
FROM kp_copy;
-- Truncated binary input is rejected.
CREATE TEMP TABLE kp_raw (b bytea);
INSERT INTO kp_raw SELECT substring(segmodel_send(m) FROM 1 FOR 120) FROM kp;
\copy kp_raw TO 'build/regress/kprototypes_truncated.bin' WITH (FORMAT binary)
\set ON_ERROR_STOP 0
\copy kp_copy FROM 'build/regress/kprototypes_truncated.bin' WITH (FORMAT binary)
\set ON_ERROR_STOP 1
SELECT try($$SELECT replace(m::text, '"modes":[["', '"modes":[["Nope')::segmodel FROM kp$$);
SELECT try($$SELECT replace(m::text, '"gamma":0.5', '"gamma":-0.5')::segmodel FROM kp$$);
SELECT try($$SELECT replace(m::text, '"categorical_dims":2', '"categorical_dims":3')::segmodel
             FROM kp$$);
SELECT try($$SELECT ((m::jsonb) - 'modes')::segmodel FROM kp$$);

-- Parallel query: the input scan runs in workers, the aggregate above the Gather (no partial
-- aggregation); the model equals the serial one.
CREATE TABLE kp_par AS SELECT i AS id, n.num, n.cat FROM mc n, generate_series(1, 20) AS i;
ANALYZE kp_par;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT kprototypes_fit(num, cat, 3) FROM kp_par;
CREATE TEMP TABLE kp_par_model AS SELECT kprototypes_fit(num, cat, 3) AS m FROM kp_par;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT kprototypes_fit(num, cat, 3) FROM kp_par)::text = m::text AS same_model
FROM kp_par_model;
RESET ALL;
SET force_parallel_mode = on;
SELECT (kprototypes_fit(num, cat, 3)::jsonb)->'n_rows' AS n_rows FROM mc;
SELECT seg_assign(m, num, cat) AS seg, count(*) FROM kp, mc GROUP BY 1 ORDER BY 1;
RESET force_parallel_mode;
DROP TABLE kp_par;

-- Categories are compared byte for byte everywhere, whatever the column's collation: under a
-- case-insensitive (nondeterministic) collation 'Single' and 'single' are two categories for
-- kprototypes_fit, seg_train, seg_assign and the label trigger alike; 'SINGLE' is unseen.
CREATE COLLATION kp_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE kp_ci_rows (x float8, status text COLLATE kp_ci, segment int);
INSERT INTO kp_ci_rows (x, status)
SELECT i % 5, (ARRAY['Single', 'single', 'Married'])[1 + i % 3] FROM generate_series(1, 60) i;
SELECT count(DISTINCT status) AS distinct_by_collation,
       (kprototypes_fit(ARRAY[x], ARRAY[status], 3)::jsonb)->'categories' AS categories
FROM kp_ci_rows;
SELECT seg_train('kp_ci', 'kp_ci_rows', ARRAY['x'], 3,
                 '{"algorithm": "kprototypes", "categorical_features": ["status"],
                   "gamma": 10}') AS version;
SELECT cluster, mode, share FROM seg_modes(seg_model('kp_ci')) ORDER BY mode;
SELECT s AS status, seg_assign('kp_ci', ARRAY[2.0], ARRAY[s]) AS segment,
       round(seg_distance(seg_model('kp_ci'), ARRAY[2.0], ARRAY[s])::numeric, 6) AS distance
FROM unnest(ARRAY['Single', 'single', 'SINGLE' COLLATE kp_ci]) AS s;
CREATE TRIGGER kp_ci_label BEFORE UPDATE ON kp_ci_rows FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('kp_ci', 'segment', 'x', 'categorical=status');
UPDATE kp_ci_rows SET x = x;
SELECT count(*) AS n,
       count(*) FILTER (WHERE segment = seg_assign('kp_ci', ARRAY[x], ARRAY[status]))
           AS same_as_seg_assign
FROM kp_ci_rows;
DROP TABLE kp_ci_rows;
DROP COLLATION kp_ci;
DELETE FROM seg_models WHERE name = 'kp_ci';
