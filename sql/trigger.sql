-- seg_label_trigger: rows are labelled with the active model as they are inserted or updated.
SET client_min_messages = warning;
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5);

-- Feature columns of every accepted type; the segment and version columns are integers.
CREATE TABLE shop_customers (
    id        int PRIMARY KEY,
    age       smallint,
    income    numeric,
    score     real,
    segment   int,
    seg_ver   bigint
);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON shop_customers
    FOR EACH ROW EXECUTE FUNCTION
    seg_label_trigger('mall', 'segment', 'age', 'income', 'score', 'version_column=seg_ver');

-- A multi-row INSERT: every row gets the active model's label and version, equal to
-- seg_assign with that model.
INSERT INTO shop_customers (id, age, income, score)
SELECT customer_id, age, annual_income, spending_score FROM mall_customers;
SELECT count(*) AS n, count(segment) AS labelled, min(seg_ver) AS v_min, max(seg_ver) AS v_max,
       count(*) FILTER (WHERE segment = seg_assign(seg_model('mall'),
                                                   ARRAY[age, income, score]::float8[])) AS same
FROM shop_customers;
SELECT segment, count(*) FROM shop_customers GROUP BY segment ORDER BY segment;

-- A caller-supplied segment is overwritten; NULL or NaN features give a NULL segment.
INSERT INTO shop_customers VALUES (1001, 30, 60, 50, 99, 99);
INSERT INTO shop_customers (id, age, income, score) VALUES (1002, NULL, 60, 50),
                                                           (1003, 30, 'NaN', 50);
SELECT id, segment, seg_ver,
       segment = seg_assign(seg_model('mall'), ARRAY[age, income, score]::float8[]) AS same
FROM shop_customers WHERE id > 1000 ORDER BY id;

-- UPDATE relabels: changed features, and "SET segment = NULL" re-labels with the active model.
UPDATE shop_customers SET age = 70, income = 20, score = 5 WHERE id = 1001;
SELECT id, segment = seg_assign(seg_model('mall'), ARRAY[70, 20, 5]::float8[]) AS relabelled
FROM shop_customers WHERE id = 1001;

-- Retrain with another k, then relabel everything: one statement, one model version.
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 3)
       AS v2;
UPDATE shop_customers SET segment = NULL;
SELECT seg_ver, count(*) AS n, max(segment) AS top,
       count(*) FILTER (WHERE segment IS NOT DISTINCT FROM
                        seg_assign(seg_model('mall'), ARRAY[age, income, score]::float8[])) AS same
FROM shop_customers GROUP BY seg_ver;

-- The next statement sees an activation, also within one transaction; a rolled-back
-- activation is never used.
BEGIN;
SELECT seg_activate('mall', 1);
INSERT INTO shop_customers (id, age, income, score) VALUES (2001, 25, 80, 90);
SELECT seg_activate('mall', 2);
INSERT INTO shop_customers (id, age, income, score) VALUES (2002, 25, 80, 90);
COMMIT;
BEGIN;
SELECT seg_activate('mall', 1);
ROLLBACK;
INSERT INTO shop_customers (id, age, income, score) VALUES (2003, 25, 80, 90);
SELECT id, seg_ver FROM shop_customers WHERE id > 2000 ORDER BY id;

-- COPY goes through the trigger too.
COPY shop_customers (id, age, income, score) FROM stdin;
3001	19	15	39
3002	67	19	14
\.
SELECT id, segment = seg_assign(seg_model('mall'), ARRAY[age, income, score]::float8[]) AS same
FROM shop_customers WHERE id > 3000 ORDER BY id;

-- A model that imputes labels rows with missing features.
SELECT seg_train('imputing', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'],
                 4, '{"missing": "impute"}') AS v;
CREATE TABLE imputed (age float8, income int, score int8, seg smallint);
CREATE TRIGGER label BEFORE INSERT ON imputed
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('imputing', 'seg', 'age', 'income', 'score');
INSERT INTO imputed VALUES (NULL, 60, 50), (30, NULL, NULL), ('Infinity', 60, 50);
SELECT seg IS NOT NULL AS labelled,
       seg = seg_assign(seg_model('imputing'), ARRAY[age, income, score]::float8[]) AS same
FROM imputed;

