-- The backend's store of prepared models (customer_seg.model_cache_memory): whatever it holds,
-- every answer is the one of a model decoded afresh; it stays bounded; errors leave no pin.
SET client_min_messages = warning;
-- The store measured is this backend's: the statements must run here, not in a parallel
-- worker with a store of its own (a server with force_parallel_mode = regress in its
-- configuration left the cap check below with nothing to measure: NULL, not true).
SET force_parallel_mode = off;
CREATE FUNCTION mc_entries() RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM pg_backend_memory_contexts
    WHERE name = 'customer_seg prepared model' $$;
CREATE TABLE mc_pts AS
SELECT row_number() OVER (ORDER BY customer_id)::int AS id,
       ARRAY[age, annual_income, spending_score]::float8[] AS x
FROM mall_customers;
-- Two hierarchical models of the same shape (100 leaves, k = 4) from the two halves of the
-- rows: encodings of equal length, other bytes. Stored out of line (toast pointers).
CREATE TABLE mc_models (id int, m segmodel);
ALTER TABLE mc_models ALTER COLUMN m SET STORAGE EXTERNAL;
INSERT INTO mc_models
SELECT 1, hclust_fit(x, 4) FROM mc_pts WHERE id % 2 = 0
UNION ALL
SELECT 2, hclust_fit(x, 4) FROM mc_pts WHERE id % 2 = 1;
SELECT count(DISTINCT pg_column_size(m::jsonb::segmodel)) AS lengths,
       count(DISTINCT m::jsonb) AS models
FROM mc_models;
SHOW customer_seg.model_cache_memory;

-- References with nothing kept between statements: one statement per model.
SET customer_seg.model_cache_memory = 0;
CREATE TABLE mc_ref (model int, id int, seg int, dist float8);
INSERT INTO mc_ref SELECT 1, p.id, seg_assign(mm.m, p.x), seg_distance(mm.m, p.x)
FROM mc_pts p, mc_models mm WHERE mm.id = 1;
INSERT INTO mc_ref SELECT 2, p.id, seg_assign(mm.m, p.x), seg_distance(mm.m, p.x)
FROM mc_pts p, mc_models mm WHERE mm.id = 2;
SELECT mc_entries() AS entries_with_cap_0;
-- The two models label the rows differently (so a stale model would show).
SELECT count(*) FILTER (WHERE a.seg <> b.seg) > 0 AS labels_differ,
       count(*) FILTER (WHERE a.dist <> b.dist) > 0 AS distances_differ
FROM mc_ref a JOIN mc_ref b ON a.id = b.id AND a.model = 1 AND b.model = 2;
RESET customer_seg.model_cache_memory;

-- A statement's answers compared with the references: the number of rows that differ.
CREATE FUNCTION mc_wrong(model int) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM mc_ref r JOIN mc_pts p USING (id), mc_models mm
    WHERE r.model = $1 AND mm.id = $1
      AND (seg_assign(mm.m, p.x) IS DISTINCT FROM r.seg
           OR seg_distance(mm.m, p.x) IS DISTINCT FROM r.dist) $$;

-- 1. Statement after statement, the models alternating: the store keeps both (equal lengths,
-- found by their bytes), each statement gets its own model's answers.
SELECT mc_wrong(1) AS wrong_1, mc_wrong(2) AS wrong_2, mc_wrong(1) AS wrong_1_again,
       mc_wrong(2) AS wrong_2_again;
SELECT mc_entries() AS entries;

-- 2. One call site, the model changing on every row: a table of (row, model) pairs stored
-- model after model, each row with its own toast pointer.
CREATE TABLE mc_mixed (id int, model int, x float8[], m segmodel);
ALTER TABLE mc_mixed ALTER COLUMN m SET STORAGE EXTERNAL;
INSERT INTO mc_mixed
SELECT p.id, mm.id, p.x, mm.m FROM mc_pts p, mc_models mm ORDER BY p.id, mm.id;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE seg_assign(x.m, x.x) IS DISTINCT FROM r.seg
                        OR seg_distance(x.m, x.x) IS DISTINCT FROM r.dist) AS wrong
