-- The feature columns seg_train, kmeans_stream_fit, seg_sweep, seg_compare and seg_report read
-- (seg_feature_columns): every kind of relation, names needing quotes, every numeric type, and
-- a clear error naming the column for a missing, repeated or non-numeric one.
CREATE TABLE fc_base AS
SELECT i AS id, (20 + (i * 7) % 50)::int AS age, (15 + (i * 13) % 120)::numeric(12,2) AS income,
       ((i * 31) % 100)::int AS score
FROM generate_series(1, 200) i;
CREATE VIEW fc_barrier WITH (security_barrier) AS SELECT * FROM fc_base;
CREATE VIEW fc_invoker WITH (security_invoker) AS SELECT * FROM fc_base;
CREATE MATERIALIZED VIEW fc_matview AS SELECT * FROM fc_base;
CREATE TEMP TABLE fc_temp AS SELECT * FROM fc_base;
CREATE UNLOGGED TABLE fc_unlogged AS SELECT * FROM fc_base;
CREATE TABLE fc_part (id int, age int, income numeric(12,2), score int) PARTITION BY RANGE (id);
CREATE TABLE fc_part_low PARTITION OF fc_part FOR VALUES FROM (0) TO (100);
CREATE TABLE fc_part_default PARTITION OF fc_part DEFAULT;
INSERT INTO fc_part SELECT * FROM fc_base;
CREATE TABLE fc_parent (id int, age int, income numeric(12,2), score int);
CREATE TABLE fc_child (note text) INHERITS (fc_parent);
INSERT INTO fc_parent SELECT * FROM fc_base WHERE id <= 100;
INSERT INTO fc_child SELECT *, 'x' FROM fc_base WHERE id > 100;
CREATE SCHEMA fc_hidden;
CREATE TABLE fc_hidden.t AS SELECT * FROM fc_base;
CREATE TABLE "FC Mixed ""Quoted"" Table" ("Âge" int, "select" numeric, "it's" int);
INSERT INTO "FC Mixed ""Quoted"" Table" SELECT age, income, score FROM fc_base;
-- Every source gives the model of the base table (all 200 rows), with both engines.
CREATE TEMP TABLE fc_sources AS
SELECT * FROM (VALUES ('barrier', 'fc_barrier'::regclass, ARRAY['age', 'income', 'score']),
             ('invoker', 'fc_invoker', ARRAY['age', 'income', 'score']),
             ('matview', 'fc_matview', ARRAY['age', 'income', 'score']),
             ('temp', 'fc_temp', ARRAY['age', 'income', 'score']),
             ('unlogged', 'fc_unlogged', ARRAY['age', 'income', 'score']),
             ('part', 'fc_part', ARRAY['age', 'income', 'score']),
             ('parent', 'fc_parent', ARRAY['age', 'income', 'score']),
             ('hidden', 'fc_hidden.t', ARRAY['age', 'income', 'score']),
             ('quoted', '"FC Mixed ""Quoted"" Table"', ARRAY['Âge', 'select', 'it''s']))
     AS v(n, s, f);
SELECT s AS source,
       seg_train('fc_' || n, s, f, 3) AS memory,
       seg_train('fc_' || n || '_stream', s, f, 3, '{"engine": "stream"}') AS stream,
       (SELECT count(*) FROM seg_sweep(s, f, 2, 3)) AS sweep_rows
FROM fc_sources ORDER BY n;
SELECT s AS source, (seg_model('fc_' || n)::jsonb)->'sizes' AS sizes,
       (seg_model('fc_' || n || '_stream')::jsonb)->'sizes' AS stream_sizes,
       m.trained_on, seg_report(seg_model('fc_' || n), s, f) LIKE '%<svg%' AS report
FROM fc_sources JOIN seg_models m ON m.name = 'fc_' || n AND m.active ORDER BY n;
SELECT count(*) AS compare_rows
FROM seg_compare('"FC Mixed ""Quoted"" Table"', ARRAY['Âge', 'select', 'it''s'], 2, 3);

