-- The model registry: seg_models, seg_save, seg_activate, seg_model, seg_assign(name, ...),
-- seg_train, and the privileges that guard them.
SET client_min_messages = warning;

-- The table is registered for pg_dump and PUBLIC has no rights on it.
SELECT 'seg_models'::regclass = ANY (extconfig) AS dumped_by_pg_dump
FROM pg_extension WHERE extname = 'customer_seg';
SELECT has_table_privilege('public', 'seg_models', 'SELECT') AS public_select,
       has_table_privilege('public', 'seg_models', 'INSERT') AS public_insert;
-- No registry function runs with its owner's rights.
SELECT count(DISTINCT p.proname) AS functions, bool_or(p.prosecdef) AS any_security_definer
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'customer_seg')
  AND p.proname IN ('seg_save', 'seg_activate', 'seg_model', 'seg_train', 'seg_assign',
                    'seg_label_trigger');
-- SQL-language functions pin search_path; seg_model is C (its lookup query names its schema
-- and operator, as seg_assign(name, ...)'s).
SELECT p.oid::regprocedure AS function, l.lanname, p.proconfig
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.proname IN ('seg_save', 'seg_activate', 'seg_model', 'seg_train')
ORDER BY p.oid::regprocedure::text;

CREATE TABLE reg_models AS
SELECT k, kmeans_fit(ARRAY[age, annual_income, spending_score], k) AS m
FROM mall_customers, generate_series(3, 5) AS k GROUP BY k;

-- Versions count from 1 per name; the newest saved one is active unless asked otherwise.
SELECT seg_save('mall', m) AS v FROM reg_models WHERE k = 5;
SELECT seg_save('mall', m) AS v FROM reg_models WHERE k = 4;
SELECT seg_save('mall', m, activate => false) AS v FROM reg_models WHERE k = 3;
SELECT seg_save('other', m) AS v FROM reg_models WHERE k = 3;
SELECT name, version, active, created_by = current_user AS by_me, trained_on,
       (model::jsonb)->>'k' AS k
FROM seg_models ORDER BY name, version;

-- seg_model returns the active version exactly.
SELECT seg_model('mall')::text = (SELECT m::text FROM reg_models WHERE k = 4) AS is_v2;

-- Rolling back: activate an older version; the others are switched off in the same
-- transaction, and activating the active version again changes nothing.
SELECT seg_activate('mall', 1);
SELECT seg_activate('mall', 1);
SELECT version, active FROM seg_models WHERE name = 'mall' ORDER BY version;
SELECT seg_model('mall')::text = (SELECT m::text FROM reg_models WHERE k = 5) AS is_v1;
-- A rolled-back activation leaves the previous one in place.
BEGIN;
SELECT seg_activate('mall', 3);
SELECT (seg_model('mall')::jsonb)->>'k' AS k_inside;
ROLLBACK;
SELECT version FROM seg_models WHERE name = 'mall' AND active;

-- Errors: unknown versions and names, NULLs, and a second active version by hand.
SELECT try($$SELECT seg_activate('mall', 99)$$);
SELECT try($$SELECT seg_activate('nobody', 1)$$);
SELECT try($$SELECT seg_model('nobody')$$);
SELECT try($$SELECT seg_assign('nobody', ARRAY[1, 2, 3]::float8[])$$);
SELECT try($$SELECT seg_save('', (SELECT m FROM reg_models WHERE k = 3))$$);
SELECT try($$SELECT seg_save(NULL, (SELECT m FROM reg_models WHERE k = 3))$$);
-- A name too long for the registry's index is refused before any work (it failed at the
-- INSERT with 54000 "index row size ... exceeds btree ... maximum", after the whole fit);
-- 1024 bytes is the limit. seg_train's own options in another case are named.
SELECT try($$SELECT seg_save(repeat(md5('x'), 33), (SELECT m FROM reg_models WHERE k = 3))$$);
SELECT try($$SELECT seg_train((SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i),
                              'mall_customers', ARRAY['age', 'annual_income'], 3)$$);
SELECT try($$SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income'], 3,
                              '{"Engine": "stream"}')$$);
SELECT seg_save(m.name, (SELECT m FROM reg_models WHERE k = 3)) AS saved,
       octet_length(m.name) AS bytes
