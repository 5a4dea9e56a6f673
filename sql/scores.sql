-- silhouette, davies_bouldin, calinski_harabasz and silhouette_values against scikit-learn.
-- Known answers: scikit-learn 1.2.1, written by
--     /usr/bin/python3 test/reference/metrics_reference.py
-- into test/reference/metrics_reference.txt (and the label / per-sample CSVs loaded below).
CREATE FUNCTION pg_temp.rel(a float8, b float8) RETURNS bool
    LANGUAGE sql IMMUTABLE AS $$ SELECT abs(a - b) <= 1e-9 * abs(b) $$;
CREATE TEMP TABLE ref_labels (i serial, label int);
\copy ref_labels (label) FROM 'test/reference/mall_kmeans5.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE ref_samples (i serial, s float8);
\copy ref_samples (s) FROM 'test/reference/mall_silhouette_samples.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE wref_labels (i serial, label int);
\copy wref_labels (label) FROM 'test/reference/wholesale_kmeans4.csv' WITH (FORMAT csv, HEADER true)
-- mall: raw features, sklearn's KMeans(5) labels and the {42, -7, 1000000}[i % 3] labels.
CREATE TEMP TABLE mall_ref AS
SELECT c.customer_id AS id, ARRAY[age, annual_income, spending_score] AS x, r.label,
       (ARRAY[42, -7, 1000000])[(c.customer_id - 1) % 3 + 1] AS mod3
FROM mall_customers c JOIN ref_labels r ON r.i = c.customer_id;

-- The three scores of sklearn, on raw features (the vectors are used as given).
SELECT pg_temp.rel(silhouette(x, label), 0.41618308781722624) AS silhouette,
       pg_temp.rel(davies_bouldin(x, label), 0.85784289969546135) AS davies_bouldin,
       pg_temp.rel(calinski_harabasz(x, label), 135.48690872894926) AS calinski_harabasz
FROM mall_ref;
SELECT pg_temp.rel(silhouette(x, mod3), -0.018308614259369697) AS silhouette,
       pg_temp.rel(davies_bouldin(x, mod3), 31.08161063945764) AS davies_bouldin,
       pg_temp.rel(calinski_harabasz(x, mod3), 0.20606412774193689) AS calinski_harabasz
FROM mall_ref;
SELECT pg_temp.rel(silhouette(x, label), 0.30337606550243235) AS silhouette,
       pg_temp.rel(davies_bouldin(x, label), 1.1271748687699616) AS davies_bouldin,
       pg_temp.rel(calinski_harabasz(x, label), 99.031320632040334) AS calinski_harabasz
FROM (SELECT ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen] AS x, r.label
      FROM wholesale_customers w JOIN wref_labels r ON r.i = w.customer_id) t;
-- Scan order does not matter: the rows are scored in canonical order, bit for bit.
SELECT silhouette(x, label ORDER BY id DESC) = silhouette(x, label) AS sil_same,
       davies_bouldin(x, label ORDER BY md5(id::text)) = davies_bouldin(x, label) AS db_same,
       calinski_harabasz(x, label ORDER BY x DESC) = calinski_harabasz(x, label) AS ch_same
FROM mall_ref;

-- Small cases: a singleton cluster scores 0; identical points; sklearn's figures.
CREATE TEMP TABLE single AS
SELECT * FROM (VALUES (1, ARRAY[0, 0]::float8[], 0), (2, ARRAY[1, 0], 0), (3, ARRAY[0, 1], 0),
                      (4, ARRAY[5, 5], 1), (5, ARRAY[6, 5], 1), (6, ARRAY[20, 20], 2))
    AS t(id, x, label);
SELECT pg_temp.rel(silhouette(x, label), 0.70373015823192364) AS silhouette,
       pg_temp.rel(davies_bouldin(x, label), 0.11849395579666429) AS davies_bouldin,
       pg_temp.rel(calinski_harabasz(x, label), 474.81818181818176) AS calinski_harabasz
FROM single;
SELECT v.id, v.label, round(v.silhouette::numeric, 12) AS silhouette,
       pg_temp.rel(v.silhouette, s.want) OR (v.silhouette = 0 AND s.want = 0) AS as_sklearn
FROM unnest((SELECT silhouette_values(id, x, label) FROM single)) v
JOIN (VALUES (1, 0.86560329744705833), (2, 0.82082684041164333), (3, 0.8226697997687924),
             (4, 0.8490741930789415), (5, 0.86420681868510607), (6, 0)) s(id, want)
  ON s.id = v.id
