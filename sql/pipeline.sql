-- The feature pipeline inside the model: transform -> impute -> clip -> scale, stored in the
-- model and applied again by seg_assign, the scores, the profiles and seg_centroids.
SET client_min_messages = warning;
SET extra_float_digits = 0;

-- Yeo-Johnson lambdas equal scikit-learn 1.2.1's PowerTransformer(method="yeo-johnson",
-- standardize=False) to 1e-6 (test/reference/yeo_johnson_reference.py: wholesale).
CREATE TABLE pw AS
SELECT kmeans_fit(ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen], 4,
                  '{"transform": ["yeo-johnson","yeo-johnson","yeo-johnson","yeo-johnson","yeo-johnson","yeo-johnson"],
                    "feature_names": ["fresh","milk","grocery","frozen","detergents","delicassen"]}') AS m
FROM wholesale_customers;
SELECT j, abs(((m::jsonb)->'lambdas'->>(j::int - 1))::float8 - s) < 1e-6 AS lambda_matches_sklearn
FROM pw, unnest(ARRAY[0.29439123289326263, 0.06626945774945416, 0.12374213312064684,
                      0.08797998264427842, 0.055398831547407816, 0.1854110537092628])
     WITH ORDINALITY AS u(s, j);
SELECT (m::jsonb)->'transform' AS transform, (m::jsonb)->'options'->'transform' IS NOT NULL AS in_options,
       (m::jsonb)->'clip_bounds' AS clip_bounds, m::text::segmodel::text = m::text AS round_trip,
       m::jsonb::text::segmodel::text = m::text AS jsonb_round_trip
FROM pw;
-- Labelling the training rows reproduces the sizes (the pipeline is applied again).
SELECT (SELECT array_agg(n ORDER BY seg) FROM (
          SELECT seg_assign(m, ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]) AS seg,
                 count(*) AS n FROM wholesale_customers GROUP BY 1) t)
       = ARRAY(SELECT jsonb_array_elements_text((m::jsonb)->'sizes')::bigint) AS sizes_reproduced
FROM pw;
-- seg_centroids: the scaled centroid unscaled, then through the inverse transform.
SELECT c.cluster,
       abs(c.centroid[2] - (CASE WHEN u >= 0 THEN power(u * l + 1, 1 / l) - 1
                                 ELSE 1 - power(-(2 - l) * u + 1, 1 / (2 - l)) END)) < 1e-9 * c.centroid[2]
       AS milk_back_through_inverse
FROM pw, seg_centroids(pw.m) c,
     LATERAL (SELECT ((m::jsonb)->'centroids'->c.cluster->>1)::float8
                     * ((m::jsonb)->'scaler'->'scale'->>1)::float8
                     + ((m::jsonb)->'scaler'->'center'->>1)::float8 AS u,
                     ((m::jsonb)->'lambdas'->>1)::float8 AS l) x
ORDER BY c.cluster;
-- seg_scale(model) is the row in the model's space: transform, then the scaler.
SELECT abs((seg_scale(m, ARRAY[100, 200, 300, 400, 500, 600]::float8[]))[1]
           - (((power(101, l) - 1) / l) - ((m::jsonb)->'scaler'->'center'->>0)::float8)
             / ((m::jsonb)->'scaler'->'scale'->>0)::float8) < 1e-12 AS scale_applies_transform
FROM pw, LATERAL (SELECT ((m::jsonb)->'lambdas'->>0)::float8 AS l) x;
-- The model form of the scores labels with the pipeline too.
SELECT abs((SELECT silhouette(m, ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen])
            FROM wholesale_customers, pw)
           - (SELECT silhouette(seg_scale(m, ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]),
                                seg_assign(m, ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]))
              FROM wholesale_customers, pw)) < 1e-12 AS model_form_uses_pipeline;

-- log1p and sqrt, clipping at the 1st and 99th training percentiles (after the transform).
CREATE TABLE pc AS
SELECT kmeans_fit(ARRAY[fresh, milk, grocery], 3,
                  '{"transform": ["log1p", "sqrt", "none"], "clip": [0.01, 0.99]}') AS m
FROM wholesale_customers;
SELECT round(((m::jsonb)->'clip_bounds'->0->>0)::numeric, 6) AS log_fresh_lo,
       round(((m::jsonb)->'clip_bounds'->0->>1)::numeric, 6) AS log_fresh_hi,
       round(((m::jsonb)->'clip_bounds'->2->>1)::numeric, 2) AS grocery_hi,
       (m::jsonb)->'lambdas' AS lambdas
