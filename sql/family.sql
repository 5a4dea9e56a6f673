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
SELECT try($$SELECT silhouette((SELECT m FROM fam_models WHERE kind = 'kmeans'),
                               ARRAY[1.0, 2, 3], ARRAY['a', 'b'], '{}')$$);
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

-- k-prototypes: silhouette under the model's mixed dissimilarity
-- sqrt(squared scaled numeric distance + gamma * differing categories), checked against the
-- same definition written out in SQL over every pair of a tenth of the customers.
CREATE TEMP TABLE fam_kp_rows AS
SELECT id, seg_scale(f.m, num) AS z, cat, seg_assign(f.m, num, cat) AS c,
       ((f.m::jsonb)->>'gamma')::float8 AS gamma
FROM fam_mc, fam_models f
WHERE f.kind = 'kprototypes' AND id % 10 = 0 AND seg_assign(f.m, num, cat) IS NOT NULL;
WITH pairs AS (
    SELECT a.id, a.c AS own, b.c AS other,
           sqrt((SELECT sum((x - y) ^ 2) FROM unnest(a.z, b.z) u(x, y))
                + a.gamma * ((a.cat[1] IS DISTINCT FROM b.cat[1])::int
                             + (a.cat[2] IS DISTINCT FROM b.cat[2])::int)) AS d
    FROM fam_kp_rows a JOIN fam_kp_rows b ON a.id <> b.id),
per_cluster AS (
    SELECT id, own, other, avg(d) AS mean_d FROM pairs GROUP BY id, own, other),
per_row AS (
    SELECT id, max(mean_d) FILTER (WHERE other = own) AS a,
           min(mean_d) FILTER (WHERE other <> own) AS b
    FROM per_cluster GROUP BY id)
SELECT round(avg(CASE WHEN a IS NULL THEN 0 ELSE (b - a) / greatest(a, b) END)::numeric, 10)
           AS sql_silhouette,
       round((SELECT silhouette(f.m, num, cat, '{}') FROM fam_mc, fam_models f
              WHERE f.kind = 'kprototypes' AND id % 10 = 0)::numeric, 10) AS silhouette
FROM per_row;
-- With options (a seeded sample), and the same value under a forced parallel plan.
SELECT round(silhouette(f.m, num, cat, '{"sample_size": 300, "seed": 1}')::numeric, 10)
           AS sampled
FROM fam_mc, fam_models f WHERE f.kind = 'kprototypes';
SET force_parallel_mode = on;
SELECT round(silhouette(f.m, num, cat, '{"sample_size": 300, "seed": 1}')::numeric, 10)
           AS sampled_parallel
FROM fam_mc, fam_models f WHERE f.kind = 'kprototypes';
RESET force_parallel_mode;
-- seg_drift of the training rows: every share as at training (PSI 0).
SELECT d->>'rows' AS rows, d->>'unlabelled' AS unlabelled, (d->>'psi')::float8 = 0 AS psi_zero
FROM (SELECT seg_drift((SELECT m FROM fam_models WHERE kind = 'kprototypes'), num, cat) AS d
      FROM fam_mc) t;

-- The label trigger: numeric feature columns, then 'categorical=' columns for a kind with
-- categories. A k-prototypes model without its categorical columns is refused.
CREATE TEMP TABLE fam_live (income float8, age float8, recency float8, education text,
                            marital_status varchar(20), segment int, version int);
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_kp', 'segment', 'income', 'age', 'recency');
SELECT try($$INSERT INTO fam_live VALUES (50000, 40, 10)$$);
DROP TRIGGER fam_label ON fam_live;
-- With them, every row gets the label seg_assign(name, numbers, categories) gives; a
-- category unseen in training matches no mode; a NULL category leaves the segment NULL (the
-- model does not impute).
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_kp', 'segment', 'income', 'age', 'recency',
                                       'categorical=education', 'categorical=marital_status',
                                       'version_column=version');
INSERT INTO fam_live (income, age, recency, education, marital_status)
SELECT num[1], num[2], num[3], cat[1], cat[2] FROM fam_mc;
INSERT INTO fam_live (income, age, recency, education, marital_status)
VALUES (50000, 40, 10, 'Astronaut', 'Single'), (50000, 40, 10, NULL, 'Single');
SELECT count(*) AS n,
       count(*) FILTER (WHERE segment IS NOT DISTINCT FROM
                              seg_assign('fam_kp', ARRAY[income, age, recency],
                                         ARRAY[education, marital_status::text])) AS same_as_seg_assign,
       count(*) FILTER (WHERE segment IS NULL) AS unlabelled,
       min(version) AS version