ORDER BY v.id;
SELECT silhouette(x, label) AS silhouette, davies_bouldin(x, label) AS davies_bouldin,
       calinski_harabasz(x, label) AS calinski_harabasz
FROM (SELECT ARRAY[3, 3]::float8[] AS x, i / 3 AS label FROM generate_series(0, 5) i) t;

-- Number of labels: 2 .. n-1, as sklearn (same message), for every aggregate.
SELECT try($$SELECT silhouette(x, 1) FROM mall_ref$$);
SELECT try($$SELECT davies_bouldin(x, 1) FROM mall_ref$$);
SELECT try($$SELECT calinski_harabasz(x, 1) FROM mall_ref$$);
SELECT try($$SELECT silhouette(x, id) FROM mall_ref$$);
SELECT try($$SELECT silhouette_values(id, x, id) FROM mall_ref$$);
SELECT pg_temp.rel(silhouette(x, CASE WHEN id = 2 THEN 1 ELSE id END), -0.00800355615162863)
       AS n_minus_1_labels
FROM mall_ref;

-- NULL handling: no rows, or only NULL features / labels: NULL. NULL features and NULL
-- labels are ignored; rows with a NULL, NaN or Infinity element are skipped with a NOTICE.
SELECT silhouette(x, label) AS s, davies_bouldin(x, label) AS db,
       calinski_harabasz(x, label) AS ch, silhouette_values(id, x, label) AS v
FROM mall_ref WHERE false;
SELECT silhouette(NULL::float8[], label) AS null_features, silhouette(x, NULL) AS null_labels
FROM mall_ref;
CREATE TEMP TABLE dirty AS
SELECT id, x, label FROM mall_ref
UNION ALL VALUES (1001, NULL, 1), (1002, ARRAY[1, 2, 3], NULL), (1003, ARRAY[1, NULL, 3], 0),
                 (1004, ARRAY['NaN', 1, 1]::float8[], 1), (1005, ARRAY[1, 1, 'Infinity'::float8], 2),
                 (1006, ARRAY[1, 1, '-Infinity'::float8], 2);
SELECT silhouette(x, label) = (SELECT silhouette(x, label) FROM mall_ref) AS sil_same,
       davies_bouldin(x, label) = (SELECT davies_bouldin(x, label) FROM mall_ref) AS db_same,
       calinski_harabasz(x, label) = (SELECT calinski_harabasz(x, label) FROM mall_ref)
           AS ch_same
FROM dirty;
SELECT cardinality(silhouette_values(id, x, label)) AS scored FROM dirty;
SELECT try($$SELECT silhouette(ARRAY[1, NULL]::float8[], i % 2) FROM generate_series(1, 4) i$$);
-- Shape errors.
SELECT try($$SELECT silhouette(x, label) FROM (VALUES (ARRAY[1, 2]::float8[], 0), (ARRAY[1, 2, 3], 1)) t(x, label)$$);
SELECT try($$SELECT davies_bouldin(ARRAY[[1, 2], [3, 4]]::float8[], 0)$$);
SELECT try($$SELECT calinski_harabasz('{}'::float8[], 0)$$);
SELECT try($$SELECT silhouette_values(id, CASE WHEN id = 5 THEN ARRAY[1::float8] ELSE x END, label) FROM mall_ref$$);
SELECT try($$SELECT silhouette_values(CASE WHEN id = 5 THEN NULL ELSE id END, x, label) FROM mall_ref$$);
-- Distances beyond the float8 range overflow to a NaN score (the metrics do not guard this;
-- sklearn would turn its NaN silhouettes into 0 with nan_to_num). Pinned so a change shows.
SELECT silhouette(x, label) AS huge
FROM (VALUES (ARRAY[1]::float8[], 0), (ARRAY[2], 0), (ARRAY[3], 1), (ARRAY[1e308], 1),
             (ARRAY[-1e308], 2)) t(x, label);