FROM mc_mixed x JOIN mc_ref r ON r.id = x.id AND r.model = x.model;

-- 3. The model UPDATEd between two statements (same length, other bytes).
CREATE TABLE mc_one AS SELECT m FROM mc_models WHERE id = 1;
SELECT count(*) FILTER (WHERE seg_distance(o.m, p.x) IS DISTINCT FROM r.dist) AS wrong_before
FROM mc_one o, mc_pts p JOIN mc_ref r ON r.id = p.id AND r.model = 1;
UPDATE mc_one SET m = (SELECT m FROM mc_models WHERE id = 2);
SELECT count(*) FILTER (WHERE seg_distance(o.m, p.x) IS DISTINCT FROM r.dist) AS wrong_after
FROM mc_one o, mc_pts p JOIN mc_ref r ON r.id = p.id AND r.model = 2;
-- In the registry: a new version of the same shape trained between two statements.
CREATE TABLE mc_half AS SELECT id, x[1] AS x1, x[2] AS x2, x[3] AS x3 FROM mc_pts WHERE id % 2 = 0;
SELECT seg_train('mc_reg', 'mc_half', ARRAY['x1', 'x2', 'x3'], 4) AS v;
CREATE TABLE mc_reg_1 AS SELECT id, seg_assign('mc_reg'::text, x) AS s FROM mc_pts;
SELECT bool_and(s = seg_assign(seg_model('mc_reg'), x)) AS same_as_v1
FROM mc_reg_1 JOIN mc_pts USING (id);
TRUNCATE mc_half;
INSERT INTO mc_half SELECT id, x[1], x[2], x[3] FROM mc_pts WHERE id % 2 = 1;
SELECT seg_train('mc_reg', 'mc_half', ARRAY['x1', 'x2', 'x3'], 4) AS v;
SELECT bool_and(seg_assign('mc_reg'::text, x) = seg_assign(seg_model('mc_reg'), x))
           AS same_as_v2,
       count(*) FILTER (WHERE seg_assign('mc_reg'::text, x) <> s) > 0 AS changed
FROM mc_reg_1 JOIN mc_pts USING (id);

-- 4. Two call sites sharing one prepared model in a statement (k-means keeps its per-row
-- distances in the prepared block; the hierarchical kind its tree).
SELECT count(*) FILTER (WHERE seg_distance(mm.m, p.x) IS DISTINCT FROM r.dist
                        OR seg_assign(mm.m, q.x) IS DISTINCT FROM rq.seg
                        OR seg_distance(mm.m, q.x) IS DISTINCT FROM rq.dist) AS wrong
FROM mc_models mm, mc_pts p JOIN mc_ref r ON r.id = p.id,
     mc_pts q JOIN mc_ref rq ON rq.id = q.id
WHERE mm.id = 2 AND r.model = 2 AND rq.model = 2 AND q.id = 201 - p.id;
CREATE TABLE mc_km AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5) AS m FROM mall_customers;
SET customer_seg.model_cache_memory = 0;
CREATE TABLE mc_km_ref AS SELECT p.id, seg_distance(k.m, p.x) AS d FROM mc_km k, mc_pts p;
RESET customer_seg.model_cache_memory;
SELECT count(*) FILTER (WHERE seg_distance(k.m, p.x) IS DISTINCT FROM rp.d
                        OR seg_distance(k.m, q.x) IS DISTINCT FROM rq.d) AS wrong_kmeans
FROM mc_km k, mc_pts p JOIN mc_km_ref rp ON rp.id = p.id,
     mc_pts q JOIN mc_km_ref rq ON rq.id = q.id
WHERE q.id = 201 - p.id;

