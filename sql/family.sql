-- The model family: every kind through the same consumers (seg_kinds, seg_assign by model and
-- by registry name, seg_distance, silhouette, seg_drift, seg_align, seg_train "algorithm"),
-- the 22023 errors naming the kinds an operation takes, and for every kind: labelling the
-- training rows with seg_assign reproduces the model's "sizes".
SELECT algorithm, fit_function, categorical, operations FROM seg_kinds() ORDER BY algorithm;

-- One model of each kind on shipped data.
CREATE TEMP VIEW fam_mall AS
SELECT customer_id, ARRAY[age, annual_income, spending_score]::float8[] AS x
FROM mall_customers;
CREATE TEMP VIEW fam_mc AS
SELECT id, ARRAY[income, 2014 - year_birth, recency]::float8[] AS num,
       ARRAY[education, marital_status] AS cat
FROM marketing_campaign;
CREATE TEMP TABLE fam_models AS
SELECT 'kmeans' AS kind, (SELECT kmeans_fit(x, 5) FROM fam_mall) AS m
UNION ALL
SELECT 'kprototypes', (SELECT kprototypes_fit(num, cat, 4) FROM fam_mc);

-- Labelling the training rows reproduces "sizes", for every kind.
WITH labels AS (
    SELECT 'kmeans' AS kind, seg_assign(f.m, x) AS c
    FROM fam_mall, fam_models f WHERE f.kind = 'kmeans'
    UNION ALL
    SELECT 'kprototypes', seg_assign(f.m, num, cat)
    FROM fam_mc, fam_models f WHERE f.kind = 'kprototypes'),
counted AS (
    SELECT kind, array_agg(n ORDER BY c) AS sizes
    FROM (SELECT kind, c, count(*) AS n FROM labels WHERE c IS NOT NULL GROUP BY kind, c) t
    GROUP BY kind)
SELECT c.kind, c.sizes, (f.m::jsonb)->'sizes' AS model_sizes,
       to_jsonb(c.sizes) = (f.m::jsonb)->'sizes' AS reproduced
FROM counted c JOIN fam_models f USING (kind) ORDER BY kind;

-- The common part serves every kind: centroids (original units), profiles, descriptions.
SELECT f.kind, (SELECT count(*) FROM seg_centroids(f.m)) AS centroids,
       (SELECT count(*) FROM seg_profile(f.m)) AS profile_rows,
       (SELECT sum(size) FROM seg_describe(f.m)) = ((f.m::jsonb)->>'n_rows')::bigint
           AS described_rows
FROM fam_models f ORDER BY f.kind;

-- Operations a kind does not take are 22023 errors naming the kinds that take them.
SELECT try($$SELECT seg_assign((SELECT m FROM fam_models WHERE kind = 'kprototypes'),
                               ARRAY[1.0, 2, 3])$$);
SELECT try($$SELECT seg_distance((SELECT m FROM fam_models WHERE kind = 'kmeans'),
                                 ARRAY[1.0, 2, 3], ARRAY['a', 'b'])$$);
SELECT try($$SELECT silhouette((SELECT m FROM fam_models WHERE kind = 'kprototypes'), num)
             FROM fam_mc$$);
SELECT try($$SELECT seg_drift((SELECT m FROM fam_models WHERE kind = 'kprototypes'), num)
             FROM fam_mc$$);
SELECT try($$SELECT seg_drift((SELECT m FROM fam_models WHERE kind = 'kmeans'),
                              ARRAY[1.0, 2, 3], ARRAY['a', 'b'])$$);
SELECT try($$SELECT seg_modes((SELECT m FROM fam_models WHERE kind = 'kmeans'))$$);
SELECT try($$SELECT seg_align((SELECT m FROM fam_models WHERE kind = 'kmeans'),
                              (SELECT m FROM fam_models WHERE kind = 'kprototypes'))$$);
-- NULL arguments: strict functions return NULL.
SELECT seg_assign(NULL::segmodel, ARRAY[1.0]) IS NULL AS null_model,
       seg_assign((SELECT m FROM fam_models WHERE kind = 'kprototypes'), ARRAY[1.0, 2, 3],
                  NULL::text[]) IS NULL AS null_categories;

-- A built-in kind's stub is refused for what it lacks; an unknown kind as unsupported.
SELECT try($$SELECT '{"algorithm": "gmm", "version": 1}'::segmodel$$);
SELECT try($$SELECT '{"algorithm": "tree", "version": 1}'::segmodel$$);

