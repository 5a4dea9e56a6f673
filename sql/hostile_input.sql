-- Input a hostile or careless user sends (issue 11, items 10 and 11): huge values, options a
-- function does not take, parameters that change between rows, models of other features,
-- infinite dates. Each gives a right answer or a clear error, never XX000 or silent nonsense.
SET client_min_messages = warning;
CREATE TABLE hi AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
                  '{"feature_names": ["age", "income", "score"]}') AS m
FROM mall_customers;

-- seg_assign at 1e200: the squared distances overflow; the label is still the nearest centroid
-- (the one furthest out along that feature), the distance finite and right.
SELECT seg_assign(m, ARRAY[1e200, 50, 50]) =
       (SELECT cluster FROM seg_centroids(m) ORDER BY centroid[1] DESC LIMIT 1) AS far_age,
       seg_assign(m, ARRAY[-1e200, 50, 50]) =
       (SELECT cluster FROM seg_centroids(m) ORDER BY centroid[1] LIMIT 1) AS far_young,
       seg_assign(m, ARRAY[50, 50, 1e200]) =
       (SELECT cluster FROM seg_centroids(m) ORDER BY centroid[3] DESC LIMIT 1) AS far_score,
       abs(seg_distance(m, ARRAY[1e200, 50, 50])
           / (1e200 / ((m::jsonb)->'scaler'->'scale'->>0)::float8) - 1) < 1e-12 AS distance
FROM hi;
-- The same labels through the registry (the C lookup path) and at 1e308.
SELECT seg_save('hostile', m) FROM hi;
SELECT seg_assign('hostile', ARRAY[1e200, 50, 50]) = seg_assign(m, ARRAY[1e200, 50, 50])
       AS same_by_name,
       seg_assign(m, ARRAY[1e308, -1e308, 1e308]) IS NOT NULL AS labels_1e308,
       seg_distance(m, ARRAY[1e308, -1e308, 1e308]) < 'Infinity' AS finite_1e308
FROM hi;
-- k-prototypes models too: the numeric part decides a row that far out, the distance is finite.
SELECT seg_assign(kp, ARRAY[-1e200, 50, 50], ARRAY['Male']) =
       (SELECT cluster FROM seg_centroids(kp) ORDER BY centroid[1] LIMIT 1) AS far_young,
       seg_assign(kp, ARRAY[50, 1e200, 50], ARRAY['Male']) =
       (SELECT cluster FROM seg_centroids(kp) ORDER BY centroid[2] DESC LIMIT 1) AS far_income,
       seg_distance(kp, ARRAY[-1e200, 50, 50], ARRAY['Male']) < 'Infinity' AS finite
FROM (SELECT kprototypes_fit(ARRAY[age, annual_income, spending_score], ARRAY[gender], 4) AS kp
      FROM mall_customers) q;