-- 5. More models than the store keeps (20 k-means models, k = 2..21), each row of one call
-- site with the next model, while another call site holds a hierarchical model; a small cap.
SET customer_seg.model_cache_memory = '64kB';
CREATE TABLE mc_many (k int, m segmodel);
INSERT INTO mc_many
SELECT k, kmeans_fit(ARRAY[age, annual_income, spending_score], k, '{"n_init": 1}')
FROM mall_customers, generate_series(2, 21) k GROUP BY k;
SET customer_seg.model_cache_memory = 0;
CREATE TABLE mc_many_ref AS
SELECT mm.k, p.id, seg_distance(mm.m, p.x) AS d FROM mc_many mm, mc_pts p;
SET customer_seg.model_cache_memory = '64kB';
CREATE TABLE mc_rows AS
SELECT p.id, mm.k, p.x, mm.m FROM mc_pts p, mc_many mm ORDER BY p.id, mm.k;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE seg_distance(r.m, r.x) IS DISTINCT FROM f.d) AS wrong_many,
       count(*) FILTER (WHERE seg_distance(h.m, r.x) IS DISTINCT FROM hr.dist) AS wrong_held
FROM mc_rows r JOIN mc_many_ref f ON f.k = r.k AND f.id = r.id
     JOIN mc_ref hr ON hr.id = r.id AND hr.model = 1, mc_models h
WHERE h.id = 1;
SELECT mc_entries() <= 16 AS at_most_16,
       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts
        WHERE name = 'customer_seg prepared model') <= 64 * 1024 AS within_cap;

-- 6. An error in the middle of a statement, and settings: no pin is left behind (with the
-- cap at 0 nothing stays once no statement runs).
SELECT try($$SELECT count(seg_assign(m, CASE WHEN id = 150 THEN ARRAY[1, 2]::float8[] ELSE x END))
           FROM mc_mixed$$);
SET customer_seg.model_cache_memory = 0;
SELECT mc_entries() AS entries_after_error;
SELECT try($$SET customer_seg.model_cache_memory = -1$$);
SELECT try($$SET customer_seg.model_cache_memory = '4TB'$$);
RESET customer_seg.model_cache_memory;
SELECT mc_wrong(1) AS wrong_1, mc_wrong(2) AS wrong_2, mc_entries() AS entries;

-- 7. Once a prepared hierarchical model has labelled 4 rows a leaf (over the statements of the
-- session), its search stops at the first leaf whose cover holds the row (the leaves' covers,
-- src/core/kdtree.cpp). A model of 3,000 leaves (random points, k = 6): the references label
-- 3,000 other rows with nothing kept (the full search); then one statement labels them 5
-- times (covers computed after 12,000 rows), another once more with the covers.
SELECT setseed(0.25);
CREATE TABLE mc_cloud AS
SELECT i, ARRAY[random() * 10, random() * 10, random() * 10]::float8[] AS x
FROM generate_series(1, 6000) i;
CREATE TABLE mc_big AS SELECT hclust_fit(x, 6) AS m FROM mc_cloud WHERE i <= 3000;
SET customer_seg.model_cache_memory = 0;
CREATE TABLE mc_big_ref AS
SELECT c.i, seg_assign(b.m, c.x) AS seg FROM mc_cloud c, mc_big b WHERE c.i > 3000;
RESET customer_seg.model_cache_memory;
SELECT count(*) AS rows, count(*) FILTER (WHERE seg_assign(b.m, c.x) IS DISTINCT FROM r.seg)
           AS wrong
FROM mc_cloud c JOIN mc_big_ref r USING (i), mc_big b, generate_series(1, 5);
SELECT count(*) AS rows, count(*) FILTER (WHERE seg_assign(b.m, c.x) IS DISTINCT FROM r.seg)
           AS wrong_with_covers
FROM mc_cloud c JOIN mc_big_ref r USING (i), mc_big b;
-- 8. The cap changed by a function on every row of the statement (0, 1 kB, 1 GB) while one
-- call site cycles through 40 hierarchical models (k = 2..6, many of equal length) and
-- another holds one: every answer is a fresh decoding's; nothing stays with the cap at 0.
CREATE FUNCTION mc_cap(v text) RETURNS int LANGUAGE sql VOLATILE AS $$
    SELECT length(set_config('customer_seg.model_cache_memory', v, false)) * 0 $$;