FROM (SELECT string_agg(md5(i::text), '') AS name FROM generate_series(1, 32) i) m;
DELETE FROM seg_models WHERE octet_length(name) = 1024;
SELECT try($$SELECT seg_save('mall', NULL)$$);
SELECT try($$SELECT seg_save('mall', (SELECT m FROM reg_models WHERE k = 3), NULL)$$);
SELECT try($$UPDATE seg_models SET active = true WHERE name = 'mall' AND version = 2$$);
SELECT try($$INSERT INTO seg_models (name, version, model) SELECT 'mall', 0, m FROM reg_models WHERE k = 3$$);
SELECT seg_model(NULL) IS NULL AS strict_model, seg_activate(NULL, 1) IS NULL AS strict_activate;
-- A name with no active version (saved without activation) has no model.
SELECT seg_save('inactive', m, false) FROM reg_models WHERE k = 3;
SELECT try($$SELECT seg_model('inactive')$$);

-- seg_assign('mall', ARRAY[...]): the unknown literal resolves to the text form (as a
-- segmodel literal 'mall' would be invalid input), and labels like the active model.
SELECT count(*) AS n,
       count(*) FILTER (WHERE seg_assign('mall', ARRAY[age, annual_income, spending_score])
                        = seg_assign(r.m, ARRAY[age, annual_income, spending_score])) AS same
FROM mall_customers, reg_models r WHERE r.k = 5;
SELECT seg_assign(NULL::text, ARRAY[1, 2, 3]::float8[]) IS NULL AS strict_name,
       seg_assign('mall', ARRAY[30, NULL, 50]) IS NULL AS missing_gives_null;
SELECT try($$SELECT seg_assign('mall', ARRAY[1, 2]::float8[])$$);
-- Two names in one statement, and a name per row.
SELECT count(DISTINCT (seg_assign('mall', ARRAY[age, annual_income, spending_score]),
                       seg_assign('other', ARRAY[age, annual_income, spending_score]))) > 3
       AS two_models
FROM mall_customers;
SELECT n.name, max(seg_assign(n.name, ARRAY[age, annual_income, spending_score])) AS top
FROM mall_customers, (VALUES ('mall'), ('other')) AS n(name) GROUP BY n.name ORDER BY 1;

-- The next statement sees a new activation, also inside one transaction.
BEGIN;
SELECT max(seg_assign('mall', ARRAY[age, annual_income, spending_score])) AS top_v1
FROM mall_customers;
SELECT seg_activate('mall', 2);
SELECT max(seg_assign('mall', ARRAY[age, annual_income, spending_score])) AS top_v2
FROM mall_customers;
COMMIT;
-- ... and in a PL/pgSQL loop, where the same call site runs again after each activation.
DO $$
DECLARE
    v int;
    top int;
BEGIN
    FOREACH v IN ARRAY ARRAY[1, 3, 2] LOOP
        PERFORM seg_activate('mall', v);
        SELECT max(seg_assign('mall', ARRAY[age, annual_income, spending_score])) INTO top
        FROM mall_customers;
        RAISE WARNING 'version % -> top segment %', v, top;
    END LOOP;
END $$;

-- In parallel workers (force_parallel_mode: PostgreSQL 15's debug_parallel_query, and a
-- parallel scan with two workers) each process looks the model up itself; all agree.
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM mall_customers
WHERE seg_assign('mall', ARRAY[age, annual_income, spending_score]) = 0;
SELECT count(*) FILTER (WHERE seg_assign('mall', ARRAY[age, annual_income, spending_score])
                        = seg_assign(seg_model('mall'), ARRAY[age, annual_income, spending_score]))
       AS agree
FROM mall_customers;
RESET force_parallel_mode;
CREATE TABLE reg_many AS SELECT c.* FROM mall_customers c, generate_series(1, 200);
ANALYZE reg_many;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM reg_many WHERE seg_assign('mall', ARRAY[age, annual_income, spending_score]) = 0;
SELECT count(*) = 200 * (SELECT count(*) FROM mall_customers
                         WHERE seg_assign(seg_model('mall'), ARRAY[age, annual_income, spending_score]) = 0)
       AS parallel_count_ok
FROM reg_many WHERE seg_assign('mall', ARRAY[age, annual_income, spending_score]) = 0;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE reg_many;

-- seg_train: fits on the named columns, aligns to the active version, saves, activates.
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 4)
       AS trained;
SELECT version, active, trained_on, (model::jsonb)->'feature_names' AS names
FROM seg_models WHERE name = 'mall' ORDER BY version DESC LIMIT 1;
-- Same data and options as version 2 (which was active), aligned to it: the same clusters
-- under the same numbers (only the recorded feature names differ).
SELECT (v4.model::jsonb)->'centroids' = (v2.model::jsonb)->'centroids' AS same_centroids,
       (v4.model::jsonb)->'sizes' = (v2.model::jsonb)->'sizes' AS same_sizes,
       (v2.model::jsonb)->'feature_names' AS v2_names