-- Hierarchical models too: a row that far out gets the cluster of the leaf that is nearest in
-- exact (numeric) arithmetic, leaves tied on the far feature told apart by the others, and a
-- finite distance (the label was the first leaf's and the distance infinite).
CREATE FUNCTION hi_nearest_leaf(m segmodel, x float8[]) RETURNS int LANGUAGE sql AS $$
    WITH l AS (SELECT ord, leaf
               FROM jsonb_array_elements(m::jsonb -> 'leaves') WITH ORDINALITY t(leaf, ord)),
         d AS (SELECT ord, sum(((leaf ->> (j - 1))::numeric - x[j]::numeric) ^ 2) AS d2
               FROM l, generate_subscripts(x, 1) j GROUP BY ord)
    SELECT ((m::jsonb -> 'leaf_clusters') ->> ((SELECT ord FROM d ORDER BY d2, ord LIMIT 1)::int - 1))::int $$;
SELECT x, seg_assign(m, x) = hi_nearest_leaf(m, x) AS nearest_leaf,
       seg_distance(m, x) < 'Infinity' AS finite
FROM (SELECT hclust_fit(ARRAY[age, annual_income, spending_score], 4, '{"scale": "none"}') AS m
      FROM mall_customers) h,
     (VALUES (ARRAY[1e200, 50, 50]::float8[]), (ARRAY[-1e200, 50, 50]), (ARRAY[50, 1e200, 50]),
             (ARRAY[50, 50, 1e308]), (ARRAY[50, 50, -1e308]), (ARRAY[1e160, 1e160, 0]),
             (ARRAY[1e50, 50, 50])) v(x);
DROP FUNCTION hi_nearest_leaf(segmodel, float8[]);
-- Gaussian mixtures and DBSCAN too: far out, a GMM row gets the component a row at 1e7 on
-- that feature gets, with probability 1, at a finite distance (it got component 0, 1/k each
-- and Infinity); a DBSCAN row is noise at a finite distance (was Infinity).
SELECT x, seg_assign(g, x) = seg_assign(g, near) AS same_component_as_1e7,
       (seg_proba(g, x))[seg_assign(g, x) + 1] = 1 AS certain,
       seg_distance(g, x) < 'Infinity' AS finite,
       seg_assign(d, x) AS dbscan, seg_distance(d, x) < 'Infinity' AS dbscan_finite
FROM (SELECT gmm_fit(ARRAY[age, annual_income, spending_score], 3, '{"seed": 1}') AS g,
             dbscan_fit(ARRAY[age, annual_income, spending_score], 0.5, 5) AS d
      FROM mall_customers) m,
     (VALUES (ARRAY[1e200, 50, 50]::float8[], ARRAY[1e7, 50, 50]::float8[]),
             (ARRAY[-1e200, 50, 50], ARRAY[-1e7, 50, 50]),
             (ARRAY[50, 1e200, 50], ARRAY[50, 1e7, 50]),
             (ARRAY[50, 50, 1e308], ARRAY[50, 50, 1e7]),
             (ARRAY[50, 50, -1e308], ARRAY[50, 50, -1e7])) v(x, near);
-- A finite input whose scaled value overflows (scale < 1) is a clear error naming the feature.
SELECT try($$SELECT seg_assign(kmeans_fit(ARRAY[x, y], 1), ARRAY[1.7e308, 0])
             FROM (VALUES (0.1, 1), (0.2, 2), (0.3, 3)) v(x, y)$$);
-- Behind a yeo-johnson transform (lambda -1.32 here) a finite value can overflow in the
-- transform itself: the error names the value given and the transform (it said "feature 1 =
-- -Infinity is out of range for the model's scaler"). With clipping the row is clipped to the
-- lowest training quantile like any other far value: a defined label.
CREATE TABLE hi_yj AS
SELECT 100 - sqrt(i::float8) * 3 + (i % 5) AS a, (i % 7) * 1.0 AS b FROM generate_series(1, 200) i;
SELECT try($$SELECT seg_assign(kmeans_fit(ARRAY[a, b], 2, '{"transform": ["yeo-johnson", "none"]}'),
                               ARRAY[-1e200, 1]) FROM hi_yj$$);
SELECT try($$SELECT seg_drift(m, ARRAY[a * CASE WHEN a > 95 THEN -1e200 ELSE 1 END, b])
             FROM hi_yj, (SELECT kmeans_fit(ARRAY[a, b], 2, '{"transform": ["yeo-johnson", "none"]}') AS m
                          FROM hi_yj) f$$);
SELECT seg_assign(m, ARRAY[-1e200, 1]) = seg_assign(m, ARRAY[-1e6, 1]) AS clipped_like_any_far_value
FROM (SELECT kmeans_fit(ARRAY[a, b], 2, '{"transform": ["yeo-johnson", "none"], "clip": [0.01, 0.99]}') AS m
      FROM hi_yj) f;
DROP TABLE hi_yj;

-- seg_drift over rows holding 1e200: a report, not "cannot write a non-finite number"; the
-- segment shares are stable, the distance to the centroids is not (the overall verdict).
SELECT r->'rows' AS rows, r->'unlabelled' AS unlabelled,
       (r->>'mean_distance_now')::float8 > 1e190 AS far_away,
       r->>'segment_verdict' AS segment_verdict, r->>'distance_verdict' AS distance_verdict,
       r->>'verdict' AS verdict
FROM (SELECT seg_drift(hi.m, ARRAY[age * CASE WHEN customer_id = 7 THEN 1e200 ELSE 1 END,
                                  annual_income, spending_score]) AS r
      FROM mall_customers, hi GROUP BY hi.m::text) d;
-- Values whose sums (per feature, or of the distances) go beyond the double range: a clear
-- error (22003/22000), not XX000.
SELECT try($$SELECT seg_drift(hi.m, ARRAY[1e308, -1e308, 1e308]) FROM mall_customers, hi$$);
-- Behind a log1p transform the distances stay small but the per-feature sums (the means now,
-- in original units) overflow: the same clear error, naming the feature.
SELECT try($$SELECT seg_drift(l.m, ARRAY[1.5e308, 1, 1])
             FROM mall_customers,
                  (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 2,
                                     '{"transform": ["log1p", "none", "none"]}') AS m
                   FROM mall_customers) l$$);

-- kmeans_sweep and seg_sweep have no option "sample" (every k sees all rows): 22023.
SELECT try($$SELECT kmeans_sweep(ARRAY[age, annual_income], 2, 3, '{"sample": 50}')
             FROM mall_customers$$);
SELECT try($$SELECT * FROM seg_sweep('mall_customers', ARRAY['age', 'annual_income'], 2, 3,
                                    '{"sample": 50}')$$);

-- k, k_min/k_max and the options must not change between the rows of a group: the result
-- would depend on the scan order. A NULL k on a later row is not ignored either.
SELECT try($$SELECT kmeans_fit(ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN 3 ELSE 4 END)
             FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN 3 END)
             FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age, annual_income], 3,
                               CASE WHEN customer_id < 100 THEN '{"seed": 1}'
                                    ELSE '{"seed": 2}' END::jsonb)
             FROM mall_customers$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[age, annual_income], 2,
                                 CASE WHEN customer_id < 100 THEN 3 ELSE 4 END)
             FROM mall_customers$$);