-- A seeded sample: deterministic, not the exact value, all rows when the sample is as large.
SELECT silhouette(x, label, '{"sample_size": 100, "seed": 7}')
         = silhouette(x, label, '{"sample_size": 100, "seed": 7}') AS same_seed_same_value,
       silhouette(x, label, '{"sample_size": 100, "seed": 7}')
         <> silhouette(x, label, '{"sample_size": 100, "seed": 8}') AS other_seed_differs,
       silhouette(x, label, '{"sample_size": 100, "seed": 7}') <> silhouette(x, label)
           AS sample_not_exact,
       abs(silhouette(x, label, '{"sample_size": 100, "seed": 7}') - silhouette(x, label)) < 0.1
           AS sample_close,
       silhouette(x, label, '{"sample_size": 200}') = silhouette(x, label) AS whole_sample,
       silhouette(x, label, '{"sample_size": null}') = silhouette(x, label) AS null_size,
       silhouette(x, label, NULL) = silhouette(x, label) AS null_options
FROM mall_ref;
SELECT try($$SELECT silhouette(x, label, '{"sample_size": 0}') FROM mall_ref$$);
SELECT try($$SELECT silhouette(x, label, '{"sample_size": 10.5}') FROM mall_ref$$);
SELECT try($$SELECT silhouette(x, label, '{"seed": -1}') FROM mall_ref$$);
SELECT try($$SELECT silhouette(x, label, '{"size": 10}') FROM mall_ref$$);
SELECT try($$SELECT silhouette(x, label, '[10]') FROM mall_ref$$);
-- Options are checked on the first row, before any buffering.
SELECT try($$SELECT silhouette(x, label, '{"sample_size": -1}') FROM mall_ref WHERE id = 1$$);

-- Per-customer values join back on the id: they are sklearn's silhouette_samples, their
-- mean is the silhouette, and they come ordered by id.
CREATE TEMP TABLE sv AS
SELECT v.* FROM unnest((SELECT silhouette_values(id, x, label) FROM mall_ref)) v;
SELECT count(*) AS n,
       bool_and(pg_temp.rel(v.silhouette, r.s) OR abs(v.silhouette - r.s) < 1e-12)
           AS as_sklearn_samples,
       bool_and(v.label = m.label) AS labels_kept,
       pg_temp.rel(avg(v.silhouette), 0.41618308781722624) AS mean_is_silhouette
FROM sv v JOIN ref_samples r ON r.i = v.id JOIN mall_ref m ON m.id = v.id;
SELECT array_agg(id) = array_agg(id ORDER BY id) AS ordered_by_id
FROM unnest((SELECT silhouette_values(id, x, label ORDER BY id DESC) FROM mall_ref));
-- Which customers sit worst in their segment: one query.
SELECT v.id, v.label, round(v.silhouette::numeric, 4) AS silhouette, c.age, c.annual_income,
       c.spending_score
FROM unnest((SELECT silhouette_values(id, x, label) FROM mall_ref)) v
JOIN mall_customers c ON c.customer_id = v.id
ORDER BY v.silhouette LIMIT 3;
-- Ids are carried exactly, whatever their bits (-1 is a NaN pattern when read as a double).
SELECT array_agg(id ORDER BY id) AS ids
FROM unnest((SELECT silhouette_values(i, ARRAY[i % 5, 1]::float8[], (i % 5 > 1)::int)
             FROM unnest(ARRAY[-9223372036854775808, -1, 0, 7, 9223372036854775807]) i));
