-- dbscan_fit and the DBSCAN kind on the mall customers (standard scaling): scikit-learn's
-- DBSCAN(eps=0.5, min_samples=5) finds 109 core rows, 6 clusters and 60 noise rows
-- (test/reference/dbscan_reference.txt).
CREATE TEMP VIEW mall AS
SELECT customer_id, ARRAY[age, annual_income, spending_score]::float8[] AS f
FROM mall_customers;
CREATE TABLE db AS SELECT dbscan_fit(f, 0.5, 5) AS m FROM mall;

SELECT (m::jsonb)->>'algorithm' AS algorithm, (m::jsonb)->'k' AS k, (m::jsonb)->'sizes' AS sizes,
       (m::jsonb)->'n_noise' AS n_noise, (m::jsonb)->'eps' AS eps,
       (m::jsonb)->'min_samples' AS min_samples,
       jsonb_array_length((m::jsonb)->'core_points') AS core_points,
       jsonb_array_length((m::jsonb)->'core_clusters') AS core_clusters
FROM db;
SELECT (m::jsonb)->'options' AS options FROM db;
-- Labelling the training rows reproduces the sizes and the noise count.
CREATE TEMP TABLE db_rows AS SELECT customer_id, seg_assign(m, f) AS seg FROM mall, db;
SELECT seg, count(*) FROM db_rows GROUP BY seg ORDER BY seg;
SELECT (SELECT jsonb_agg(n ORDER BY seg) FROM (SELECT seg, count(*) AS n FROM db_rows
        WHERE seg >= 0 GROUP BY seg) s) = (m::jsonb)->'sizes' AS sizes_reproduced,
       (SELECT count(*) FROM db_rows WHERE seg = -1) = ((m::jsonb)->>'n_noise')::int
       AS noise_reproduced
FROM db;
-- A far-away customer is noise; seg_distance is the distance to the nearest core point.
SELECT seg_assign(m, ARRAY[200, 1000, -50]::float8[]) AS far_away,
       seg_distance(m, ARRAY[200, 1000, -50]::float8[]) > 0.5 AS beyond_eps FROM db;
SELECT m::text::segmodel::text = m::text AS round_trip FROM db;
SELECT try($$SELECT seg_proba(m, ARRAY[1, 2, 3]::float8[]) FROM db$$);

-- Bad input.
SELECT try($$SELECT dbscan_fit(f, 0, 5) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 'NaN', 5) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 0.5, 0) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, NULL, 5) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 0.01, 5) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 0.5, 5, '{"n_init": 3}') FROM mall$$);
SELECT try($$SELECT dbscan_fit(x, 1, 1) FROM (VALUES (ARRAY[1,2]::float8[]), (ARRAY[1]::float8[])) v(x)$$);
-- eps, min_samples and the options are the same on every row of a group.
SELECT try($$SELECT dbscan_fit(f, 0.5 + (customer_id = 100)::int * 0.1, 5) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 0.5, 5 + (customer_id = 100)::int) FROM mall$$);
SELECT try($$SELECT dbscan_fit(f, 0.5, 5, CASE WHEN customer_id = 100 THEN '{"scale": "minmax"}'::jsonb END) FROM mall$$);
SELECT dbscan_fit(x, 1, 1) IS NULL AS empty_is_null FROM (SELECT ARRAY[1]::float8[] WHERE false) v(x);
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2]::float8[]) FROM db$$);
SELECT try(format('SELECT %L::segmodel',
               jsonb_set((m::jsonb), '{core_clusters,0}', '99')::text)) ~ '^22P02' AS bad_cluster
FROM db;

-- A forced parallel plan gives the same model.
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT dbscan_fit(f, 0.5, 5) FROM mall;
SELECT (SELECT dbscan_fit(f, 0.5, 5) FROM mall)::text = (SELECT m::text FROM db) AS same_in_parallel;
RESET force_parallel_mode;
-- seg_align renumbers a DBSCAN model: its core points' clusters follow the centroids (the
-- reference: the centroids in reverse order), noise stays noise.
CREATE TEMP TABLE db_align AS
SELECT m, seg_align(m, jsonb_set(m::jsonb, '{centroids}',
         (SELECT jsonb_agg(c ORDER BY o DESC)
          FROM jsonb_array_elements((m::jsonb)->'centroids') WITH ORDINALITY e(c, o)))::segmodel) AS a
FROM db;
SELECT bool_and(CASE WHEN seg_assign(m, f) = -1 THEN seg_assign(a, f) = -1
                     ELSE seg_assign(a, f) = ((m::jsonb)->>'k')::int - 1 - seg_assign(m, f)
                END) AS every_label_reversed,
       count(*) FILTER (WHERE seg_assign(a, f) = -1) AS noise
FROM mall, db_align;
DROP TABLE db_align;
DROP TABLE db, db_rows;