SELECT try($$SELECT kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender],
                                    CASE WHEN customer_id < 100 THEN 3 ELSE 2 END)
             FROM mall_customers$$);
-- Options equal as JSON but written differently are the same options.
SELECT (kmeans_fit(ARRAY[age, annual_income], 3,
                   CASE WHEN customer_id < 100 THEN '{"seed": 1, "n_init": 2}'
                        ELSE '{"n_init": 2,   "seed": 1}' END::jsonb))::text
       = (SELECT kmeans_fit(ARRAY[age, annual_income], 3, '{"seed": 1, "n_init": 2}')::text
          FROM mall_customers) AS same_options
FROM mall_customers;
-- ... and so is a per-group k (one k per group is fine).
SELECT gender, (m::jsonb)->'k' AS k
FROM (SELECT gender, kmeans_fit(ARRAY[age, annual_income],
                                CASE gender WHEN 'Male' THEN 2 ELSE 3 END) AS m
      FROM mall_customers GROUP BY gender) g ORDER BY gender;
-- Constant options (and a query parameter) are checked on their first row only: per group
-- the model is the one a fit of that group alone gives, and options that differ between
-- groups but not within one are fine.
SELECT gender, kmeans_fit(ARRAY[age, annual_income], 2, '{"seed": 5}')::text
       = (SELECT kmeans_fit(ARRAY[age, annual_income], 2, '{"seed": 5}')::text
          FROM mall_customers c WHERE c.gender = g.gender) AS same_as_alone
FROM mall_customers g GROUP BY gender ORDER BY gender;
PREPARE fit_with(jsonb) AS
    SELECT gender, (kmeans_fit(ARRAY[age, annual_income], 2, $1)::jsonb)->'options'->'seed'
    FROM mall_customers GROUP BY gender ORDER BY gender;
EXECUTE fit_with('{"seed": 6}');
SET plan_cache_mode = force_generic_plan;  -- $1 stays a parameter in the plan
EXECUTE fit_with('{"seed": 6}');
RESET plan_cache_mode;
DEALLOCATE fit_with;
SELECT gender, (kmeans_fit(ARRAY[age, annual_income], 2,
                           CASE gender WHEN 'Male' THEN '{"seed": 7}'
                                       ELSE '{"seed": 8}' END::jsonb)::jsonb)->'options'->'seed'