-- Text, uuid and integer ids: the same values and labels, joined back on the key itself;
-- text ids come in byte order (the C collation's), uuids in uuid order.
CREATE TEMP TABLE keyed AS
SELECT id, 'customer-' || id || CASE WHEN id % 7 = 0 THEN '-é' ELSE '' END AS tid,
       md5(id::text)::uuid AS uid, id::int AS iid, id::smallint AS sid, x, label
FROM mall_ref;
SELECT (SELECT count(*) = 200 AND bool_and(v.silhouette = s.silhouette AND v.label = s.label)
        FROM unnest((SELECT silhouette_values(tid, x, label) FROM keyed)) v
        JOIN keyed k ON k.tid = v.id JOIN sv s ON s.id = k.id) AS text_ids,
       (SELECT count(*) = 200 AND bool_and(v.silhouette = s.silhouette AND v.label = s.label)
        FROM unnest((SELECT silhouette_values(uid, x, label) FROM keyed)) v
        JOIN keyed k ON k.uid = v.id JOIN sv s ON s.id = k.id) AS uuid_ids,
       (SELECT count(*) = 200 AND bool_and(v.silhouette = s.silhouette)
        FROM unnest((SELECT silhouette_values(iid, x, label) FROM keyed)) v
        JOIN sv s ON s.id = v.id) AS int_ids,
       (SELECT count(*) = 200 AND bool_and(v.silhouette = s.silhouette)
        FROM unnest((SELECT silhouette_values(sid, x, label) FROM keyed)) v
        JOIN sv s ON s.id = v.id) AS smallint_ids;
SELECT (SELECT array_agg(id ORDER BY i) = array_agg(id ORDER BY id COLLATE "C")
        FROM unnest((SELECT silhouette_values(tid, x, label ORDER BY id) FROM keyed))
             WITH ORDINALITY u(id, label, silhouette, i)) AS text_in_byte_order,
       (SELECT array_agg(id ORDER BY i) = array_agg(id ORDER BY id)
        FROM unnest((SELECT silhouette_values(uid, x, label ORDER BY id) FROM keyed))
             WITH ORDINALITY u(id, label, silhouette, i)) AS uuid_in_order;
SELECT v.id, v.label, round(v.silhouette::numeric, 4) AS silhouette
FROM unnest((SELECT silhouette_values(tid, x, label) FROM keyed)) v
ORDER BY v.silhouette LIMIT 3;
SELECT try($$SELECT silhouette_values(CASE WHEN id = 5 THEN NULL ELSE tid END, x, label) FROM keyed$$);
SELECT try($$SELECT silhouette_values(uid, CASE WHEN id = 5 THEN ARRAY[1::float8] ELSE x END, label) FROM keyed$$);
SELECT silhouette_values(tid, x, label) IS NULL AS no_rows FROM keyed WHERE false;

-- With a model: scaled with the model and labelled by seg_assign. kmeans_fit finds the same
-- partition of the standard-scaled mall data as sklearn's KMeans(5), so the scores are
-- sklearn's mall_scaled_kmeans5 figures.
CREATE TEMP TABLE sm AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m FROM mall_customers;
SELECT pg_temp.rel(silhouette(m, x), 0.41664341513732767) AS silhouette_as_sklearn,
       pg_temp.rel(silhouette(m, x), silhouette(seg_scale(m, x), seg_assign(m, x)))
           AS same_as_labelled_form,
       pg_temp.rel(davies_bouldin(seg_scale(m, x), seg_assign(m, x)), 0.87455105100241792)
           AS davies_bouldin_as_sklearn,
       pg_temp.rel(calinski_harabasz(seg_scale(m, x), seg_assign(m, x)), 125.10094020060957)
           AS calinski_harabasz_as_sklearn
FROM mall_ref, sm;
SELECT silhouette(m, x, '{"sample_size": 80, "seed": 3}') = silhouette(m, x, '{"sample_size": 80, "seed": 3}')
           AS sampled_deterministic,
       silhouette(m, x, '{"sample_size": 500}') = silhouette(m, x) AS whole_sample
FROM mall_ref, sm;
SELECT pg_temp.rel(avg(v.silhouette), (SELECT silhouette(m, x) FROM mall_ref, sm))
           AS mean_is_silhouette,
       bool_and(v.label = seg_assign(sm.m, c.x)) AS labels_are_seg_assign, count(*) AS n
FROM unnest((SELECT silhouette_values(m, id, x) FROM mall_ref, sm)) v, sm,
     mall_ref c WHERE c.id = v.id;
-- Rows seg_assign maps to NULL are skipped (NOTICE), NULL models / features ignored.
SELECT silhouette(m, x) = (SELECT silhouette(m, x) FROM mall_ref, sm) AS same
FROM (SELECT m, x FROM mall_ref, sm
      UNION ALL SELECT m, ARRAY[1, NULL, 3] FROM sm
      UNION ALL SELECT m, NULL FROM sm
      UNION ALL SELECT NULL, ARRAY[1, 2, 3]) t;
SELECT count(*) AS scored
FROM unnest((SELECT silhouette_values(m, id, x)
             FROM (SELECT m, id, x FROM mall_ref, sm
                   UNION ALL SELECT m, 0, ARRAY['NaN', 1, 1]::float8[] FROM sm) t));
SELECT silhouette(m, x) AS no_rows FROM mall_ref, sm WHERE false;
-- An imputing model fills the gaps instead.
SELECT silhouette(mi, x) IS NOT NULL AS imputed
FROM (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5, '{"missing": "impute"}') AS mi
      FROM mall_customers) i,
     (SELECT x FROM mall_ref UNION ALL SELECT ARRAY[30, NULL, 50]) t;