-- Domains over accepted types are accepted.
CREATE DOMAIN score_t AS numeric CHECK (VALUE >= 0);
CREATE TABLE dom (age int, income int, score score_t, seg int);
CREATE TRIGGER label BEFORE INSERT ON dom
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO dom VALUES (30, 60, 50);
SELECT seg = seg_assign(seg_model('mall'), ARRAY[30, 60, 50]::float8[]) AS same FROM dom;

-- Misuse is reported clearly (when the trigger first fires).
CREATE TABLE bad (id int, age float8, income float8, score float8, name text, seg int,
                  seg_text text, ver int);
CREATE FUNCTION pg_temp.bad_trigger(VARIADIC args text[]) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DROP TRIGGER IF EXISTS t ON bad';
    EXECUTE format('CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW '
                   'EXECUTE FUNCTION seg_label_trigger(%s)',
                   (SELECT string_agg(quote_literal(a), ', ') FROM unnest(args) a));
    RETURN try('INSERT INTO bad (id, age, income, score) VALUES (1, 30, 60, 50)');
END $$;
SELECT pg_temp.bad_trigger('mall', 'seg');
SELECT pg_temp.bad_trigger('', 'seg', 'age');
SELECT pg_temp.bad_trigger('mall', 'nope', 'age', 'income', 'score');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'nope', 'score');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'name', 'score');
SELECT pg_temp.bad_trigger('mall', 'seg_text', 'age', 'income', 'score');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'score', 'version_column=name');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'score', 'version_column=ver',
                           'version_column=ver');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'seg');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'score', 'version_column=seg');