FROM seg_models v4, seg_models v2
WHERE v4.name = 'mall' AND v4.version = 4 AND v2.name = 'mall' AND v2.version = 2;
-- A first version of a new name, from a view, with options and quoted identifiers.
CREATE TABLE "Odd ""Table""" ("Customer Age" int, "income; DROP TABLE mall_customers" numeric,
                               score real);
INSERT INTO "Odd ""Table""" SELECT age, annual_income, spending_score FROM mall_customers;
CREATE VIEW odd_view AS SELECT * FROM "Odd ""Table""" WHERE score > 10;
SELECT seg_train('odd', 'odd_view',
                 ARRAY['Customer Age', 'income; DROP TABLE mall_customers', 'score'], 3,
                 '{"seed": 7, "n_init": 3}') AS odd_version;
SELECT (model::jsonb)->'options'->'seed' AS seed, (model::jsonb)->'feature_names' AS names,
       (model::jsonb)->'n_rows' AS n_rows, trained_on
FROM seg_models WHERE name = 'odd';
SELECT count(*) AS mall_still_there FROM mall_customers;
-- Errors name the problem.
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age', 'nope'], 3)$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age', 'gender'], 3)$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY[]::text[], 3)$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age', NULL], 3)$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age'], 0)$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age'], 3, '[1]')$$);
SELECT try($$SELECT seg_train('x', 'mall_customers', ARRAY['age'], 3, '{"bogus": 1}')$$);
-- An unknown option names seg_train, and the DETAIL lists seg_train's own keys with those of
-- the chosen algorithm's fit (it was "unknown kmeans_fit option", listing kmeans_fit's keys
-- only). It is refused before the table is read: this view fails on any row read.
CREATE VIEW unreadable_customers AS SELECT age / 0 AS age FROM mall_customers;
\set SHOW_CONTEXT never
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3, '{"bogus": 1}');
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                 '{"algorithm": "gmm", "engine": "memory", "sample": 10}');
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                 '{"engine": "stream", "Progress": true}');
-- k-prototypes' list has "categorical_features"; the others' do not (a separate error says it
-- does not apply to them).
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                 '{"algorithm": "kprototypes", "categorical_features": ["age"], "Gamma": 1}');
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                 '{"categorical_features": ["age"], "Gamma": 1}');
SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                 '{"algorithm": "kprototypes", "categorical_features": ["genre"], "tol": 0}');
\set SHOW_CONTEXT errors
SELECT try($$SELECT seg_train('x', 'unreadable_customers', ARRAY['age'], 3,
                              '{"algorithm": "hierarchical", "linkage": "ward"}')$$);
DROP VIEW unreadable_customers;
SELECT try($$SELECT seg_train('x', 'no_such_table', ARRAY['age'], 3)$$);
SELECT try($$SELECT seg_train('x', '(SELECT 1)', ARRAY['age'], 3)$$);
CREATE TABLE empty_customers (age float8);
SELECT try($$SELECT seg_train('x', 'empty_customers', ARRAY['age'], 3)$$);
SELECT count(*) AS no_x_saved FROM seg_models WHERE name = 'x';
-- A retrain on other features is saved but cannot be aligned (a NOTICE says so).
SET client_min_messages = notice;
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'spending_score'], 3) AS two_features;
SET client_min_messages = warning;
-- Training rolled back with its transaction leaves no trace.
BEGIN;
SELECT seg_train('rolled', 'mall_customers', ARRAY['age'], 2);
ROLLBACK;
SELECT count(*) AS rolled_back FROM seg_models WHERE name = 'rolled';

-- Privileges: without rights on seg_models nothing can be read, saved or activated; with
-- SELECT only, reading works and writing does not; a trainer needs SELECT, INSERT, UPDATE.
CREATE ROLE regress_seg_nobody;
CREATE ROLE regress_seg_reader;
CREATE ROLE regress_seg_trainer;
GRANT SELECT ON seg_models TO regress_seg_reader;
GRANT SELECT, INSERT, UPDATE ON seg_models TO regress_seg_trainer;
GRANT SELECT ON mall_customers, reg_models TO regress_seg_nobody, regress_seg_reader, regress_seg_trainer;
SET ROLE regress_seg_nobody;
SELECT try($$SELECT seg_model('mall')$$);
SELECT try($$SELECT seg_assign('mall', ARRAY[1, 2]::float8[])$$);
SELECT try($$SELECT seg_save('mall', (SELECT m FROM reg_models WHERE k = 3))$$);
SELECT try($$SELECT seg_activate('mall', 1)$$);
SELECT try($$SELECT seg_train('mall', 'mall_customers', ARRAY['age'], 2)$$);
SET ROLE regress_seg_reader;
SELECT (seg_model('mall')::jsonb)->>'dims' AS reader_sees_dims;
SELECT try($$SELECT seg_save('mall', (SELECT m FROM reg_models WHERE k = 3))$$);
SELECT try($$SELECT seg_activate('mall', 1)$$);
SELECT try($$UPDATE seg_models SET active = false$$);
SET ROLE regress_seg_trainer;
SELECT seg_activate('mall', 1);
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5)
       AS trainer_version;
