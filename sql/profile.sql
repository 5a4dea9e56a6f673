-- seg_profile and seg_describe: segments in words.
CREATE TABLE prof AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
                  '{"feature_names": ["age", "income", "score"]}') AS m
FROM mall_customers;

-- The profile table: centroid in original units, z-score against all customers, level.
SELECT p.cluster, p.feature, round(p.value::numeric, 2) AS value,
       round(p.zscore::numeric, 3) AS zscore, p.level
FROM prof, seg_profile(prof.m) p ORDER BY p.cluster, p.feature;
-- One line per segment for dashboards: the most distinctive features first.
SELECT d.cluster, d.size, round(d.share::numeric, 3) AS share, d.description
FROM prof, seg_describe(prof.m) d ORDER BY d.cluster;

-- Values are seg_centroids' centroids; z-scores use the model's feature_mean / feature_std
-- (the training customers' mean and population standard deviation); levels follow the
-- documented thresholds.
SELECT bool_and(abs(p.value - c.centroid[f.i]) <= 1e-12 * abs(c.centroid[f.i]))
           AS values_are_centroids,
       bool_and(abs(p.zscore - (p.value - ((m::jsonb)->'feature_mean'->>(f.i - 1))::float8)
                               / ((m::jsonb)->'feature_std'->>(f.i - 1))::float8) < 1e-12)
           AS zscores,
       bool_and(p.level = CASE WHEN p.zscore <= -1 THEN 'very low'
                               WHEN p.zscore <= -0.5 THEN 'low'
                               WHEN p.zscore < 0.5 THEN 'average'
                               WHEN p.zscore < 1 THEN 'high' ELSE 'very high' END) AS levels,
       count(*) AS cells
FROM prof, seg_profile(prof.m) p
JOIN (VALUES ('age', 1), ('income', 2), ('score', 3)) f(name, i) ON f.name = p.feature
JOIN seg_centroids(prof.m) c ON c.cluster = p.cluster;
-- Feature statistics against the table itself.
SELECT bool_and(abs(p.zscore - (p.value - s.mean) / s.sd) < 1e-9) AS zscores_vs_table
FROM prof, seg_profile(prof.m) p
JOIN (SELECT 'income' AS feature, avg(annual_income) AS mean,
             stddev_pop(annual_income) AS sd FROM mall_customers) s USING (feature);
-- Sizes and shares are the model's; shares add up to 1; descriptions name every feature.
SELECT sum(d.size) AS customers, round(sum(d.share)::numeric, 12) AS total_share,
       bool_and(d.size = s.size) AS sizes_match,
       bool_and(d.description ~ '^(\w+: (very low|low|average|high|very high)(, |$)){3}$')
           AS well_formed
FROM prof, seg_describe(prof.m) d JOIN seg_centroids(prof.m) s USING (cluster);

-- Unnamed features are feature_1, feature_2, ...; a constant feature has z-score 0.
SELECT p.cluster, p.feature, round(p.value::numeric, 2) AS value, p.zscore, p.level
FROM seg_profile((SELECT kmeans_fit(ARRAY[age, 7.5, annual_income], 2) FROM mall_customers)) p
WHERE p.feature = 'feature_2' ORDER BY p.cluster;
SELECT d.cluster, d.description
FROM seg_describe((SELECT kmeans_fit(ARRAY[age, 7.5, annual_income], 2) FROM mall_customers)) d
ORDER BY d.cluster;
-- NULL model: no rows (strict); a model that is not one: the type's own error.
SELECT count(*) AS no_rows FROM seg_profile(NULL);
SELECT count(*) AS no_rows FROM seg_describe(NULL);
SELECT try($$SELECT * FROM seg_profile('{"k": 2}'::segmodel)$$);
-- Every model in a registry-like table, described in one query.
SELECT k, d.cluster, d.description
FROM (SELECT k, kmeans_fit(ARRAY[annual_income, spending_score], k,
                           '{"feature_names": ["income", "score"]}') AS m
      FROM mall_customers, generate_series(2, 3) k GROUP BY k) models,
     seg_describe(models.m) d
ORDER BY k, d.cluster;
DROP TABLE prof;