SELECT pg_temp.bad_trigger('mall', 'seg', 'version_column=ver');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'ctid');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income');
SELECT pg_temp.bad_trigger('no_such_model', 'seg', 'age', 'income', 'score');
SELECT pg_temp.bad_trigger('mall', 'seg', 'age', 'income', 'score');
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
SELECT try('INSERT INTO bad (id) VALUES (1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad
    FOR EACH STATEMENT EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
SELECT try('INSERT INTO bad (id) VALUES (1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE DELETE ON bad
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
SELECT try('DELETE FROM bad');
SELECT try('SELECT seg_label_trigger()');
-- ALTER TABLE between statements is picked up: a feature column changed to text.
CREATE TABLE altered (age int, income int, score int, seg int);
CREATE TRIGGER label BEFORE INSERT ON altered
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO altered VALUES (30, 60, 50);
ALTER TABLE altered ALTER COLUMN score TYPE text;
SELECT try($$INSERT INTO altered VALUES (30, 60, '50')$$);
-- Table rewrites between statements: a feature column int -> numeric, dropped and added again
-- (a new attnum), renamed away and back; INSERT ... ON CONFLICT DO UPDATE and UPDATE of a
-- feature. Every row ends up labelled as seg_assign labels it.
CREATE TABLE rewritten (id int PRIMARY KEY, age int, income int, score int, seg int);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON rewritten
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO rewritten SELECT customer_id, age, annual_income, spending_score
FROM mall_customers WHERE customer_id <= 50;
ALTER TABLE rewritten ALTER COLUMN age TYPE numeric;
INSERT INTO rewritten SELECT customer_id, age + 0.4, annual_income, spending_score
FROM mall_customers WHERE customer_id BETWEEN 51 AND 100;
ALTER TABLE rewritten DROP COLUMN income;
ALTER TABLE rewritten ADD COLUMN income real;
UPDATE rewritten r SET income = m.annual_income FROM mall_customers m WHERE m.customer_id = r.id;
INSERT INTO rewritten (id, age, income, score)
SELECT customer_id, age, annual_income, spending_score
FROM mall_customers WHERE customer_id BETWEEN 101 AND 150;
ALTER TABLE rewritten RENAME COLUMN score TO spending;
SELECT try($$INSERT INTO rewritten (id, age, income, spending) VALUES (151, 30, 60, 50)$$);
ALTER TABLE rewritten RENAME COLUMN spending TO score;
INSERT INTO rewritten (id, age, income, score)
SELECT customer_id, age, annual_income, 100 - spending_score
FROM mall_customers WHERE customer_id <= 20 OR customer_id > 150
ON CONFLICT (id) DO UPDATE SET score = excluded.score;
SELECT count(*) AS rows, count(*) FILTER (WHERE seg IS NULL) AS unlabelled,
       count(*) FILTER (WHERE seg IS DISTINCT FROM
                        seg_assign('mall', ARRAY[age, income, score]::float8[])) AS mislabelled
FROM rewritten;
-- A partitioned table: the trigger on the parent also labels a partition attached later whose
-- columns are in another order (and one dropped), and rows an UPDATE moves between partitions.
CREATE TABLE parted (id int, region int, age int, income numeric, score int, seg int)
    PARTITION BY LIST (region);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON parted
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
CREATE TABLE parted_2 (junk text, score int, seg int, income numeric, id int, age int, region int);
ALTER TABLE parted_2 DROP COLUMN junk;
ALTER TABLE parted ATTACH PARTITION parted_2 FOR VALUES IN (2);
INSERT INTO parted (id, region, age, income, score)
SELECT customer_id, 1 + customer_id % 2, age, annual_income, spending_score FROM mall_customers;
UPDATE parted SET region = 3 - region, score = 100 - score WHERE id <= 20;
SELECT tableoid::regclass AS partition, count(*) AS rows,
       count(*) FILTER (WHERE seg IS DISTINCT FROM
                        seg_assign('mall', ARRAY[age, income, score]::float8[])) AS mislabelled
FROM parted GROUP BY 1 ORDER BY 1;
-- DETACH PARTITION removes the trigger PostgreSQL cloned onto the partition: a row written to
-- the detached table afterwards is not labelled (docs/production.md says so).
ALTER TABLE parted DETACH PARTITION parted_2;
INSERT INTO parted_2 (id, region, age, income, score) VALUES (1001, 2, 30, 60, 50);
SELECT id, seg, (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'parted_2'::regclass) AS triggers
FROM parted_2 WHERE id = 1001;
-- A table partitioned by the segment column cannot be labelled: PostgreSQL routes the row
-- before the partition's BEFORE ROW trigger runs and refuses to move it afterwards (a NULL
-- segment has no partition but a DEFAULT one).
CREATE TABLE by_segment (id int, age int, income numeric, score int, seg int)
    PARTITION BY LIST (seg);
CREATE TABLE by_segment_0 PARTITION OF by_segment FOR VALUES IN (0);
CREATE TABLE by_segment_other PARTITION OF by_segment DEFAULT;
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON by_segment
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO by_segment (id, age, income, score) VALUES (1, 30, 60, 50);
-- Huge, tiny and special numbers (numeric, a domain with a CHECK, float8): labelled as
-- seg_assign labels them (NaN and +-Infinity give NULL; numeric 1e-400 is read as 0); a
-- numeric beyond double precision's range is an error naming the column, not PostgreSQL's
-- bare '"1000...0" is out of range for type double precision'.
CREATE DOMAIN income_t AS numeric CHECK (VALUE >= 0);
CREATE TABLE extremes (id int, age numeric, income income_t, score float8, seg int);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON extremes
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO extremes VALUES (1, 1e300, 60, 50), (2, 'NaN', 60, 50), (3, 'Infinity', 60, 50),
    (4, -0.0, 60, 50), (5, 30, 60, 4.9e-324), (6, 30, 60, '-Infinity'), (7, -1e300, 60, 50),
    (8, 30, 1e300, 1e300), (9, 1e-400, 60, 50);
SELECT id, seg,
       seg IS NOT DISTINCT FROM seg_assign('mall', ARRAY[CASE WHEN id = 9 THEN 0 ELSE age END,
                                                         income, score]::float8[]) AS as_seg_assign
FROM extremes ORDER BY id;
SELECT try($$INSERT INTO extremes VALUES (10, 1e400, 60, 50)$$);
SELECT try($$INSERT INTO extremes VALUES (10, 30, 60, 50), (11, -9e999, 60, 50)$$);
SELECT try($$INSERT INTO extremes VALUES (10, 30, -1, 50)$$);
SELECT try($$UPDATE extremes SET income = 1e309 WHERE id = 1$$);
-- A trigger that fires on UPDATE OF some of its input columns only is refused: an UPDATE of
-- another one would leave the segment stale.
CREATE TABLE partial_update (id int, age int, income numeric, score int, seg int);
CREATE TRIGGER label BEFORE INSERT OR UPDATE OF age, income ON partial_update
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
SELECT try($$INSERT INTO partial_update VALUES (1, 30, 60, 50)$$);
\set SHOW_CONTEXT never
INSERT INTO partial_update VALUES (1, 30, 60, 50);
-- A column name longer than 63 bytes, which CREATE TABLE cut: the hint names the cut column.
CREATE TABLE long_names (age int, income numeric,
    spending_score_on_a_scale_from_one_to_one_hundred_as_the_mall_rates_it int, seg int);
CREATE TRIGGER label BEFORE INSERT ON long_names FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income',
        'spending_score_on_a_scale_from_one_to_one_hundred_as_the_mall_rates_it');