-- A trainer cannot rewrite a saved version: an UPDATE may change only "active" (what
-- seg_activate, seg_save and seg_train do); a new row's created_by and created_at are the
-- registry's (current_user, now()), a forged one is refused.
SELECT try($$UPDATE seg_models SET model = (SELECT m FROM reg_models WHERE k = 3) WHERE name = 'mall' AND version = 1$$);
SELECT try($$UPDATE seg_models SET created_by = 'postgres' WHERE name = 'mall' AND version = 6$$);
SELECT try($$UPDATE seg_models SET created_at = '2000-01-01' WHERE name = 'mall' AND version = 1$$);
SELECT try($$UPDATE seg_models SET trained_on = 'nothing' WHERE name = 'mall' AND version = 6$$);
SELECT try($$UPDATE seg_models SET name = 'stolen' WHERE name = 'mall' AND version = 1$$);
SELECT try($$UPDATE seg_models SET version = version + 100 WHERE name = 'mall' AND version = 1$$);
SELECT try($$UPDATE seg_models SET active = false, trained_on = NULL WHERE name = 'mall' AND version = 6$$);
SELECT try($$INSERT INTO seg_models (name, version, model, created_by) SELECT 'forged', 1, m, 'postgres' FROM reg_models WHERE k = 3$$);
SELECT try($$INSERT INTO seg_models (name, version, model, created_at) SELECT 'forged', 1, m, '2000-01-01' FROM reg_models WHERE k = 3$$);
SELECT try($$INSERT INTO seg_models (name, version, model) SELECT 'forged', 1, m FROM reg_models WHERE k = 3$$);
SELECT try($$UPDATE seg_models SET active = false WHERE name = 'mall' AND version = 6$$);
SELECT try($$UPDATE seg_models SET active = true WHERE name = 'mall' AND version = 6$$);
SELECT seg_activate('mall', 5), seg_activate('mall', 6);
RESET ROLE;
SELECT name, version, active, created_by, created_at > '2000-01-02' AS created_at_kept, trained_on
FROM seg_models WHERE name IN ('mall', 'forged') ORDER BY name, version;
-- The owner (here a superuser) may still rewrite rows, as a restore or a data fix does.
UPDATE seg_models SET created_by = 'restored_role', created_at = '2000-01-01 00:00:00+00'
WHERE name = 'forged';
INSERT INTO seg_models (name, version, model, created_by, created_at, trained_on)
SELECT 'forged', 2, m, 'restored_role', '2000-01-02 00:00:00+00', 'public.elsewhere'
FROM reg_models WHERE k = 3;
SELECT version, created_by, created_at AT TIME ZONE 'UTC' AS created_at_utc, trained_on
FROM seg_models WHERE name = 'forged' ORDER BY version;
REVOKE ALL ON mall_customers, reg_models FROM regress_seg_nobody, regress_seg_reader, regress_seg_trainer;
REVOKE ALL ON seg_models FROM regress_seg_reader, regress_seg_trainer;
DROP ROLE regress_seg_nobody, regress_seg_reader, regress_seg_trainer;
-- A read-only transaction (a hot standby, default_transaction_read_only = on) cannot save a
-- version: seg_train says so (25006) before the fit reads the table. It used to fit, read the
-- table again for the retrain diff and fail only at the registry's UPDATE, or (as here, k over
-- the row count) fail in the fit with an error that hid the real obstacle
-- (a real hot standby: test/integration/test_hot_standby.py).
SELECT max(version) AS mall_versions FROM seg_models WHERE name = 'mall';
BEGIN READ ONLY;
SELECT try($$SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 1000)$$);
SELECT try($$SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 3)$$);
COMMIT;
SET default_transaction_read_only = on;
\set SHOW_CONTEXT never
SELECT seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 3);
\set SHOW_CONTEXT errors
RESET default_transaction_read_only;
SELECT max(version) AS mall_versions FROM seg_models WHERE name = 'mall';
DELETE FROM seg_models;
RESET client_min_messages;
