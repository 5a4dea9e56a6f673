-- The extension installed into a schema whose name needs quoting (capitals, a space, a "%"):
-- every function that builds SQL (seg_train both engines and retraining, kmeans_stream_fit,
-- seg_sweep, seg_compare, seg_report, seg_rfm) and the registry, the trigger and
-- seg_assign by name work there; it cannot be moved; DROP EXTENSION takes the registry along.
SELECT current_database() AS regress_db \gset
CREATE DATABASE cseg_install_schema;
\c cseg_install_schema
SET client_min_messages = warning;
CREATE SCHEMA "Seg 50% Tools";
CREATE EXTENSION customer_seg SCHEMA "Seg 50% Tools";
SET search_path = public, "Seg 50% Tools";
CREATE TABLE mall AS
SELECT i AS id, (20 + (i * 7) % 50)::int AS age, (15 + (i * 13) % 120)::numeric(12,2) AS income,
       ((i * 31) % 100)::int AS score
FROM generate_series(1, 200) i;
SELECT seg_train('mall', 'mall', ARRAY['age', 'income', 'score'], 3) AS v1,
       seg_train('mall', 'mall', ARRAY['age', 'income', 'score'], 3, '{"seed": 4}') AS v2,
       seg_train('mall_stream', 'mall', ARRAY['age', 'income', 'score'], 3,
                 '{"engine": "stream"}') AS s1,
       seg_train('mall_stream', 'mall', ARRAY['age', 'income', 'score'], 3,
                 '{"engine": "stream", "seed": 3}') AS s2;
SELECT (kmeans_stream_fit('mall', ARRAY['age', 'income', 'score'], 3)::jsonb)->'sizes' AS sizes;
SELECT count(*) AS sweep_rows FROM seg_sweep('mall', ARRAY['age', 'income', 'score'], 2, 3);
SELECT count(*) AS compare_rows FROM seg_compare('mall', ARRAY['age', 'income', 'score'], 2, 3);
SELECT seg_report(seg_model('mall'), 'mall', ARRAY['age', 'income', 'score'])
       LIKE '%<svg%' AS report_has_charts;
CREATE TABLE orders AS
SELECT i % 20 AS customer, timestamptz '2024-01-01' + i * interval '1 day' AS at,
       (i % 7 + 1)::numeric AS amount, i AS ord
FROM generate_series(1, 300) i;
SELECT count(*) AS rfm_customers, count(DISTINCT segment) > 1 AS named
FROM seg_rfm('orders', 'customer', 'at', 'amount', '2025-01-01', 'ord');
CREATE TABLE customers (id int, age int, income numeric, score int, segment int);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON customers FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('mall', 'segment', 'age', 'income', 'score');
INSERT INTO customers SELECT id, age, income, score FROM mall;
SELECT count(*) FILTER (WHERE c.segment = seg_assign('mall', ARRAY[c.age, c.income, c.score]::float8[]))
       AS labelled_alike
FROM customers c;
-- Not relocatable: moving is refused and nothing moves.
CREATE SCHEMA elsewhere;
\set VERBOSITY terse
ALTER EXTENSION customer_seg SET SCHEMA elsewhere;
-- A trigger depends on the extension: DROP EXTENSION refuses, CASCADE drops the trigger and
-- the registry with every saved model, and leaves the customers' table and labels.
DROP EXTENSION customer_seg;
DROP EXTENSION customer_seg CASCADE;
\set VERBOSITY default
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = '"Seg 50% Tools"'::regnamespace;
SELECT to_regclass('"Seg 50% Tools".seg_models') AS registry,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customers'::regclass) AS triggers,
       (SELECT count(segment) FROM customers) AS labels_kept;
\c :regress_db
DROP DATABASE cseg_install_schema;
