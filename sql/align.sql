-- seg_align: a retrained model keeps the meaning of segment numbers.
SET client_min_messages = warning;
-- Agreement (%) of two models' labels over the mall customers.
CREATE FUNCTION pg_temp.agreement(a segmodel, b segmodel) RETURNS numeric LANGUAGE sql AS $$
    SELECT round(100.0 * avg((seg_assign(a, f) = seg_assign(b, f))::int), 1)
    FROM (SELECT ARRAY[age, annual_income, spending_score] AS f FROM mall_customers) x
$$;
CREATE TABLE ref AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m FROM mall_customers;

-- Aligning a model to itself changes nothing.
SELECT seg_align(m, m)::text = m::text AS identity FROM ref;

-- Same customers in another order: kmeans_fit sorts rows canonically, the model is identical.
CREATE TABLE shuffled AS SELECT * FROM mall_customers ORDER BY md5(customer_id::text);
SELECT (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) FROM shuffled)::text
       = m::text AS same_model
FROM ref;
-- Another seed: the same segments under the same numbers (>= 95% required).
SELECT pg_temp.agreement(seg_align(o.m, ref.m), ref.m) AS seed_1_aligned_pct
FROM ref, (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5, '{"seed": 1}') AS m
           FROM mall_customers) o;
-- Where alignment matters: retrained on 90% of the customers, the segments are the same but
-- their sizes rank differently, so the size-ordered numbers move; seg_align restores them.
CREATE TABLE sample90 AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m
FROM mall_customers WHERE customer_id % 10 <> 2;
SELECT pg_temp.agreement(s.m, ref.m) AS raw_pct,
       pg_temp.agreement(seg_align(s.m, ref.m), ref.m) AS aligned_pct,
       pg_temp.agreement(seg_align(s.m, ref.m), ref.m) >= 95 AS at_least_95
FROM sample90 s, ref;

-- The aligned model is a valid model: it round-trips, keeps inertia and rows, relabels the
-- training rows with its own (permuted) sizes, and has the same centroids, renumbered.
CREATE TABLE aligned AS SELECT seg_align(s.m, ref.m) AS m FROM sample90 s, ref;
SELECT a.m::text::segmodel::text = a.m::text AS round_trip,
       (a.m::jsonb)->'inertia' = (s.m::jsonb)->'inertia' AS same_inertia,
       (a.m::jsonb)->'n_rows' = (s.m::jsonb)->'n_rows' AS same_rows,
       (s.m::jsonb)->'sizes' AS sizes_before, (a.m::jsonb)->'sizes' AS sizes_after
FROM aligned a, sample90 s;
SELECT (SELECT jsonb_agg(n ORDER BY seg)
        FROM (SELECT seg_assign(a.m, ARRAY[age, annual_income, spending_score]) AS seg,
                     count(*) AS n
              FROM mall_customers WHERE customer_id % 10 <> 2 GROUP BY 1) t)
       = (a.m::jsonb)->'sizes' AS sizes_match_labels
FROM aligned a;
SELECT (SELECT array_agg(centroid::text ORDER BY centroid::text) FROM seg_centroids(a.m))
       = (SELECT array_agg(centroid::text ORDER BY centroid::text) FROM seg_centroids(s.m))
       AS same_centroids,
       (SELECT jsonb_agg(x ORDER BY x) FROM jsonb_array_elements((a.m::jsonb)->'mean_distance') x)
       = (SELECT jsonb_agg(x ORDER BY x) FROM jsonb_array_elements((s.m::jsonb)->'mean_distance') x)
       AS same_mean_distances
FROM aligned a, sample90 s;
-- Each aligned cluster's mean distance still belongs to its centroid.
SELECT bool_and(abs(d.md - ((a.m::jsonb)->'mean_distance'->>d.seg)::float8) < 1e-9) AS mean_distance_ok
FROM aligned a,
     LATERAL (SELECT seg_assign(a.m, ARRAY[age, annual_income, spending_score]) AS seg,
                     avg(seg_distance(a.m, ARRAY[age, annual_income, spending_score])) AS md
              FROM mall_customers WHERE customer_id % 10 <> 2 GROUP BY 1) d;

-- seg_train aligns automatically: version 2 (trained on the 90%) keeps version 1's numbers.
CREATE VIEW mall90 AS SELECT * FROM mall_customers WHERE customer_id % 10 <> 2;
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5) AS v1,
       seg_train('mall', 'mall90', ARRAY['age', 'annual_income', 'spending_score'], 5) AS v2;
SELECT pg_temp.agreement(v2.model, v1.model) AS train_aligned_pct
FROM seg_models v1, seg_models v2
WHERE v1.name = 'mall' AND v1.version = 1 AND v2.name = 'mall' AND v2.version = 2;
DELETE FROM seg_models;

-- More clusters than the reference: matched ones take their partner's number, the others
-- the remaining numbers, largest first.
SELECT (a::jsonb)->'sizes' AS sizes_k7,
       ((a::jsonb)->'sizes'->>5)::int >= ((a::jsonb)->'sizes'->>6)::int AS largest_first,
       pg_temp.agreement(a, ref.m) AS k7_pct
FROM ref, (SELECT seg_align(kmeans_fit(ARRAY[age, annual_income, spending_score], 7),
                            (SELECT m FROM ref)) AS a
           FROM mall_customers) t;
-- Fewer clusters: numbers stay 0..k-1, in the order of the reference partners.
SELECT (a::jsonb)->'k' AS k, (a::jsonb)->'sizes' AS sizes_k3,
       (SELECT array_agg(DISTINCT seg_assign(a, ARRAY[age, annual_income, spending_score]))
        FROM mall_customers) AS labels
FROM (SELECT seg_align(kmeans_fit(ARRAY[age, annual_income, spending_score], 3),
                       (SELECT m FROM ref)) AS a
      FROM mall_customers) t;

-- Errors and NULLs.
SELECT try($$SELECT seg_align(kmeans_fit(ARRAY[age, annual_income], 5), (SELECT m FROM ref)) FROM mall_customers$$);
SELECT seg_align(NULL, m) IS NULL AS null_model, seg_align(m, NULL) IS NULL AS null_ref FROM ref;
DROP TABLE ref, shuffled, sample90, aligned;
DROP VIEW mall90;
RESET client_min_messages;
