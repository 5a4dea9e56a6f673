-- gmm_fit, seg_proba and the Gaussian mixture kind across the family, on the mall customers
-- (age, income, spending score; standard scaling).
CREATE TEMP VIEW mall AS
SELECT customer_id, ARRAY[age, annual_income, spending_score]::float8[] AS f
FROM mall_customers;
CREATE TABLE gm AS
SELECT gmm_fit(f, 5, '{"feature_names": ["age", "income", "score"]}') AS m FROM mall;

-- The model: kind, shape, sizes largest first summing to the rows, weights summing to 1,
-- 5 full 3x3 covariances, converged, the options with GaussianMixture's defaults.
SELECT (m::jsonb)->>'algorithm' AS algorithm, (m::jsonb)->'k' AS k, (m::jsonb)->'dims' AS dims,
       (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'sizes' AS sizes,
       jsonb_array_length((m::jsonb)->'covariances') AS n_cov,
       (m::jsonb)->'covariance_type' AS cov_type, (m::jsonb)->'converged' AS converged
FROM gm;
SELECT (m::jsonb)->'options' AS options FROM gm;
SELECT round((SELECT sum(w::float8) FROM jsonb_array_elements_text((m::jsonb)->'weights') w)
             ::numeric, 12) AS weight_sum FROM gm;
-- Mean log-likelihood at least scikit-learn's median over random_state 0..9 with the same
-- options (-3.4198448361610128, test/reference/gmm_reference.txt), and BIC/AIC by
-- scikit-learn's formulas: 49 free parameters (5*6 covariance + 15 means + 4 weights).
SELECT ((m::jsonb)->>'log_likelihood')::float8 >= -3.4198448361610128 AS ll_at_least_sklearn,
       abs(((m::jsonb)->>'bic')::float8 -
           (-2 * ((m::jsonb)->>'log_likelihood')::float8 * 200 + 49 * ln(200))) < 1e-9 AS bic,
       abs(((m::jsonb)->>'aic')::float8 -
           (-2 * ((m::jsonb)->>'log_likelihood')::float8 * 200 + 2 * 49)) < 1e-9 AS aic
FROM gm;

-- seg_proba sums to 1, seg_assign is its most probable component, and labelling the training
-- rows reproduces the sizes.
CREATE TEMP TABLE gm_rows AS
SELECT customer_id, seg_assign(m, f) AS seg, seg_proba(m, f) AS p FROM mall, gm;
SELECT bool_and(abs((SELECT sum(x) FROM unnest(p) x) - 1) < 1e-12) AS sums_to_one,
       bool_and(p[seg + 1] = (SELECT max(x) FROM unnest(p) x)) AS assign_is_argmax,
       bool_and(array_length(p, 1) = 5) AS five
FROM gm_rows;
SELECT (SELECT jsonb_agg(n ORDER BY seg) FROM (SELECT seg, count(*) AS n FROM gm_rows
        GROUP BY seg) s) = (m::jsonb)->'sizes' AS sizes_reproduced
FROM gm;
-- seg_distance: Euclidean to the component mean; seg_centroids: the means in original units.
SELECT bool_and(seg_distance(m, f) >= 0) AS distances FROM mall, gm;
SELECT cluster, size, array_length(centroid, 1) AS dims FROM seg_centroids((SELECT m FROM gm));

-- Every covariance type; the number of stored covariance values follows it.
SELECT t, (m::jsonb)->'covariance_type' AS code, jsonb_array_length((m::jsonb)->'covariances')
       AS n_cov, ((m::jsonb)->>'log_likelihood')::float8 > -5 AS sane
FROM unnest(ARRAY['full', 'tied', 'diag', 'spherical']) t,
     LATERAL (SELECT gmm_fit(f, 4, jsonb_build_object('covariance', t)) AS m FROM mall) g;
-- Same rows, same options: the same model (row order does not matter).
SELECT (SELECT gmm_fit(f, 3) FROM mall)::text =
       (SELECT gmm_fit(f, 3) FROM (SELECT f FROM mall ORDER BY customer_id DESC) s)::text
       AS deterministic;
-- The text form round-trips.
SELECT m::text::segmodel::text = m::text AS round_trip FROM gm;

-- Singular data: 3 distinct points repeated, 3 components, reg_covar 0: regularised, no NaN.
SELECT (m::jsonb)->'k' AS k, ((m::jsonb)->>'log_likelihood')::float8 > 0 AS finite_ll
FROM (SELECT gmm_fit(ARRAY[i % 3, (i % 3) * 2]::float8[], 3, '{"reg_covar": 0}') AS m
      FROM generate_series(1, 60) i) s;

-- Bad input.
SELECT try($$SELECT gmm_fit(f, 0) FROM mall$$);
SELECT try($$SELECT gmm_fit(f, 201) FROM mall$$);
SELECT try($$SELECT gmm_fit(f, NULL) FROM mall$$);
SELECT try($$SELECT gmm_fit(f, 3, '{"covariance": "banana"}') FROM mall$$);
SELECT try($$SELECT gmm_fit(f, 3, '{"refine": "none"}') FROM mall$$);
SELECT try($$SELECT gmm_fit(f, 3, '{"reg_covar": -1}') FROM mall$$);
SELECT try($$SELECT gmm_fit(x, 2) FROM (VALUES (ARRAY[1,2]::float8[]), (ARRAY[1,2,3]::float8[])) v(x)$$);
-- k and the options are the same on every row of a group (the model must not depend on which
-- row comes first).
SELECT try($$SELECT gmm_fit(f, 3 + (customer_id = 100)::int) FROM mall$$);
SELECT try($$SELECT gmm_fit(f, 3, jsonb_build_object('seed', (customer_id = 100)::int)) FROM mall$$);
SELECT try($$SELECT gmm_fit(f, CASE WHEN customer_id = 100 THEN NULL ELSE 3 END) FROM mall$$);
SELECT gmm_fit(x, 2) IS NULL AS empty_is_null FROM (SELECT ARRAY[1]::float8[] WHERE false) v(x);
SELECT gmm_fit(NULL::float8[], 2) IS NULL AS all_null_is_null;
SELECT (gmm_fit(x, 1)::jsonb)->'n_skipped' AS skipped
FROM (VALUES (ARRAY[1, 'NaN']::float8[]), (ARRAY[1, 2]::float8[]), (ARRAY[2, 3]::float8[])) v(x);
SELECT try($$SELECT seg_proba(m, ARRAY[1, 2]::float8[]) FROM gm$$);
SELECT seg_proba(m, ARRAY[20, NULL, 30]::float8[]) IS NULL AS null_row FROM gm;
SELECT try($$SELECT seg_proba((SELECT kmeans_fit(f, 3) FROM mall), ARRAY[1, 2, 3]::float8[])$$);
SELECT try($$SELECT '{"algorithm": "gmm"}'::segmodel$$) ~ '^22P02' AS malformed_rejected;
SELECT try(format('SELECT %L::segmodel',
               jsonb_set((m::jsonb), '{weights,0}', '5')::text)) ~ '^22P02' AS bad_weights
FROM gm;

-- seg_align renumbers a mixture: its weights and covariances follow the centroids, so the
-- aligned model labels every customer as before under the new numbers, with the same
-- probabilities (seg_train's retraining relies on it). The reference is the model with its
-- centroids in reverse order, so every cluster moves.
CREATE TEMP TABLE gm_align AS
SELECT m, seg_align(m, jsonb_set(m::jsonb, '{centroids}',
         (SELECT jsonb_agg(c ORDER BY o DESC)
          FROM jsonb_array_elements((m::jsonb)->'centroids') WITH ORDINALITY e(c, o)))::segmodel) AS a
FROM gm;
SELECT (m::jsonb)->'sizes' AS sizes, (a::jsonb)->'sizes' AS aligned_sizes FROM gm_align;
SELECT bool_and(seg_assign(a, f) = 4 - seg_assign(m, f)) AS every_label_reversed,
       max((SELECT max(abs((seg_proba(a, f))[j] - (seg_proba(m, f))[6 - j]))
            FROM generate_series(1, 5) j)) < 1e-12 AS same_probabilities
FROM mall, gm_align;

-- A forced parallel plan gives the same model.
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT gmm_fit(f, 3) FROM mall;
SELECT (SELECT gmm_fit(f, 3) FROM mall)::text = (SELECT m::text FROM (SELECT gmm_fit(f, 3) AS m
       FROM mall) s) AS same_in_parallel;
RESET force_parallel_mode;
DROP TABLE gm, gm_rows, gm_align;