FROM mall_customers GROUP BY gender ORDER BY gender;

-- Every other aggregate taking a parameter checks it on every row too (they took the first
-- row's and applied it to all): hclust_fit's k and options, scaler_fit's method, the three
-- silhouettes' options, the stream engine's seeding options and its pass's model.
SELECT try($$SELECT hclust_fit(ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN 2 ELSE 5 END)
             FROM mall_customers$$);
SELECT try($$SELECT hclust_fit(ARRAY[age, annual_income], 3,
                               CASE WHEN customer_id < 100 THEN '{"linkage": "single"}'
                                    ELSE '{"linkage": "complete"}' END::jsonb)
             FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN 'standard' ELSE 'minmax' END)
             FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN 'standard' END)
             FROM mall_customers$$);
SELECT try($$SELECT silhouette(ARRAY[age, annual_income], customer_id % 3,
                               CASE WHEN customer_id < 100 THEN '{"sample_size": 50, "seed": 1}'
                                    ELSE '{"sample_size": 150, "seed": 2}' END::jsonb)
             FROM mall_customers$$);
CREATE TABLE hi_models AS
SELECT kmeans_fit(ARRAY[age, annual_income], 3, '{"seed": 1}') AS km,
       kmeans_fit(ARRAY[age, annual_income], 3, '{"seed": 1, "scale": "none"}') AS km_raw,
       kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 2) AS kp
FROM mall_customers;
SELECT try($$SELECT silhouette(km, ARRAY[age, annual_income],
                               CASE WHEN customer_id < 100 THEN '{"sample_size": 50, "seed": 1}'
                                    ELSE '{"sample_size": 150, "seed": 2}' END::jsonb)
             FROM mall_customers, hi_models$$);
SELECT try($$SELECT silhouette(kp, ARRAY[age, annual_income], ARRAY[gender],
                               CASE WHEN customer_id < 100 THEN '{"sample_size": 50, "seed": 1}'
                                    ELSE '{"sample_size": 150, "seed": 2}' END::jsonb)
             FROM mall_customers, hi_models$$);
SELECT try($$SELECT seg_stream_seed(ARRAY[age, annual_income],
                                    CASE WHEN customer_id < 100 THEN '{"sample": 50, "seed": 1}'
                                         ELSE '{"sample": 150, "seed": 2}' END::jsonb)
             FROM mall_customers$$);
-- Two models of the same k and features: a pass mixing them is no pass of either.
SELECT try($$SELECT seg_stream_pass(CASE WHEN customer_id < 100 THEN km ELSE km_raw END,
                                    ARRAY[age, annual_income])
             FROM mall_customers, hi_models$$);
-- One parameter per group is fine, a window frame's rows are one group, and a constant (a
-- literal or a PL/pgSQL variable) gives each group the result of that group alone.
SELECT gender, (m::jsonb)->'k' AS k, (m::jsonb)->'options'->'linkage' AS linkage
FROM (SELECT gender, hclust_fit(ARRAY[age, annual_income], CASE gender WHEN 'Male' THEN 2 ELSE 3 END,
                                CASE gender WHEN 'Male' THEN '{"linkage": "average"}'
                                            ELSE '{"linkage": "ward"}' END::jsonb) AS m
      FROM mall_customers GROUP BY gender) g ORDER BY gender;
SELECT gender, silhouette(km, ARRAY[age, annual_income], '{"sample_size": 60, "seed": 3}')
       = (SELECT silhouette(km, ARRAY[age, annual_income], '{"sample_size": 60, "seed": 3}')
          FROM mall_customers c, hi_models WHERE c.gender = g.gender) AS same_as_alone
FROM mall_customers g, hi_models GROUP BY gender ORDER BY gender;
CREATE FUNCTION hi_silhouette(opts jsonb) RETURNS TABLE (gender text, s float8)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT c.gender::text, silhouette(m.km, ARRAY[c.age, c.annual_income], opts)
                 FROM mall_customers c, hi_models m GROUP BY c.gender, m.km::text;