-- Types an analyst's table has: every integer and floating type, numeric(12,2), a domain over
-- a domain over numeric, a GENERATED column, text holding numbers.
CREATE DOMAIN fc_amount AS numeric CHECK (VALUE >= 0);
CREATE DOMAIN fc_small_amount AS fc_amount CHECK (VALUE < 1000);
CREATE TABLE fc_types AS
SELECT i AS id, (i % 50)::smallint AS a_small, (20 + (i * 7) % 50)::int AS a_int,
       (15 + (i * 13) % 120)::bigint AS a_big, ((i * 31) % 100)::real AS a_real,
       ((i * 3) % 40)::fc_small_amount AS a_domain, ((i * 11) % 90)::text AS a_text,
       ((i * 17) % 300)::numeric::money AS a_money, i % 2 = 0 AS a_bool,
       ARRAY[i]::float8[] AS a_array
FROM generate_series(1, 200) i;
ALTER TABLE fc_types ADD COLUMN a_generated numeric GENERATED ALWAYS AS (a_int * 2 + 1) STORED;
SELECT seg_train('fc_types', 'fc_types',
                 ARRAY['a_small', 'a_int', 'a_big', 'a_real', 'a_domain', 'a_text', 'a_generated'],
                 3) AS version;
SELECT (seg_model('fc_types')::jsonb)->>'n_rows' AS n_rows;

-- Errors name the column (and the relation), for every reader.
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_money'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_bool'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_array'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_int'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'A_Real'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'nope'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'id'], 3, '{"engine": "stream"}')$$) AS stream_ok,
       try($$SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_money'], 3, '{"engine": "stream"}')$$);
SELECT try($$SELECT kmeans_stream_fit('fc_types', ARRAY['a_bool'], 2)$$);
SELECT try($$SELECT * FROM seg_sweep('fc_types', ARRAY['a_int', 'a_money'], 2, 3)$$);
SELECT try($$SELECT * FROM seg_compare('fc_types', ARRAY['a_int', 'a_real', 'a_int'], 2, 3)$$);
SELECT try($$SELECT seg_report(seg_model('fc_types'), 'fc_types', ARRAY['a_int', 'a_bool'])$$);
-- The message in full: the type, what is accepted, and the view that converts it.
\set SHOW_CONTEXT never
SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'a_money'], 3);
SELECT seg_train('x', 'fc_types', ARRAY['a_int', 'A_Real'], 3);
-- A name longer than 63 bytes: PostgreSQL cut the column's name when the table was made (and
-- cuts it in a query), so the hint names the column the table has.
CREATE TEMP TABLE fc_long (average_monthly_spending_on_wine_products_in_the_last_two_years_eur float8);
SELECT seg_train('x', 'fc_long',
                 ARRAY['average_monthly_spending_on_wine_products_in_the_last_two_years_eur'], 2);
DROP TABLE fc_long;
\set SHOW_CONTEXT errors
-- As the hint says: a view that converts them.
CREATE VIEW fc_types_converted AS
SELECT a_int, a_money::numeric AS a_money, a_bool::int AS a_bool FROM fc_types;
SELECT seg_train('fc_converted', 'fc_types_converted', ARRAY['a_int', 'a_money', 'a_bool'], 3)
       AS version;
