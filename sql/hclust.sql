-- hclust_fit, seg_dendrogram, seg_cut and seg_assign by nearest leaf on the mall customers.
-- scipy figures: test/reference/hclust_mall.csv (`/usr/bin/python3
-- test/reference/hclust_reference.py`, scipy 1.10.1 linkage on the same standard-scaled rows).
CREATE TEMP VIEW mall AS
SELECT customer_id, ARRAY[age, annual_income, spending_score] AS x FROM mall_customers;
CREATE TABLE hc AS
SELECT hclust_fit(x, 5, '{"feature_names": ["age", "income", "score"]}') AS m FROM mall;

-- The model: kind, shape, sizes largest first, the options with the defaults filled in.
SELECT (m::jsonb)->>'algorithm' AS algorithm, (m::jsonb)->'k' AS k, (m::jsonb)->'n_rows' AS n,
       (m::jsonb)->'sizes' AS sizes, (m::jsonb)->'options' AS options
FROM hc;
-- Leaves are the 200 rows (200 <= max_leaves): 199 merges; the last four heights are scipy's
-- (9.739221963286743, 12.843792941888314, 12.905952032067814, 20.000044984141844).
SELECT jsonb_array_length((m::jsonb)->'leaves') AS leaves, count(*) AS merges
FROM hc, seg_dendrogram(hc.m) GROUP BY 1;
SELECT d.step, d.left_node, d.right_node, round(d.height::numeric, 9) AS height, d.size
FROM hc, seg_dendrogram(hc.m) d WHERE d.step >= 195 ORDER BY d.step;
SELECT bool_and(abs(d.height - s.h) <= 1e-9 * s.h) AS heights_as_scipy
FROM hc, seg_dendrogram(hc.m) d
JOIN (VALUES (195, 9.739221963286743::float8), (196, 12.843792941888314),
             (197, 12.905952032067814), (198, 20.000044984141844)) s(step, h)
  ON s.step = d.step;
-- The first merges: the closest pairs of customers.
SELECT step, left_node, right_node, height, size FROM hc, seg_dendrogram(hc.m) LIMIT 3;