FROM fam_live;
SELECT segment IS NOT NULL AS unseen_labelled FROM fam_live WHERE education = 'Astronaut';
DROP TRIGGER fam_label ON fam_live;
-- char(n) categorical columns: the category is the value without its padding, as
-- char(n)::text gives. On this model the padded text ('south   ', a category it never saw)
-- would label 20 of the 120 rows differently.
CREATE TEMP TABLE fam_char AS
SELECT (i % 3)::float8 AS x, CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END AS region
FROM generate_series(1, 120) i;
SELECT seg_save('fam_char_kp', (SELECT kprototypes_fit(ARRAY[x], ARRAY[region], 2, '{"seed": 1}')
                                FROM fam_char)) AS version;
CREATE TEMP TABLE fam_live_char (x float8, region char(8), segment int);
CREATE TRIGGER fam_label_char BEFORE INSERT ON fam_live_char FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_char_kp', 'segment', 'x', 'categorical=region');
INSERT INTO fam_live_char (x, region) SELECT x, region FROM fam_char;
SELECT count(*) AS n,
       count(*) FILTER (WHERE segment = seg_assign('fam_char_kp', ARRAY[x], ARRAY[region::text]))
           AS same_as_seg_assign,
       count(*) FILTER (WHERE segment <> seg_assign('fam_char_kp', ARRAY[x],
                                                    ARRAY[rpad(region::text, 8)]))
           AS padded_text_would_differ
FROM fam_live_char;
DROP TABLE fam_live_char, fam_char;
-- Categorical columns of other types are read as ::text reads them (as seg_train reads its
-- "categorical_features"): an enum (and a domain over one) and an integer through their output
-- functions, boolean as true/false and "char" through their casts. Each model has that column
-- as its only category, decisive (gamma 10) against noise in x: the trigger labels every row
-- as seg_assign with col::text. Before, the trigger refused every type but text, varchar and
-- char(n) (42804), though seg_train trained on them.
CREATE TYPE fam_mood AS ENUM ('sad', 'happy');
CREATE DOMAIN fam_mood_d AS fam_mood CHECK (VALUE IS NOT NULL);
CREATE TEMP TABLE fam_types AS
SELECT ((i * 37) % 11)::float8 AS x, (ARRAY['sad', 'happy'])[1 + i % 2]::fam_mood AS m,
       (ARRAY['happy', 'sad'])[1 + i % 2]::fam_mood_d AS d, i % 2 = 1 AS b,
       (ARRAY['a', 'b'])[1 + i % 2]::"char" AS c, 7 * (i % 2) AS n
FROM generate_series(1, 40) i;
CREATE TEMP TABLE fam_live_types (LIKE fam_types);
ALTER TABLE fam_live_types ADD COLUMN segment int;
DO $$
DECLARE
    col text;