CREATE TABLE mc_forty AS
SELECT g, hclust_fit(x, 2 + g % 5) AS m FROM mc_pts, generate_series(1, 40) g
WHERE id % 40 <> g GROUP BY g;
SET customer_seg.model_cache_memory = 0;
CREATE TABLE mc_forty_ref AS
SELECT f.g, p.id, seg_assign(f.m, p.x) AS seg, seg_distance(f.m, p.x) AS dist
FROM mc_forty f, mc_pts p WHERE p.id % 4 = 0;
RESET customer_seg.model_cache_memory;
SELECT count(DISTINCT pg_column_size(m)) < 40 AS some_lengths_equal FROM mc_forty;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE seg_assign(f.m, p.x) IS DISTINCT FROM r.seg
                        OR seg_distance(f.m, p.x) IS DISTINCT FROM r.dist) AS wrong,
       count(*) FILTER (WHERE seg_distance(h.m, p.x) IS DISTINCT FROM hr.dist) AS wrong_held,
       sum(mc_cap(CASE p.id % 3 WHEN 0 THEN '0' WHEN 1 THEN '1kB' ELSE '1GB' END)) AS zero
FROM (SELECT * FROM mc_forty_ref ORDER BY id, g) r JOIN mc_forty f USING (g)
     JOIN mc_pts p USING (id) JOIN mc_ref hr ON hr.id = p.id AND hr.model = 1, mc_models h
WHERE h.id = 1;
SET customer_seg.model_cache_memory = 0;
SELECT mc_entries() AS entries_with_cap_0;
RESET customer_seg.model_cache_memory;

-- 9. The nearest-leaf covers with values at the edges: leaves at +-1e99, denormals and -0.0
-- (scale "none", so they stay as they are), rows from 5e-324 to 1e308, +-Infinity and NaN;
-- labelled 10 times in one statement (covers after 4 rows a leaf), the same as the full
-- search of a fresh decoding one row at a time.
CREATE TABLE mc_edge AS
SELECT i, ARRAY[CASE i % 7 WHEN 0 THEN 1e99 WHEN 1 THEN -1e99 WHEN 2 THEN 5e-324
                           WHEN 3 THEN -0.0 ELSE (i % 13)::float8 END,
                CASE i % 5 WHEN 0 THEN 1e-310 WHEN 1 THEN 9e99
                           ELSE (i % 11)::float8 * 1e98 END]::float8[] AS x
FROM generate_series(1, 120) i;
CREATE TABLE mc_edge_model AS SELECT hclust_fit(x, 3, '{"scale": "none"}') AS m FROM mc_edge;
CREATE TABLE mc_probe AS
SELECT row_number() OVER () AS j, ARRAY[a, b]::float8[] AS x
FROM unnest(ARRAY[0, -0.0, 5e-324, -5e-324, 1e-310, 1e99, -1e99, 1e154, 1e308, -1e308, 3,
                  7.5, 'Infinity', '-Infinity', 'NaN']::float8[]) a,
     unnest(ARRAY[0, 5e-324, 9e99, -1e308, 1e154, 5e98, 'NaN', 'Infinity']::float8[]) b;
CREATE FUNCTION mc_fresh(m segmodel, x float8[]) RETURNS int LANGUAGE plpgsql AS $$
DECLARE r int;
BEGIN
    PERFORM set_config('customer_seg.model_cache_memory', '0', true);
    EXECUTE 'SELECT seg_assign($1, $2)' INTO r USING m, x;  -- a new call site: decoded afresh
    PERFORM set_config('customer_seg.model_cache_memory', '64MB', true);
    RETURN r;
END $$;
CREATE TABLE mc_probe_ref AS SELECT j, mc_fresh(m, x) AS seg FROM mc_probe, mc_edge_model;
SELECT count(*) AS probes, count(seg) AS labelled FROM mc_probe_ref;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE seg_assign(m, p.x) IS DISTINCT FROM r.seg) AS wrong_with_covers
FROM mc_probe p JOIN mc_probe_ref r USING (j), mc_edge_model, generate_series(1, 10);