INSERT INTO long_names VALUES (30, 60, 50);
DROP TABLE long_names;
\set SHOW_CONTEXT errors
CREATE OR REPLACE TRIGGER label BEFORE INSERT OR UPDATE OF id, score, income, age
    ON partial_update
    FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('mall', 'seg', 'age', 'income', 'score');
INSERT INTO partial_update VALUES (1, 30, 60, 50);
UPDATE partial_update SET score = 100 - score;
SELECT seg = seg_assign('mall', ARRAY[age, income, score]::float8[]) AS relabelled
FROM partial_update;
-- A role that may insert but not read the registry cannot label rows.
CREATE ROLE regress_seg_writer;
GRANT INSERT, SELECT ON shop_customers TO regress_seg_writer;
SET ROLE regress_seg_writer;
SELECT try($$INSERT INTO shop_customers (id, age, income, score) VALUES (4001, 30, 60, 50)$$);
RESET ROLE;
GRANT SELECT ON seg_models TO regress_seg_writer;
SET ROLE regress_seg_writer;
INSERT INTO shop_customers (id, age, income, score) VALUES (4001, 30, 60, 50);
RESET ROLE;
SELECT seg_ver, segment IS NOT NULL AS labelled FROM shop_customers WHERE id = 4001;
REVOKE ALL ON shop_customers, seg_models FROM regress_seg_writer;
DROP ROLE regress_seg_writer;

-- Retraining on the same columns in another order: seg_train saves the version unaligned (a
-- NOTICE says why) and the trigger, still listing the old order, refuses it rather than read
-- each column as another feature; seg_report refuses the old order too.
CREATE TABLE ordered (id int, age int, income numeric, score int, segment int);
SELECT seg_train('ordered', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'],
                 4) AS version;
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON ordered FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ordered', 'segment', 'age', 'income', 'score');
CREATE VIEW ordered_source AS
SELECT customer_id, age, annual_income AS income, spending_score AS score FROM mall_customers;
SELECT seg_train('ordered', 'ordered_source', ARRAY['age', 'income', 'score'], 4) AS renamed;
INSERT INTO ordered (id, age, income, score) VALUES (1, 30, 60, 50);
SET client_min_messages = notice;
SELECT seg_train('ordered', 'ordered_source', ARRAY['income', 'age', 'score'], 4) AS reordered;
SET client_min_messages = warning;
SELECT try($$INSERT INTO ordered (id, age, income, score) VALUES (2, 30, 60, 50)$$);
\set SHOW_CONTEXT never
INSERT INTO ordered (id, age, income, score) VALUES (2, 30, 60, 50);
SELECT seg_report(seg_model('ordered'), 'ordered_source', ARRAY['age', 'income', 'score']);
\set SHOW_CONTEXT errors
-- In the model's order both work again.
CREATE OR REPLACE TRIGGER label BEFORE INSERT OR UPDATE ON ordered FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ordered', 'segment', 'income', 'age', 'score');
INSERT INTO ordered (id, age, income, score) VALUES (2, 30, 60, 50);
SELECT segment = seg_assign('ordered', ARRAY[income, age, score]::float8[]) AS model_order
FROM ordered WHERE id = 2;
SELECT seg_report(seg_model('ordered'), 'ordered_source', ARRAY['income', 'age', 'score'])
       LIKE '%<svg%' AS report;

DROP TABLE shop_customers, imputed, dom, bad, altered, ordered, rewritten, parted, parted_2,
           by_segment, extremes, partial_update;
DROP DOMAIN income_t;
DROP VIEW ordered_source;
DROP DOMAIN score_t;
DELETE FROM seg_models;
RESET client_min_messages;