FROM pc;
SELECT round(percentile_cont(0.01) WITHIN GROUP (ORDER BY ln(1 + fresh))::numeric, 6) AS lo,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ln(1 + fresh))::numeric, 6) AS hi,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY grocery)::numeric, 2) AS grocery_hi
FROM wholesale_customers;
-- A value far beyond the training range is clipped: it lands where the bound lands.
SELECT seg_assign(m, ARRAY[1e9, 1e9, 1e9]) = seg_assign(m, ARRAY[exp(((m::jsonb)->'clip_bounds'->0->>1)::float8) - 1,
                                                                  power(((m::jsonb)->'clip_bounds'->1->>1)::float8, 2),
                                                                  ((m::jsonb)->'clip_bounds'->2->>1)::float8]) AS clipped,
       seg_distance(m, ARRAY[1e9, 1e9, 1e9]) < 10 AS bounded_distance
FROM pc;
-- A value outside a transform's domain is an error naming the feature (22000).
SELECT try($$SELECT seg_assign(m, ARRAY[-5, 1, 1]) FROM pc$$);
-- ... also when another feature is missing, before or after it (the row would be NULL), and
-- for NaN or Infinity elements as for NULL ones; a row that is only incomplete is NULL.
SELECT try($$SELECT seg_assign(m, ARRAY[NULL, -1, 1]) FROM pc$$);
SELECT try($$SELECT seg_assign(m, ARRAY['NaN', -1, 1]::float8[]) FROM pc$$);
SELECT try($$SELECT seg_assign(m, ARRAY[-5, 'Infinity', 1]::float8[]) FROM pc$$);
SELECT seg_assign(m, ARRAY[1, NULL, 1]) IS NULL AS null_row, seg_assign(m, ARRAY[1, 1, '-Infinity']::float8[]) IS NULL AS inf_row
FROM pc;
SELECT try($$SELECT kmeans_fit(ARRAY[fresh - 10000, milk], 2, '{"transform": ["log1p", "none"], "feature_names": ["fresh_delta", "milk"]}') FROM wholesale_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[fresh, milk], 2, '{"transform": ["sqrt", "none"]}') FROM (VALUES (1, 2), (-1, 3), (4, 5)) v(fresh, milk)$$);
-- A Yeo-Johnson lambda that cannot be fitted (a column of zeros and denormals) names its feature.
SELECT try($$SELECT kmeans_fit(ARRAY[milk, tiny], 2, '{"transform": ["none", "yeo-johnson"], "feature_names": ["milk", "tiny"]}') FROM (VALUES (1, 0::float8), (2, 5e-324), (3, 0), (4, -5e-324)) v(milk, tiny)$$);
-- A constant Yeo-Johnson column (no maximum-likelihood lambda) gets lambda 1, whatever the constant.
SELECT (kmeans_fit(ARRAY[milk, c], 2, '{"transform": ["none", "yeo-johnson"]}')::jsonb)->'lambdas' AS lambdas, c
FROM wholesale_customers, (VALUES (0::float8), (-3.25), (7)) v(c) GROUP BY c ORDER BY c;
-- Bad options list the valid values.
SELECT try($$SELECT kmeans_fit(ARRAY[fresh, milk], 2, '{"transform": ["log"]}') FROM wholesale_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[fresh, milk], 2, '{"transform": ["log1p"]}') FROM wholesale_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[fresh, milk], 2, '{"clip": [0.9, 0.1]}') FROM wholesale_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[fresh, milk], 2, '{"impute": "mode"}') FROM wholesale_customers$$);

-- Imputation: mean (default), median, zero; in transformed units for a transformed feature.
SELECT method, (m::jsonb)->'impute' AS impute, seg_assign(m, ARRAY[NULL, 20]::float8[]) IS NOT NULL AS labels_incomplete_rows
FROM (SELECT method, kmeans_fit(ARRAY[income, recency], 3,
                                jsonb_build_object('missing', 'impute', 'impute', method)) AS m
      FROM marketing_campaign, unnest(ARRAY['mean', 'median', 'zero']) method GROUP BY method) t
ORDER BY method;
SELECT avg(income) AS mean_income, percentile_cont(0.5) WITHIN GROUP (ORDER BY income) AS median_income
FROM marketing_campaign;
SELECT abs(((m::jsonb)->'impute'->>0)::float8
           - (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ln(1 + income)) FROM marketing_campaign)) < 1e-12
       AS median_of_log
FROM (SELECT kmeans_fit(ARRAY[income, recency], 3,
                        '{"missing": "impute", "impute": "median", "transform": ["log1p", "none"]}') AS m
      FROM marketing_campaign) t;

-- Every model kind: k-prototypes carries the pipeline of its numbers.
SELECT (m::jsonb)->'transform' AS transform,
       (SELECT array_agg(n ORDER BY seg) FROM (
          SELECT seg_assign(m, ARRAY[income, recency], ARRAY[education, marital_status]) AS seg,
                 count(*) AS n FROM marketing_campaign WHERE income IS NOT NULL GROUP BY 1) t)
       = ARRAY(SELECT jsonb_array_elements_text((m::jsonb)->'sizes')::bigint) AS sizes_reproduced
