-- seg_assign, seg_distance, seg_scale(segmodel), seg_centroids against the fitted model.
CREATE TABLE asg AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
                  '{"feature_names": ["age", "income", "score"]}') AS m
FROM mall_customers;
CREATE TEMP TABLE labelled AS
SELECT c.*, seg_assign(a.m, ARRAY[age, annual_income, spending_score]) AS seg,
       seg_distance(a.m, ARRAY[age, annual_income, spending_score]) AS dist
FROM mall_customers c, asg a;

-- Labelling the training rows reproduces the training sizes and inertia.
SELECT seg, count(*) AS n FROM labelled GROUP BY seg ORDER BY seg;
SELECT (SELECT jsonb_agg(n ORDER BY seg) FROM (SELECT seg, count(*) n FROM labelled GROUP BY seg) t)
       = (m::jsonb)->'sizes' AS sizes_match,
       abs((SELECT sum(dist ^ 2) FROM labelled) - ((m::jsonb)->>'inertia')::float8)
       < 1e-9 * ((m::jsonb)->>'inertia')::float8 AS inertia_match
FROM asg;

-- Fewer distinct rows than k (an empty cluster whose centre sits exactly on 3 equal rows,
-- their own cluster's mean an ulp away): labelling the rows still gives the sizes (was
-- sizes [3, 1, 0] and labels {2, 2, 1, 2}; found by make diffcheck).
SELECT (m::jsonb)->'sizes' AS sizes, (m::jsonb)->>'inertia' AS inertia,
       (SELECT array_agg(seg_assign(m, ARRAY[x]) ORDER BY i) FROM (VALUES (1, 16.641272586385703::float8),
        (2, 16.641272586385703), (3, 9.004371635263684), (4, 16.641272586385703)) v(i, x)) AS labels
FROM (SELECT kmeans_fit(ARRAY[x], 3) AS m FROM (VALUES (16.641272586385703::float8),
      (16.641272586385703), (9.004371635263684), (16.641272586385703)) v(x)) s;

-- seg_centroids is in original units: each centroid is the mean of its members.
SELECT c.cluster, c.size,
       (SELECT bool_and(abs(a - b) < 1e-9 * greatest(1, abs(b)))
        FROM unnest(c.centroid, ARRAY[avg(l.age), avg(l.annual_income), avg(l.spending_score)])
             AS u(a, b)) AS centroid_is_member_mean
FROM asg, seg_centroids(asg.m) c JOIN labelled l ON l.seg = c.cluster
GROUP BY c.cluster, c.size, c.centroid ORDER BY c.cluster;

-- The distance is measured in scaled space, from seg_scale(model, x).
SELECT bool_and(abs(l.dist - (SELECT sqrt(sum((a - b) ^ 2))
                              FROM unnest(seg_scale(asg.m, ARRAY[l.age, l.annual_income,
                                                                 l.spending_score]),
                                          ARRAY(SELECT jsonb_array_elements_text((asg.m::jsonb)->'centroids'->l.seg)::float8))
                                   AS u(a, b))) < 1e-12) AS distance_ok
FROM labelled l, asg;

-- NULL / NaN / Infinity elements give NULL (no imputation); wrong lengths are errors.
SELECT seg_assign(m, ARRAY[30, NULL, 50]) AS with_null,
       seg_assign(m, ARRAY[30, 'NaN'::float8, 50]) AS with_nan,
       seg_distance(m, ARRAY['Infinity'::float8, 60, 50]) AS with_inf,
       seg_assign(m, NULL) AS whole_null
FROM asg;
SELECT try($$SELECT seg_assign(m, ARRAY[1, 2]) FROM asg$$);
SELECT try($$SELECT seg_assign(m, ARRAY[[1, 2, 3]]::float8[]) FROM asg$$);
SELECT try($$SELECT seg_assign(m, '{}'::float8[]) FROM asg$$);
SELECT try($$SELECT seg_distance(m, ARRAY[1, 2, 3, 4]) FROM asg$$);
SELECT try($$SELECT seg_scale(m, ARRAY[1]) FROM asg$$);
-- An imputing model labels incomplete rows with the training means filled in.
SELECT seg_assign(m, ARRAY[NULL, 60, 50]) = seg_assign(m, ARRAY[((m::jsonb)->'impute'->>0)::float8, 60, 50])
       AS imputed_same
FROM (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5, '{"missing": "impute"}') AS m
      FROM mall_customers) t;

-- Several models in one query: the per-query cache follows the model argument.
SELECT k, count(DISTINCT seg_assign(m, ARRAY[age, annual_income, spending_score])) AS labels_used
FROM (SELECT k, kmeans_fit(ARRAY[age, annual_income, spending_score], k) AS m
      FROM mall_customers, generate_series(2, 4) AS k GROUP BY k) models, mall_customers
GROUP BY k ORDER BY k;