END $$;
SELECT f.gender, f.s = (SELECT silhouette(km, ARRAY[age, annual_income], '{"sample_size": 40}')
                        FROM mall_customers c, hi_models WHERE c.gender = f.gender) AS same_as_alone
FROM hi_silhouette('{"sample_size": 40}') f ORDER BY f.gender;
SELECT try($$SELECT count(w::text)
             FROM (SELECT kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 2,
                                          CASE WHEN customer_id % 2 = 0 THEN '{"seed": 1}'
                                               ELSE '{"seed": 2}' END::jsonb)
                          OVER (ORDER BY customer_id ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS w
                   FROM mall_customers) z$$);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE w::text <> (SELECT kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 2,
                                                                 '{"seed": 1}')::text
                                         FROM mall_customers c WHERE c.gender = z.gender)) AS wrong
FROM (SELECT gender, kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 2, '{"seed": 1}')
                         OVER (PARTITION BY gender) AS w
      FROM mall_customers) z;
DROP FUNCTION hi_silhouette(jsonb);
DROP TABLE hi_models;

-- seg_align refuses a reference trained on other features (names compared when both have them).
SELECT try($$SELECT seg_align(hi.m, (SELECT kmeans_fit(ARRAY[age, spending_score, annual_income],
                                      5, '{"feature_names": ["age", "score", "income"]}')
                                     FROM mall_customers)) FROM hi$$);
SELECT seg_align(hi.m, hi.m)::text = hi.m::text AS self_aligned FROM hi;

-- The robust scaler on [1e308, -1e308]: the quartiles do not overflow, so the scale is the
-- interquartile range 1e308 (numpy: percentile 75 - 25 = 5e307 - -5e307), not a silent 1.
SELECT (s::jsonb)->'center' AS center, ((s::jsonb)->'scale'->>0)::float8 AS scale
FROM (SELECT scaler_fit(ARRAY[x], 'robust') AS s FROM (VALUES (1e308), (-1e308)) v(x)) q;
-- Ranges that do not fit a double are refused, naming the feature.
SELECT try($$SELECT scaler_fit(ARRAY[x], 'minmax') FROM (VALUES (1e308), (-1e308)) v(x)$$);
SELECT try($$SELECT scaler_fit(ARRAY[x], 'robust')
             FROM (VALUES (1.7e308), (-1.7e308), (1.7e308), (-1.7e308)) v(x)$$);

-- seg_rfm: lines dated +-infinity are not purchases (ignored like NULL dates); as_of must be
-- finite; an as_of in the future gets a WARNING.
CREATE TABLE hi_orders(customer int, at timestamptz, amount numeric);
INSERT INTO hi_orders VALUES (1, '-infinity', 10), (1, '2011-11-01', 5), (2, '-infinity', 7),
    (3, '2011-12-01', 1), (4, 'infinity', 3);
SELECT customer, recency_days, frequency, monetary
FROM seg_rfm('hi_orders', 'customer', 'at', 'amount', '2011-12-10') ORDER BY customer;
SELECT try($$SELECT * FROM seg_rfm('hi_orders', 'customer', 'at', 'amount', 'infinity')$$);
SELECT try($$SELECT * FROM seg_rfm('hi_orders', 'customer', 'at', 'amount', '-infinity')$$);
SELECT count(*) FROM seg_rfm('hi_orders', 'customer', 'at', 'amount', '9999-12-31');

-- A scaled value beyond 1e100 is refused naming the feature (by its name when the model has
-- names, as every other feature error does).
SELECT try($$SELECT kmeans_fit(ARRAY[i::float8, CASE WHEN i = 3 THEN 1e120 ELSE i END], 2,
                               '{"scale": "none", "feature_names": ["visits", "spend"]}')
             FROM generate_series(1, 5) i$$);
SELECT try($$SELECT kmeans_fit(ARRAY[i::float8, CASE WHEN i = 3 THEN 1e120 ELSE i END], 2,
                               '{"scale": "none"}')
             FROM generate_series(1, 5) i$$);

DROP TABLE hi, hi_orders;
DELETE FROM seg_models WHERE name = 'hostile';
RESET client_min_messages;