-- k-means and Ward side by side on the same customers (the README's story): centroids in
-- original units, and how the two segmentations cross.
SELECT 'kmeans' AS algorithm, cluster, size, array(SELECT round(v::numeric, 1) FROM unnest(centroid) v) AS centroid
FROM seg_centroids((SELECT kmeans_fit(x, 5) FROM mall))
UNION ALL
SELECT 'ward', cluster, size, array(SELECT round(v::numeric, 1) FROM unnest(centroid) v)
FROM hc, seg_centroids(hc.m)
ORDER BY 1 DESC, 2;
SELECT seg_assign(k.m, x) AS kmeans, seg_assign(hc.m, x) AS ward, count(*)
FROM (SELECT kmeans_fit(x, 5) AS m FROM mall) k, hc, mall GROUP BY 1, 2 ORDER BY 1, 2;

-- Labelling the training rows with seg_assign (nearest leaf) reproduces the sizes.
SELECT seg_assign(hc.m, x) AS seg, count(*) FROM hc, mall GROUP BY 1 ORDER BY 1;
SELECT round(avg(seg_distance(hc.m, x))::numeric, 6) AS mean_distance FROM hc, mall;

-- seg_cut: the same tree in 3 clusters equals a fit with k = 3; k = 1 and k = n.
SELECT seg_cut(m, 3)::text = (SELECT hclust_fit(x, 3, '{"feature_names": ["age", "income",
       "score"]}') FROM mall)::text AS cut_equals_fit,
       (seg_cut(m, 3)::jsonb)->'sizes' AS sizes_3, (seg_cut(m, 1)::jsonb)->'sizes' AS sizes_1,
       (seg_cut(m, 200)::jsonb)->'k' AS k_200
FROM hc;

-- The other linkages: the root heights are scipy's.
SELECT l, round(((SELECT height FROM seg_dendrogram(f.m) ORDER BY step DESC LIMIT 1))::numeric,
                 12) AS root_height, (f.m::jsonb)->'sizes' AS sizes
FROM (SELECT l, (SELECT hclust_fit(x, 4, jsonb_build_object('linkage', l)) FROM mall) AS m
      FROM unnest(ARRAY['complete', 'average', 'single']) l) f;

-- Above max_leaves: micro-clusters (50 leaves of 200 rows); sizes still reproduced.
CREATE TEMP TABLE hc_micro AS
SELECT hclust_fit(x, 4, '{"max_leaves": 50, "seed": 3}') AS m FROM mall;
SELECT jsonb_array_length((m::jsonb)->'leaves') <= 50 AS at_most_50,
       (SELECT sum(v::int) FROM jsonb_array_elements_text((m::jsonb)->'leaf_sizes') v) AS rows,
       (m::jsonb)->'sizes' AS sizes
FROM hc_micro;
SELECT seg_assign(h.m, x) AS seg, count(*) FROM hc_micro h, mall GROUP BY 1 ORDER BY 1;
-- The model round-trips through text.
SELECT m::text::segmodel::text = m::text AS text_round_trip FROM hc_micro;

-- Ties across the cut: three equal rows and one apart cannot give 3 clusters.
SELECT (hclust_fit(x, 3)::jsonb)->'k' AS k
FROM (VALUES (ARRAY[1.0, 1.0]), (ARRAY[1.0, 1.0]), (ARRAY[1.0, 1.0]), (ARRAY[5.0, 2.0])) v(x);

-- k = n with equal rows: they stay together (seg_assign cannot tell equal leaves apart; the
-- model said [1, 1, 1, 1] and labelling the rows gave {1, 1, 1, 0}; found by make diffcheck).
SELECT (m::jsonb)->'k' AS k, (m::jsonb)->'sizes' AS sizes,
       (SELECT array_agg(seg_assign(m, x) ORDER BY i) FROM (VALUES (1, ARRAY[1.25, -0.5]),
        (2, ARRAY[1.25, -0.5]), (3, ARRAY[-2.5, 0.75]), (4, ARRAY[1.25, -0.5])) v(i, x)) AS labels
FROM (SELECT hclust_fit(x, 4) AS m FROM (VALUES (ARRAY[1.25, -0.5]), (ARRAY[1.25, -0.5]),
      (ARRAY[-2.5, 0.75]), (ARRAY[1.25, -0.5])) v(x)) s;

-- Edge cases: one row (one leaf, no merges), k = n (singletons), only duplicate rows (one
-- distinct value: the micro-cluster path keeps one leaf; k = 2 cannot be cut from a tree of
-- zero heights, so the model has one cluster and a NOTICE says so).
SELECT (m::jsonb)->'k' AS k, (m::jsonb)->'sizes' AS sizes,
       (SELECT count(*) FROM seg_dendrogram(m)) AS merges, seg_assign(m, ARRAY[1.0, 2.0]) AS label
FROM (SELECT hclust_fit(x, 1) AS m FROM (VALUES (ARRAY[1.0, 2.0])) v(x)) t;
SELECT (hclust_fit(x, 4)::jsonb)->'sizes' AS sizes
FROM (VALUES (ARRAY[1.0, 0]), (ARRAY[2.0, 0]), (ARRAY[4.0, 0]), (ARRAY[8.0, 0])) v(x);
SELECT (m::jsonb)->'sizes' AS sizes, jsonb_array_length((m::jsonb)->'leaves') AS leaves,
       seg_assign(m, ARRAY[3.0, 3.0]) AS label
FROM (SELECT hclust_fit(ARRAY[3.0, 3.0], 1, '{"max_leaves": 10}') AS m
      FROM generate_series(1, 100)) t;
SELECT (hclust_fit(ARRAY[3.0, 3.0], 2)::jsonb)->'sizes' AS sizes FROM generate_series(1, 100);

-- Bad input.
SELECT hclust_fit(x, 5) FROM mall WHERE false;                    -- no rows: NULL
SELECT hclust_fit(x, NULL) FROM mall;
SELECT hclust_fit(x, 0) FROM mall;
SELECT hclust_fit(x, 201) FROM mall;
SELECT hclust_fit(x, 2, '{"linkage": "centroid"}') FROM mall;
SELECT hclust_fit(x, 2, '{"max_leaves": 0}') FROM mall;
SELECT hclust_fit(x, 2, '{"n_init": 3}') FROM mall;
SELECT hclust_fit(x, 2) FROM (VALUES (ARRAY[1.0, 2.0]), (ARRAY[1.0, 2.0, 3.0])) v(x);
SELECT (hclust_fit(x, 2)::jsonb)->'n_skipped' AS skipped
FROM (VALUES (ARRAY[1.0, 2.0]), (ARRAY['NaN', 2.0]::float8[]), (ARRAY[NULL, 1.0]::float8[]),
             (ARRAY[3.0, 'Infinity']::float8[]), (ARRAY[4.0, 0.0]), (NULL)) v(x);
SELECT seg_assign(hc.m, ARRAY[1.0, 2.0]) FROM hc;
SELECT seg_assign(hc.m, ARRAY[NULL, 2.0, 3.0]::float8[]) IS NULL AS null_row FROM hc;
SELECT seg_cut(m, 0) FROM hc;
SELECT seg_cut(m, 201) FROM hc;
SELECT * FROM seg_dendrogram((SELECT kmeans_fit(x, 2) FROM mall));
SELECT seg_cut((SELECT kmeans_fit(x, 2) FROM mall), 2);
-- A malformed model: a merge that reuses a node is refused on input.
SELECT jsonb_set(m::jsonb, '{merge_right,1}', ((m::jsonb)->'merge_left'->0))::text::segmodel
FROM hc;
-- The distance matrix of complete linkage is counted against customer_seg.max_memory.
SET customer_seg.max_memory = '128kB';
SELECT hclust_fit(x, 2, '{"linkage": "complete"}') FROM mall;
SELECT (hclust_fit(x, 2)::jsonb)->'k' AS ward_needs_no_matrix FROM mall;
RESET customer_seg.max_memory;

-- A forced-parallel plan gives the same model.
SET force_parallel_mode = on;
SELECT (SELECT hclust_fit(x, 5, '{"feature_names": ["age", "income", "score"]}') FROM mall)::text
       = m::text AS same_model_parallel
FROM hc;
RESET force_parallel_mode;
DROP TABLE hc;
