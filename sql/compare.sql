-- seg_compare on the mall customers (age, income, spending score; standard scaling): k-means,
-- Ward and a Gaussian mixture for k = 2..6 and DBSCAN once, on one read of the table, scored
-- alike; every model equals its own fit aggregate's, and the new kinds work across the family.
CREATE TABLE cmp AS
SELECT * FROM seg_compare('mall_customers', ARRAY['age', 'annual_income', 'spending_score'],
                          2, 6);
SELECT algorithm, k, round(silhouette::numeric, 4) AS silhouette,
       round(davies_bouldin::numeric, 4) AS davies_bouldin,
       round(calinski_harabasz::numeric, 2) AS calinski_harabasz, round(bic::numeric, 2) AS bic,
       n_noise, seconds >= 0 AS timed, (model::jsonb)->>'algorithm' = algorithm AS kind
FROM cmp ORDER BY algorithm, k;

-- The same models as the fit aggregates with the same options.
CREATE TEMP VIEW cmp_mall AS
SELECT ARRAY[age, annual_income, spending_score]::float8[] AS x FROM mall_customers;
SELECT c.algorithm, c.k,
       c.model::text = (CASE c.algorithm
           WHEN 'kmeans' THEN (SELECT kmeans_fit(x, c.k, o) FROM cmp_mall)
           WHEN 'hierarchical' THEN (SELECT hclust_fit(x, c.k, o) FROM cmp_mall)
           WHEN 'gmm' THEN (SELECT gmm_fit(x, c.k, o) FROM cmp_mall)
           ELSE (SELECT dbscan_fit(x, ((c.model::jsonb)->>'eps')::float8,
                                   ((c.model::jsonb)->>'min_samples')::int, o) FROM cmp_mall)
       END)::text AS same_model
FROM cmp c,
     LATERAL (SELECT '{"feature_names": ["age", "annual_income", "spending_score"]}'::jsonb) f(o)
ORDER BY c.algorithm, c.k;

-- The scores are those of the training rows labelled by seg_assign: silhouette(segmodel, x)
-- for the kinds without noise; for DBSCAN the silhouette of the clustered rows only.
SELECT c.algorithm, c.k,
       round(c.silhouette::numeric, 10) = round(silhouette(c.model, x)::numeric, 10) AS same
FROM cmp c, cmp_mall WHERE c.algorithm <> 'dbscan' GROUP BY c.algorithm, c.k, c.silhouette
ORDER BY c.algorithm, c.k;
-- BIC is the mixture's own; the best k by each score.
SELECT bool_and(bic = ((model::jsonb)->>'bic')::float8) AS bic_from_model FROM cmp
WHERE algorithm = 'gmm';
SELECT DISTINCT ON (algorithm) algorithm, k AS best_silhouette_k FROM cmp
WHERE algorithm <> 'dbscan' ORDER BY algorithm, silhouette DESC;
SELECT k AS best_bic_k FROM cmp WHERE algorithm = 'gmm' ORDER BY bic LIMIT 1;

-- Options: eps / min_samples given (scikit-learn's DBSCAN(0.5, 5) finds 6 clusters and 60
-- noise rows here), per-kind options, the common ones; all noise is a row without a model.
CREATE TABLE cmp2 AS
SELECT * FROM seg_compare('mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 4, 4,
                          '{"eps": 0.5, "min_samples": 5, "gmm": {"covariance": "diag"},
                            "hierarchical": {"linkage": "average"}, "missing": "skip",
                            "seed": 3}');
SELECT algorithm, k, n_noise, round(silhouette::numeric, 4) AS silhouette,
       (model::jsonb)->'eps' AS eps, (model::jsonb)->'min_samples' AS ms,
       (model::jsonb)->'covariance_type' AS cov, (model::jsonb)->'options'->'linkage' AS linkage,
       (model::jsonb)->'options'->'missing' AS missing, (model::jsonb)->'options'->'seed' AS seed
FROM cmp2 ORDER BY algorithm;
-- DBSCAN's scores leave the noise rows out: the silhouette of the clustered rows.
SELECT round(c.silhouette::numeric, 10) =
       round(silhouette(seg_scale(c.model, x), seg_assign(c.model, x))
             FILTER (WHERE seg_assign(c.model, x) >= 0)::numeric, 10) AS dbscan_same,
       count(*) FILTER (WHERE seg_assign(c.model, x) = -1) = c.n_noise AS noise_counted
FROM cmp2 c, cmp_mall WHERE c.algorithm = 'dbscan' GROUP BY c.silhouette, c.n_noise;
SELECT algorithm, k, n_noise, silhouette IS NULL AS no_score, model IS NULL AS no_model,
       warning