-- Wrong length, mixed models.
SELECT try($$SELECT silhouette(m, ARRAY[1, 2]) FROM sm$$);
SELECT try($$SELECT silhouette_values(m, 1, ARRAY[1, 2, 3, 4]) FROM sm$$);
SELECT try($$SELECT silhouette(m, x) FROM mall_ref, (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], k) AS m FROM mall_customers, generate_series(2, 3) k GROUP BY k) models$$);
SELECT try($$SELECT silhouette_values(m, NULL, x) FROM mall_ref, sm$$);
-- The model form with text and uuid ids: as with bigint ids.
SELECT (SELECT count(*) = 200 AND bool_and(v.silhouette = b.silhouette AND v.label = b.label)
        FROM unnest((SELECT silhouette_values(m, tid, x) FROM keyed, sm)) v
        JOIN keyed k ON k.tid = v.id
        JOIN unnest((SELECT silhouette_values(m, id, x) FROM mall_ref, sm)) b ON b.id = k.id)
           AS text_ids,
       (SELECT count(*) = 200 AND bool_and(v.silhouette = b.silhouette AND v.label = b.label)
        FROM unnest((SELECT silhouette_values(m, uid, x) FROM keyed, sm)) v
        JOIN keyed k ON k.uid = v.id
        JOIN unnest((SELECT silhouette_values(m, id, x) FROM mall_ref, sm)) b ON b.id = k.id)
           AS uuid_ids;
SELECT try($$SELECT silhouette_values(m, NULL::uuid, x) FROM mall_ref, sm$$);
-- Several models, each in its own group.
SELECT k, silhouette(m, x) > 0.2 AS reasonable
FROM mall_ref, (SELECT k, kmeans_fit(ARRAY[age, annual_income, spending_score], k) AS m
                FROM mall_customers, generate_series(2, 4) k GROUP BY k) models
GROUP BY k ORDER BY k;

-- Parallel query: partial aggregates in workers, combined, identical to the serial result
-- (serial results kept in psql variables; the model in a plain table workers can read).
CREATE TABLE score_par AS
SELECT i AS id, ARRAY[(i * 7919 % 1009)::float8, (i * 104729 % 1013)::float8] AS x,
       (i % 4) AS label
FROM generate_series(1, 3000) AS i;
CREATE TABLE score_model AS SELECT kmeans_fit(x, 3) AS m FROM score_par;
ANALYZE score_par;
SELECT silhouette(x, label) AS s, silhouette(x, label, '{"sample_size": 500}') AS ss,
       davies_bouldin(x, label) AS db, calinski_harabasz(x, label) AS ch,
       silhouette_values(id, x, label)::text AS v
FROM score_par \gset
SELECT silhouette(m, x) AS sm, silhouette_values(m, id, x)::text AS vm
FROM score_par, score_model \gset
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT silhouette(x, label), davies_bouldin(x, label),
                           calinski_harabasz(x, label) FROM score_par;
EXPLAIN (COSTS OFF) SELECT silhouette_values(id, x, label) FROM score_par;
-- Text and uuid ids have no partial aggregate: the plan gathers the rows instead.
EXPLAIN (COSTS OFF) SELECT silhouette_values(id::text, x, label) FROM score_par;
EXPLAIN (COSTS OFF) SELECT silhouette((SELECT m FROM score_model), x),
                           silhouette_values((SELECT m FROM score_model), id, x)
                    FROM score_par;
SELECT silhouette(x, label) = :'s' AS s,
       silhouette(x, label, '{"sample_size": 500}') = :'ss' AS ss,
       davies_bouldin(x, label) = :'db' AS db, calinski_harabasz(x, label) = :'ch' AS ch,
       silhouette_values(id, x, label)::text = :'v' AS v
FROM score_par;
SELECT silhouette((SELECT m FROM score_model), x) = :'sm' AS sm,
       silhouette_values((SELECT m FROM score_model), id, x)::text = :'vm' AS vm
FROM score_par;
RESET ALL;
SET force_parallel_mode = on;
SELECT silhouette(x, label) = :'s' AS s, davies_bouldin(x, label) = :'db' AS db,
       calinski_harabasz(x, label) = :'ch' AS ch,
       silhouette_values(id, x, label)::text = :'v' AS v
FROM score_par;
SELECT silhouette((SELECT m FROM score_model), x) = :'sm' AS sm,
       silhouette_values((SELECT m FROM score_model), id, x)::text = :'vm' AS vm
FROM score_par;
RESET force_parallel_mode;
DROP TABLE score_par, score_model;