-- Text that is not a number ('n/a', '', '1e400'): every reader names the column and the table
-- (PostgreSQL's own cast named neither: 'invalid input syntax for type double precision').
CREATE TABLE fc_text AS SELECT age::text AS age, income::varchar AS income FROM fc_base;
UPDATE fc_text SET income = 'n/a' WHERE age = '30';
SELECT try($$SELECT seg_train('x', 'fc_text', ARRAY['age', 'income'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_text', ARRAY['age', 'income'], 3, '{"engine": "stream"}')$$);
SELECT try($$SELECT kmeans_stream_fit('fc_text', ARRAY['income'], 2)$$);
SELECT try($$SELECT * FROM seg_sweep('fc_text', ARRAY['age', 'income'], 2, 3)$$);
SELECT try($$SELECT * FROM seg_compare('fc_text', ARRAY['income', 'age'], 2, 3)$$);
SELECT try($$SELECT seg_report((SELECT kmeans_fit(ARRAY[age, income]::float8[], 2) FROM fc_base),
                               'fc_text', ARRAY['age', 'income'])$$);
\set SHOW_CONTEXT never
SELECT seg_train('x', 'fc_text', ARRAY['age', 'income'], 3);
\set SHOW_CONTEXT errors
UPDATE fc_text SET income = '' WHERE income = 'n/a';
SELECT try($$SELECT seg_train('x', 'fc_text', ARRAY['age', 'income'], 3)$$);
UPDATE fc_text SET income = '1e400' WHERE income = '';
SELECT try($$SELECT seg_train('x', 'fc_text', ARRAY['age', 'income'], 3)$$);
-- As the hint says; ' 42 ', 'NaN' and NULL read as ::float8 reads them.
UPDATE fc_text SET income = ' 42 ' WHERE age = '31';
UPDATE fc_text SET income = 'NaN' WHERE age = '32';
CREATE VIEW fc_text_clean AS SELECT age, nullif(income, '1e400') AS income FROM fc_text;
SELECT seg_train('fc_text', 'fc_text_clean', ARRAY['age', 'income'], 3) AS version;
SELECT (seg_model('fc_text')::jsonb)->'n_rows' AS n_rows,
       (seg_model('fc_text')::jsonb)->'n_skipped' AS n_skipped;
-- A column whose values are too large to summarise is named (the message said "feature 2").
CREATE TABLE fc_huge AS SELECT income, age::numeric AS age FROM fc_base;
UPDATE fc_huge SET age = 1e200 WHERE age = 30;
SELECT try($$SELECT seg_train('x', 'fc_huge', ARRAY['income', 'age'], 3)$$);
-- A numeric beyond double precision's range is 22003 naming the column and the table, in
-- every reader (PostgreSQL's cast said only '"1000...0" is out of range for type double
-- precision'); 1e-400 reads as 0 and numeric 'NaN' is a missing value, as ::float8 reads them.
UPDATE fc_huge SET age = 1e400 WHERE age = 1e200;
SELECT try($$SELECT seg_train('x', 'fc_huge', ARRAY['income', 'age'], 3)$$);
SELECT try($$SELECT seg_train('x', 'fc_huge', ARRAY['income', 'age'], 3, '{"engine": "stream"}')$$);
SELECT try($$SELECT * FROM seg_sweep('fc_huge', ARRAY['age', 'income'], 2, 3)$$);
UPDATE fc_huge SET age = -1e400 WHERE age = 1e400;
SELECT try($$SELECT * FROM seg_compare('fc_huge', ARRAY['income', 'age'], 2, 3)$$);
UPDATE fc_huge SET age = 1e-400 WHERE age = -1e400;
UPDATE fc_huge SET age = 'NaN' WHERE age = 31;
SELECT seg_train('fc_huge', 'fc_huge', ARRAY['income', 'age'], 3) AS version;
SELECT (seg_model('fc_huge')::jsonb)->'n_rows' AS n_rows,
       (seg_model('fc_huge')::jsonb)->'n_skipped' AS n_skipped;
-- seg_numeric_feature reads short numerics from their stored digits (Clinger's fast path)
-- and the rest as ::float8 does: the same bits as ::float8 for every value, compared as
-- bytes (float8send) so that a sign of zero would count too. Money-like scales and integers,
-- negative values, tiny and huge exponents, long digit strings, zero, -0, NaN, +-Infinity
-- (1e-400, which ::float8 refuses and seg_numeric_feature reads as 0, is above).
SELECT setseed(0.13);
CREATE TEMP TABLE fc_numbers AS
    SELECT round((random() - 0.3)::numeric * 10::numeric ^ (i % 40 - 12), i % 25) AS x
    FROM generate_series(1, 50000) i
    UNION ALL SELECT round((random() * 1e7)::numeric, 2) FROM generate_series(1, 20000)
    UNION ALL SELECT (random() * 9007199254740992)::bigint::numeric FROM generate_series(1, 5000)
    UNION ALL SELECT x::numeric FROM unnest(ARRAY['0', '-0', '0.00', '-1e-30', '5e-324',
        '9007199254740992', '9007199254740993', '9999999999999999', '10000000000000000',
        '123456789012.34', '0.1', '-0.1', '1e22', '1e23', '1e-22', '1e-23', '99999999.99999999',
        '1.00000000000000000001', '4503599627370497.5', 'NaN', 'Infinity', '-Infinity',
        '1e300', '-2.5e-300']) AS x
    -- a display scale above 63 takes numeric's long header form
    UNION ALL SELECT round(x, 70) FROM unnest(ARRAY[1, -1, 123.45, -0.0001, 0, 9999999999999999,
        1e20, 1e-20, 0.1, 12345678.9, -5e15]::numeric[]) AS x;
SELECT count(*) AS values_read,
       count(*) FILTER (WHERE float8send(seg_numeric_feature(x, 't', 'x', 'fc_numbers'))
                              <> float8send(x::float8)) AS bits_differ
FROM fc_numbers;
DELETE FROM seg_models WHERE name LIKE 'fc\_%' OR name = 'x';