FROM (SELECT kprototypes_fit(ARRAY[income, recency], ARRAY[education, marital_status], 3,
                             '{"transform": ["log1p", "none"]}') AS m
      FROM marketing_campaign) t;

-- The training deciles seg_drift compares with: 9 cuts and 10 shares per feature.
SELECT jsonb_array_length((m::jsonb)->'feature_deciles'->0) AS cuts,
       jsonb_array_length((m::jsonb)->'feature_decile_shares'->0) AS bins,
       (SELECT sum(x::float8) FROM jsonb_array_elements_text((m::jsonb)->'feature_decile_shares'->0) x) AS share_sum,
       ((m::jsonb)->'feature_deciles'->0->>4)::float8 AS fresh_median
FROM pc;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY fresh) AS fresh_median FROM wholesale_customers;

-- Every model kind: a hierarchical model stores and applies the pipeline as well (its leaves
-- are the training rows here, so labelling them again reproduces the sizes).
SELECT (m::jsonb)->'transform' AS transform, (m::jsonb)->'clip_bounds' IS NOT NULL AS clipped,
       (SELECT array_agg(n ORDER BY seg) FROM (
          SELECT seg_assign(m, ARRAY[fresh, milk, grocery]) AS seg, count(*) AS n
          FROM wholesale_customers GROUP BY 1) t)
       = ARRAY(SELECT jsonb_array_elements_text((m::jsonb)->'sizes')::bigint) AS sizes_reproduced,
       m::text::segmodel::text = m::text AS round_trip
FROM (SELECT hclust_fit(ARRAY[fresh, milk, grocery], 3,
                        '{"transform": ["log1p", "sqrt", "none"], "clip": [0.01, 0.99]}') AS m
      FROM wholesale_customers) t;
SELECT try($$SELECT hclust_fit(ARRAY[fresh - 10000, milk], 2, '{"transform": ["log1p", "none"]}') FROM wholesale_customers$$);
-- Every model kind: a mixture and DBSCAN with a transform label the rows as the plain fit on
-- the same columns transformed in SQL (ln(1 + x), sqrt), with the same likelihood / noise.
WITH p AS (SELECT gmm_fit(ARRAY[fresh, milk, grocery], 3,
                          '{"transform": ["log1p", "sqrt", "log1p"]}') AS m
           FROM wholesale_customers),
     q AS (SELECT gmm_fit(ARRAY[ln(1 + fresh), sqrt(milk), ln(1 + grocery)], 3) AS m
           FROM wholesale_customers)
SELECT (SELECT count(*) FROM wholesale_customers
        WHERE seg_assign(p.m, ARRAY[fresh, milk, grocery])
              <> seg_assign(q.m, ARRAY[ln(1 + fresh), sqrt(milk), ln(1 + grocery)]))
           AS gmm_labels_differ,
       abs(((p.m::jsonb)->>'log_likelihood')::float8
           - ((q.m::jsonb)->>'log_likelihood')::float8) < 1e-9 AS same_log_likelihood
FROM p, q;
WITH p AS (SELECT dbscan_fit(ARRAY[fresh, milk, grocery], 0.5, 5,
                             '{"transform": ["log1p", "sqrt", "log1p"]}') AS m
           FROM wholesale_customers),
     q AS (SELECT dbscan_fit(ARRAY[ln(1 + fresh), sqrt(milk), ln(1 + grocery)], 0.5, 5) AS m
           FROM wholesale_customers)
SELECT (SELECT count(*) FROM wholesale_customers
        WHERE seg_assign(p.m, ARRAY[fresh, milk, grocery])
              <> seg_assign(q.m, ARRAY[ln(1 + fresh), sqrt(milk), ln(1 + grocery)]))
           AS dbscan_labels_differ,
       (p.m::jsonb)->'sizes' AS sizes, (p.m::jsonb)->'n_noise' AS n_noise,
       (q.m::jsonb)->'sizes' = (p.m::jsonb)->'sizes' AS same_sizes
FROM p, q;
-- The stream engine does not apply the pipeline: it refuses it (22023); engine "auto" picks
-- engine "memory" for such a fit.
SELECT try($$SELECT seg_train('pipeline_stream', 'wholesale_customers', ARRAY['fresh', 'milk'], 2,
                              '{"engine": "stream", "transform": ["log1p", "none"]}')$$);
SELECT try($$SELECT seg_train('pipeline_stream', 'wholesale_customers', ARRAY['fresh', 'milk'], 2,
                              '{"engine": "stream", "impute": "median"}')$$);