BEGIN
    FOREACH col IN ARRAY ARRAY['m', 'd', 'b', 'c', 'n'] LOOP
        EXECUTE format('SELECT seg_save(%L, kprototypes_fit(ARRAY[x], ARRAY[%I::text], 2, '
                       '''{"gamma": 10}'')) FROM fam_types', 'fam_types_' || col, col);
        EXECUTE format('CREATE TRIGGER fam_label_%s BEFORE INSERT ON fam_live_types FOR EACH ROW '
                       'EXECUTE FUNCTION seg_label_trigger(%L, ''segment'', ''x'', %L)',
                       col, 'fam_types_' || col, 'categorical=' || col);
        INSERT INTO fam_live_types (x, m, d, b, c, n) SELECT x, m, d, b, c, n FROM fam_types;
        EXECUTE format('DROP TRIGGER fam_label_%s ON fam_live_types', col);
        RAISE NOTICE '%: % rows, % as seg_assign, % segments', col,
            (SELECT count(*) FROM fam_live_types),
            (SELECT count(*) FROM fam_live_types
             WHERE segment = seg_assign('fam_types_' || col, ARRAY[x],
                                        ARRAY[CASE col WHEN 'm' THEN m::text WHEN 'd' THEN d::text
                                                       WHEN 'b' THEN b::text WHEN 'c' THEN c::text
                                                       ELSE n::text END])),
            (SELECT count(DISTINCT segment) FROM fam_live_types);
        TRUNCATE fam_live_types;
    END LOOP;
END
$$;
-- A cast to text written in SQL (or any language but C) is refused: it could write and fire
-- the trigger while it reads the row.
CREATE TYPE fam_box AS (a int);
CREATE FUNCTION fam_box_text(fam_box) RETURNS text LANGUAGE sql AS $$SELECT 'box' || $1.a$$;
CREATE CAST (fam_box AS text) WITH FUNCTION fam_box_text(fam_box);
CREATE TEMP TABLE fam_live_box (x float8, q fam_box, segment int);
CREATE TRIGGER fam_label_box BEFORE INSERT ON fam_live_box FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_types_m', 'segment', 'x', 'categorical=q');
SELECT try($$INSERT INTO fam_live_box VALUES (1, row(1), NULL)$$);
DROP TABLE fam_live_box, fam_live_types, fam_types;
DROP CAST (fam_box AS text);
DROP FUNCTION fam_box_text(fam_box);
DROP TYPE fam_box;
DROP DOMAIN fam_mood_d;
DROP TYPE fam_mood;
-- A date, a float or an interval category has one text in every session: seg_train and the
-- trigger read categories as ::text under fixed display settings (DateStyle ISO in the
-- session's field order, IntervalStyle postgres, extra_float_digits 1, bytea_output hex).
-- Trained under 'SQL, DMY', extra_float_digits 0 and sql_standard intervals, the models keep
-- ISO dates, shortest floats and postgres intervals; rows inserted under 'German', -3 and
-- iso_8601 get the labels of seg_assign with the default session's ::text. Before, the models
-- kept '01/02/2024' and 0.333333333333333, and the trigger read each session's own text.
CREATE TEMP TABLE fam_styled AS
SELECT ((i * 37) % 11)::float8 AS x, date '2024-01-01' + 31 * (i % 3) AS d,
       (i % 3) / 3.0::float8 AS f, make_interval(days => i % 3, hours => 1) AS v
FROM generate_series(1, 60) i;
SET DateStyle = 'SQL, DMY';
SET extra_float_digits = 0;
SET IntervalStyle = 'sql_standard';
SELECT c, seg_train('fam_styled_' || c, 'fam_styled', ARRAY['x'], 3,
                    jsonb_build_object('algorithm', 'kprototypes', 'gamma', 10,
                                       'categorical_features', jsonb_build_array(c))) AS version
FROM unnest(ARRAY['d', 'f', 'v']) c;
RESET DateStyle;
RESET extra_float_digits;
RESET IntervalStyle;
SELECT c, (seg_model('fam_styled_' || c)::jsonb)->'categories' AS categories
FROM unnest(ARRAY['d', 'f', 'v']) c;
CREATE TEMP TABLE fam_live_styled (LIKE fam_styled, seg_d int, seg_f int, seg_v int);
CREATE TRIGGER fam_label_d BEFORE INSERT ON fam_live_styled FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_styled_d', 'seg_d', 'x', 'categorical=d');
CREATE TRIGGER fam_label_f BEFORE INSERT ON fam_live_styled FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_styled_f', 'seg_f', 'x', 'categorical=f');
CREATE TRIGGER fam_label_v BEFORE INSERT ON fam_live_styled FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_styled_v', 'seg_v', 'x', 'categorical=v');
SET DateStyle = 'German';
SET extra_float_digits = -3;
SET IntervalStyle = 'iso_8601';
INSERT INTO fam_live_styled (x, d, f, v) SELECT x, d, f, v FROM fam_styled;
SELECT current_setting('DateStyle') AS datestyle_after_trigger,
       current_setting('extra_float_digits') AS digits_after_trigger;
RESET extra_float_digits;
-- A default session's text (pg_regress runs in DateStyle Postgres).
SET DateStyle = 'ISO, MDY';
SET IntervalStyle = 'postgres';
SELECT d::text AS d_text, v::text AS v_text FROM fam_styled LIMIT 1;
SELECT count(*) AS n,
       count(*) FILTER (WHERE seg_d = seg_assign('fam_styled_d', ARRAY[x], ARRAY[d::text])) AS d,
       count(*) FILTER (WHERE seg_f = seg_assign('fam_styled_f', ARRAY[x], ARRAY[f::text])) AS f,
       count(*) FILTER (WHERE seg_v = seg_assign('fam_styled_v', ARRAY[x], ARRAY[v::text])) AS v,
       count(DISTINCT seg_d) AS segments_d
FROM fam_live_styled;
RESET DateStyle;
RESET IntervalStyle;
DROP TABLE fam_live_styled, fam_styled;
DELETE FROM seg_models WHERE name LIKE 'fam\_styled\_%';
-- Categorical columns with a model without categories, a wrong count, a column that is also
-- a feature (42701, as seg_train).
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_km', 'segment', 'income', 'age', 'recency',
                                       'categorical=education');
SELECT try($$INSERT INTO fam_live (income, age, recency) VALUES (50000, 40, 10)$$);
DROP TRIGGER fam_label ON fam_live;
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_kp', 'segment', 'income', 'age', 'recency',
                                       'categorical=education');
SELECT try($$INSERT INTO fam_live (income, age, recency) VALUES (50000, 40, 10)$$);
DROP TRIGGER fam_label ON fam_live;
CREATE TRIGGER fam_label BEFORE INSERT ON fam_live FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('fam_kp', 'segment', 'income', 'age', 'recency',
                                       'categorical=education', 'categorical=income');
SELECT try($$INSERT INTO fam_live (income, age, recency) VALUES (50000, 40, 10)$$);
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
-- dbscan_fit takes eps and min_samples, not k: seg_train says so (not a missing function).
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "dbscan"}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": 3}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes"}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"categorical_features": ["education"]}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes", "categorical_features": []}')$$);
-- Categorical columns are checked like the numeric ones: a repeated one (it counted twice
-- in every mismatch), one that is also a numeric feature, one that does not exist.
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes",
                                "categorical_features": ["education", "education"]}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income', 'age'], 2,
                              '{"algorithm": "kprototypes", "categorical_features": ["age"]}')$$);
SELECT try($$SELECT seg_train('fam_bad', 'fam_train', ARRAY['income'], 2,
                              '{"algorithm": "kprototypes", "categorical_features": ["Education"]}')$$);
SELECT count(*) AS nothing_saved FROM seg_models WHERE name = 'fam_bad';
-- seg_align renumbers a hierarchical model's leaves with its clusters: aligned to a
-- complete-linkage tree, every cluster keeps its rows under its new number.
CREATE TEMP TABLE fam_h AS
SELECT hclust_fit(x, 5) AS ward, hclust_fit(x, 5, '{"linkage": "complete"}') AS complete
FROM fam_mall;
CREATE TEMP TABLE fam_h_aligned AS SELECT seg_align(ward, complete) AS m FROM fam_h;
SELECT count(DISTINCT (seg_assign(h.ward, x), seg_assign(a.m, x))) AS label_pairs,
       count(*) FILTER (WHERE seg_assign(a.m, x) = seg_assign(h.complete, x)) AS agree_aligned,
       count(*) FILTER (WHERE seg_assign(h.ward, x) = seg_assign(h.complete, x)) AS agree_before
FROM fam_mall, fam_h h, fam_h_aligned a;
SELECT (SELECT array_agg(s ORDER BY s) FROM jsonb_array_elements_text((a.m::jsonb)->'sizes') s)
       = (SELECT array_agg(s ORDER BY s) FROM jsonb_array_elements_text((h.ward::jsonb)->'sizes') s)
           AS same_sizes
FROM fam_h h, fam_h_aligned a;
-- seg_train retrains a hierarchical model under the same name, aligned to the active version.
CREATE TEMP TABLE fam_mall_t AS SELECT age, annual_income, spending_score FROM mall_customers;
SELECT seg_train('fam_train_h', 'fam_mall_t', ARRAY['age', 'annual_income', 'spending_score'], 5,
                 '{"algorithm": "hierarchical"}') AS version;
SELECT seg_train('fam_train_h', 'fam_mall_t', ARRAY['age', 'annual_income', 'spending_score'], 5,
                 '{"algorithm": "hierarchical", "linkage": "average"}') AS version;
SELECT (seg_model('fam_train_h')::jsonb)->>'algorithm' AS algorithm,
       (seg_model('fam_train_h')::jsonb)->'options'->>'linkage' AS linkage;
DELETE FROM seg_models WHERE name LIKE 'fam\_%';