-- 10. Aggregates over (model, rows) compare each row's model with their group's through the
-- call site's cache (no longer hashing or comparing the whole encoding every row): groups
-- hash-aggregated side by side, the cap at 0 (entries freed, their memory reused), a group
-- whose third row brings another model of the same shape still fails; rows of one model from
-- separate toast pointers are one model.
SET customer_seg.model_cache_memory = 0;
SET enable_sort = off;
CREATE TABLE mc_three AS
SELECT s, kmeans_fit(ARRAY[age, annual_income, spending_score], 3,
                     jsonb_build_object('seed', s, 'n_init', 1)) AS m
FROM mall_customers, generate_series(1, 3) s GROUP BY s;
CREATE TABLE mc_groups (ord int, g int, s int, x float8[], m segmodel);
ALTER TABLE mc_groups ALTER COLUMN m SET STORAGE EXTERNAL;
INSERT INTO mc_groups
SELECT o, g, s, p.x, t.m
FROM (VALUES (1, 1, 1), (2, 2, 2), (3, 1, 3), (4, 2, 2)) v(o, g, s)
     JOIN mc_three t USING (s), mc_pts p WHERE p.id = v.o;
SELECT (SELECT count(DISTINCT m::text) FROM mc_three) AS models,
       (SELECT count(DISTINCT seg_distance(m, ARRAY[30, 60, 50]::float8[])) FROM mc_three)
           AS different_answers;
SELECT try($$SELECT g, seg_drift(m, x) FROM (SELECT * FROM mc_groups ORDER BY ord) r GROUP BY g$$);
SELECT try($$SELECT g, silhouette(m, x) FROM (SELECT * FROM mc_groups ORDER BY ord) r GROUP BY g$$);
SELECT g, (seg_drift(m, x)::jsonb -> 'rows')::int AS rows
FROM (SELECT * FROM mc_groups WHERE s <> 3 ORDER BY ord) r GROUP BY g ORDER BY g;
RESET enable_sort;
RESET customer_seg.model_cache_memory;

-- A model written as a literal (a Const in the plan) is compared with the cached one only on
-- the first row; the labels are those of the same model read from a table.
DO $$
DECLARE
    lit text;
    wrong bigint;
BEGIN
    SELECT m::text INTO lit FROM mc_models WHERE id = 1;
    EXECUTE format('SELECT count(*) FROM mc_ref r JOIN mc_pts p USING (id) '
                   'WHERE r.model = 1 AND r.seg IS DISTINCT FROM seg_assign(%L::segmodel, p.x)', lit)
        INTO wrong;
    RAISE WARNING 'literal model, rows labelled differently: %', wrong;
END $$;
-- A PL/pgSQL variable is not a Const: the same simple expression, re-evaluated after the
-- variable changed, uses the new model (models 1 and 2 label some rows differently).
CREATE FUNCTION mc_vars() RETURNS TABLE (model int, wrong bigint) LANGUAGE plpgsql AS $$
DECLARE
    v segmodel;
    lab int;
    r record;
BEGIN
    FOR k IN 1..2 LOOP
        model := k;
        SELECT m INTO v FROM mc_models mm WHERE mm.id = k;
        wrong := 0;
        FOR r IN SELECT f.id, f.seg, p.x FROM mc_ref f JOIN mc_pts p USING (id)
                 WHERE f.model = mc_vars.model ORDER BY f.id LOOP
            lab := seg_assign(v, r.x);
            IF lab IS DISTINCT FROM r.seg THEN wrong := wrong + 1; END IF;
        END LOOP;
        RETURN NEXT;
    END LOOP;
END $$;
SELECT * FROM mc_vars();
DROP FUNCTION mc_vars();

-- Clean up: later tests list the registry.
DELETE FROM seg_models WHERE name = 'mc_reg';
DROP TABLE mc_big, mc_big_ref, mc_cloud, mc_half, mc_km, mc_km_ref, mc_many, mc_many_ref,
    mc_mixed, mc_models, mc_one, mc_pts, mc_ref, mc_reg_1, mc_rows, mc_forty, mc_forty_ref,
    mc_edge, mc_edge_model, mc_probe, mc_probe_ref, mc_three, mc_groups;
DROP FUNCTION mc_entries(), mc_wrong(int), mc_cap(text), mc_fresh(segmodel, float8[]);