-- The registry: seg_assign(name, ...) for both kinds, through seg_save.
SELECT seg_save('fam_km', (SELECT m FROM fam_models WHERE kind = 'kmeans')) AS km_version,
       seg_save('fam_kp', (SELECT m FROM fam_models WHERE kind = 'kprototypes')) AS kp_version;
SELECT count(*) FILTER (WHERE seg_assign('fam_kp', num, cat) = seg_assign(f.m, num, cat))
           AS same_labels,
       count(*) AS n
FROM fam_mc, fam_models f WHERE f.kind = 'kprototypes';
SELECT count(*) FILTER (WHERE seg_assign('fam_km', x) = seg_assign(f.m, x)) AS same_labels,
       count(*) AS n
FROM fam_mall, fam_models f WHERE f.kind = 'kmeans';
SELECT try($$SELECT seg_assign('fam_kp', ARRAY[1.0, 2, 3])$$);
SELECT try($$SELECT seg_assign('fam_km', ARRAY[1.0, 2, 3], ARRAY['a'])$$);

-- silhouette and seg_drift of a k-means model go through the kind: the model form equals the
-- plain silhouette of the scaled rows labelled by seg_assign.
SELECT round(silhouette((SELECT m FROM fam_models WHERE kind = 'kmeans'), x)::numeric, 10)
           = round(silhouette(seg_scale((SELECT m FROM fam_models WHERE kind = 'kmeans'), x),
                              seg_assign((SELECT m FROM fam_models WHERE kind = 'kmeans'), x))
                   ::numeric, 10) AS silhouette_as_labelled,
       (seg_drift((SELECT m FROM fam_models WHERE kind = 'kmeans'), x)->>'rows')::int
           AS drift_rows
FROM fam_mall;

-- seg_drift of the training rows: every share as at training (PSI 0).
SELECT d->>'rows' AS rows, d->>'unlabelled' AS unlabelled, (d->>'psi')::float8 = 0 AS psi_zero
FROM (SELECT seg_drift((SELECT m FROM fam_models WHERE kind = 'kprototypes'), num, cat) AS d
      FROM fam_mc) t;

-- The label trigger takes kinds that label by numbers; a k-prototypes model is refused.
CREATE TEMP TABLE fam_live (income float8, age float8, recency float8, segment int);
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_kp', 'segment', 'income', 'age', 'recency');
SELECT try($$INSERT INTO fam_live VALUES (50000, 40, 10)$$);
DROP TABLE fam_live;

-- seg_train: "algorithm" picks the kind; k-prototypes takes its text columns from
-- "categorical_features".
CREATE TEMP TABLE fam_train AS
SELECT id, income, 2014 - year_birth AS age, recency, education, marital_status
FROM marketing_campaign;
SELECT seg_train('fam_train_kp', 'fam_train', ARRAY['income', 'age', 'recency'], 4,
                 '{"algorithm": "kprototypes",
                   "categorical_features": ["education", "marital_status"]}') AS version;
SELECT (seg_model('fam_train_kp')::jsonb)->>'algorithm' AS algorithm,
       (seg_model('fam_train_kp')::jsonb)->'categorical_names' AS categorical_names;
SELECT (seg_model('fam_train_kp')::jsonb)->'sizes' = (SELECT (m::jsonb)->'sizes'
                                                     FROM fam_models WHERE kind = 'kprototypes')
           AS same_sizes;
SELECT count(*) FILTER (WHERE seg_assign('fam_train_kp', ARRAY[income, age, recency]::float8[],
                                         ARRAY[education, marital_status]) IS NOT NULL)
           AS labelled
FROM fam_train;
-- Retraining the same name aligns to the active version; another kind is not aligned.
SELECT seg_train('fam_train_kp', 'fam_train', ARRAY['income', 'age', 'recency'], 4,
                 '{"algorithm": "kprototypes", "seed": 7,
                   "categorical_features": ["education", "marital_status"]}') AS version;
SELECT seg_train('fam_train_kp', 'fam_train', ARRAY['income', 'age', 'recency'], 3,
                 '{"algorithm": "kmeans"}') AS version;
SELECT (seg_model('fam_train_kp')::jsonb)->>'algorithm' AS algorithm;
-- Option errors.
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "tree"}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": 3}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes"}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"categorical_features": ["education"]}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes", "categorical_features": []}')$$);
DELETE FROM seg_models WHERE name LIKE 'fam\_%';