FROM seg_compare('mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 2, 2,
                 '{"eps": 0.001, "min_samples": 3}')
WHERE algorithm = 'dbscan';

-- Every row carries the sweep's warning (NULL when fine): a cluster under 1 % of the rows, a
-- silhouette under 0.25, k as large as the rows. The same text as seg_sweep's row for k-means.
SELECT algorithm, k, round(silhouette::numeric, 3) AS silhouette, warning
FROM cmp ORDER BY algorithm, k;
SELECT c.k, c.warning IS NOT DISTINCT FROM s.warning AS same_as_sweep
FROM cmp c JOIN seg_sweep('mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 2, 6) s
  ON s.k = c.k
WHERE c.algorithm = 'kmeans' ORDER BY c.k;
-- Two outliers among 200 customers: the k-means row that spends a cluster on them says so.
CREATE TEMP TABLE cmp_outliers AS
SELECT age::float8 AS age, annual_income::float8 AS income FROM mall_customers
UNION ALL VALUES (500, 5000), (510, 5100);
SELECT algorithm, k, warning FROM seg_compare('cmp_outliers', ARRAY['age', 'income'], 2, 2)
WHERE algorithm <> 'dbscan' ORDER BY algorithm;

-- The new kinds across the family: registry, trigger, drift, profiles.
SELECT seg_save('cmp_gmm', (SELECT model FROM cmp WHERE algorithm = 'gmm' AND k = 5)) AS g,
       seg_save('cmp_dbscan', (SELECT model FROM cmp2 WHERE algorithm = 'dbscan')) AS d;
SELECT count(*) FILTER (WHERE seg_assign('cmp_gmm', x) = seg_assign(c.model, x)) AS gmm_same,
       count(*) FILTER (WHERE seg_assign('cmp_dbscan', x) = seg_assign(d.model, x)) AS dbscan_same,
       count(*) AS n
FROM cmp_mall, cmp c, cmp2 d
WHERE c.algorithm = 'gmm' AND c.k = 5 AND d.algorithm = 'dbscan';
CREATE TEMP TABLE cmp_live (age float8, income float8, score float8, g int, d int);
CREATE TRIGGER cmp_label_g BEFORE INSERT ON cmp_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('cmp_gmm', 'g', 'age', 'income', 'score');
CREATE TRIGGER cmp_label_d BEFORE INSERT ON cmp_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('cmp_dbscan', 'd', 'age', 'income', 'score');
INSERT INTO cmp_live SELECT age, annual_income, spending_score FROM mall_customers;
SELECT count(*) FILTER (WHERE l.g = seg_assign('cmp_gmm', ARRAY[l.age, l.income, l.score]))
           AS trigger_gmm,
       count(*) FILTER (WHERE l.d = seg_assign('cmp_dbscan', ARRAY[l.age, l.income, l.score]))
           AS trigger_dbscan,
       count(*) FILTER (WHERE l.d = -1) AS noise
FROM cmp_live l;
SELECT c.algorithm, (d->>'rows')::int AS rows, (d->>'psi')::float8 = 0 AS psi_zero,
       (SELECT count(*) FROM seg_profile(c.model)) AS profile_rows,
       (SELECT sum(size) FROM seg_describe(c.model)) AS described
FROM (SELECT * FROM cmp WHERE algorithm = 'gmm' AND k = 5
      UNION ALL SELECT * FROM cmp2 WHERE algorithm = 'dbscan') c,
     LATERAL (SELECT seg_drift(c.model, x) AS d FROM cmp_mall) t
ORDER BY c.algorithm;

-- Bad input.
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 3, 2)$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 0, 2)$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 300)$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 3, '{"eps": -1}')$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 3, '{"k": 1}')$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 3,
                                       '{"gmm": {"covariance": "banana"}}')$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 3,
                                       '{"kmeans": {"scale": "none"}}')$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], 2, 3, '{"gmm": 1}')$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY[]::text[], 2, 3)$$);
SELECT try($$SELECT * FROM seg_compare(NULL, ARRAY['age'], 2, 3)$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['nope'], 2, 3)$$);
SELECT try($$SELECT * FROM seg_compare('mall_customers', ARRAY['age'], NULL, 3)$$);
SELECT seg_compare_rows(x, 2, 3, '{}') IS NULL AS empty_is_null
FROM (SELECT ARRAY[1]::float8[] WHERE false) v(x);

DROP TABLE cmp, cmp2, cmp_live;
DELETE FROM seg_models WHERE name LIKE 'cmp\_%';
