-- How C code reads the registry (seg_assign(name, ...) and seg_label_trigger): immune to the
-- caller's search_path, never fooled by a table rewrite, rights checked for the current user.
SET client_min_messages = warning;
SELECT seg_train('rl_k5', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5)
       AS v, seg_train('rl_k3', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'],
                       3) AS v;

-- 1. A hostile search_path: an "=" (text, text) operator and look-alike functions in a schema
-- searched before pg_catalog. None of them may run: the lookup is schema-qualified and uses
-- OPERATOR(pg_catalog.=).
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.texteq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE WARNING 'hijacked: evil = ran as %', current_user;
    RETURN pg_catalog.texteq(a, b);
END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text,
                                FUNCTION = regress_evil.texteq);
CREATE TABLE rl_rows (age float8, income float8, score float8, segment int, ver int);
CREATE TRIGGER label BEFORE INSERT ON rl_rows FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('rl_k5', 'segment', 'age', 'income', 'score',
                                       'version_column=ver');
SET search_path = regress_evil, pg_catalog, public;
SELECT 'x'::text = 'x'::text AS the_evil_operator_is_active;
SELECT seg_assign('rl_k5', ARRAY[30, 60, 50]::float8[]) =
       seg_assign(seg_model('rl_k5'), ARRAY[30, 60, 50]::float8[]) AS same;
INSERT INTO rl_rows VALUES (30, 60, 50);
SELECT count(*) AS labelled FROM rl_rows WHERE segment IS NOT NULL;
RESET search_path;
DROP SCHEMA regress_evil CASCADE;
TRUNCATE rl_rows;

-- 2. A table rewrite cannot make a long-lived session use a stale version. Two models stored
-- by one statement share an xmin; after a new version of the first is activated and
-- VACUUM FULL packs the table, the second model's row lands where the first one's was.
-- The trigger must record the version that is active, never the one it saw before.
VACUUM FULL seg_models;
INSERT INTO seg_models (name, version, model, active)
SELECT 'rl_rewrite', 1, seg_model('rl_k5'), true
UNION ALL
SELECT 'rl_other', 1, seg_model('rl_k3'), true;
SELECT name, ctid, xmin = (SELECT xmin FROM seg_models WHERE name = 'rl_other') AS same_xmin
FROM seg_models WHERE name IN ('rl_rewrite', 'rl_other') ORDER BY name;
CREATE TABLE rl_rewritten (age float8, income float8, score float8, segment int, ver int);
CREATE TRIGGER label BEFORE INSERT ON rl_rewritten FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('rl_rewrite', 'segment', 'age', 'income', 'score',
                                       'version_column=ver');
INSERT INTO rl_rewritten VALUES (30, 60, 50);
SELECT seg_save('rl_rewrite', seg_model('rl_k3')) AS v2;
VACUUM FULL seg_models;
-- rl_other's row now has the TID rl_rewrite's version 1 had.
SELECT name, version, ctid FROM seg_models WHERE name IN ('rl_rewrite', 'rl_other')
ORDER BY ctid;
INSERT INTO rl_rewritten VALUES (30, 60, 50);
CLUSTER seg_models USING seg_models_pkey;
INSERT INTO rl_rewritten VALUES (30, 60, 50);
SELECT ver, count(*) AS n,
       bool_and(segment = seg_assign((SELECT model FROM seg_models
                                      WHERE name = 'rl_rewrite' AND version = r.ver),
                                     ARRAY[age, income, score])) AS labelled_by_that_version
FROM rl_rewritten r GROUP BY ver ORDER BY ver;

-- 3. Rights are checked for the current user on every use: a role without SELECT on
-- seg_models gets no labels, not even when a SECURITY DEFINER function (whose owner may read
-- the registry) fired the same trigger earlier in the same statement.
CREATE ROLE regress_rl_writer;
CREATE TABLE rl_priv (age float8, income float8, score float8, segment int);
GRANT SELECT, INSERT ON rl_priv TO regress_rl_writer;
CREATE TRIGGER label BEFORE INSERT ON rl_priv FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('rl_k5', 'segment', 'age', 'income', 'score');
CREATE FUNCTION rl_definer_insert() RETURNS int LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO public.rl_priv VALUES (40, 70, 60) RETURNING 1 $$;
SET ROLE regress_rl_writer;
SELECT try('INSERT INTO rl_priv VALUES (30, 60, 50)');
SELECT try('INSERT INTO rl_priv SELECT 30, 60, 50 FROM (SELECT rl_definer_insert()) s');
SELECT try($$SELECT seg_assign('rl_k5', ARRAY[30, 60, 50]::float8[])$$);
SELECT try($$SELECT (SELECT rl_definer_insert()) + seg_assign('rl_k5', ARRAY[30, 60, 50]::float8[])$$);
RESET ROLE;
SELECT count(*) AS rows_written FROM rl_priv;
-- The owner's rights work; a REVOKE later in the same session takes effect at once.
GRANT SELECT ON seg_models TO regress_rl_writer;
SET ROLE regress_rl_writer;
SELECT try('INSERT INTO rl_priv VALUES (30, 60, 50)');
RESET ROLE;
REVOKE SELECT ON seg_models FROM regress_rl_writer;
SET ROLE regress_rl_writer;
SELECT try('INSERT INTO rl_priv VALUES (30, 60, 50)');
RESET ROLE;
SELECT count(*) AS rows_written, count(segment) AS labelled FROM rl_priv;

-- 4. The snapshot rule: seg_assign(name, ...) and seg_assign(seg_model(name), ...) read the
-- version the snapshot they run under sees as active, so within one PL/pgSQL call they agree
-- (a second session activating in the middle of a call: test/integration/test_snapshot_rule.py).
CREATE FUNCTION rl_both(x float8[]) RETURNS TABLE (by_name int, by_model int)
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..2 LOOP
        by_name := seg_assign('rl_rewrite', x);
        by_model := seg_assign(seg_model('rl_rewrite'), x);
        RETURN NEXT;
        IF i = 1 THEN
            PERFORM seg_activate('rl_rewrite', 1);
        END IF;
    END LOOP;
END $$;
SELECT * FROM rl_both(ARRAY[19, 15, 39]::float8[]);
SELECT seg_assign(m1.model, ARRAY[19, 15, 39]::float8[]) AS v1_label,
       seg_assign(m2.model, ARRAY[19, 15, 39]::float8[]) AS v2_label
FROM seg_models m1, seg_models m2
WHERE m1.name = 'rl_rewrite' AND m1.version = 1 AND m2.name = 'rl_rewrite' AND m2.version = 2;

-- seg_model(name) and seg_assign(name, ...) read the registry once per statement and call
-- site, not once a row: 1,000 rows, one index scan of seg_models per call site (this
-- backend's own counters; seg_model in PL/pgSQL before ran one a row: ~1,000).
-- (The counters not yet reported count too, so the difference is taken.)
BEGIN;
CREATE TEMP TABLE rl_scans AS
SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) AS before
FROM pg_stat_xact_user_tables WHERE relid = 'seg_models'::regclass;
SELECT count(seg_assign(seg_model('rl_rewrite'), ARRAY[i % 60 + 18, 15, 39]::float8[])) AS by_model,
       count(seg_assign('rl_rewrite', ARRAY[i % 60 + 18, 15, 39]::float8[])) AS by_name
FROM generate_series(1, 1000) i;
-- Two call sites: 2 scans (a few more if an invalidation message arrives mid-statement).
SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) - before < 10 AS not_once_a_row
FROM pg_stat_xact_user_tables, rl_scans WHERE relid = 'seg_models'::regclass;
COMMIT;
DROP TABLE rl_scans;

-- 5. A rolled-back subtransaction takes its registry writes with it. In REPEATABLE READ the
-- snapshot, the command id and the user stay the same across a PL/pgSQL exception block (or
-- ROLLBACK TO SAVEPOINT), so one call site must not keep the answer it read inside the block:
-- the version saved or activated there no longer counts (step 2 answered k 5, label 3 before).
SELECT seg_save('rl_sp', seg_model('rl_k3')) AS v;
CREATE FUNCTION rl_undone(what text) RETURNS TABLE (step int, k text, version int, label int)
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..2 LOOP
        BEGIN
            IF i = 1 AND what = 'save' THEN
                PERFORM seg_save('rl_sp', seg_model('rl_k5'));
            ELSIF i = 1 THEN
                PERFORM seg_activate('rl_sp', 2);
            END IF;
            step := i;
            k := seg_model('rl_sp')::jsonb ->> 'k';
            label := seg_assign('rl_sp', ARRAY[40, 100, 20]::float8[]);
            version := (SELECT m.version FROM seg_models m WHERE m.name = 'rl_sp' AND m.active);
            RETURN NEXT;
            IF i = 1 THEN
                RAISE EXCEPTION 'undo';
            END IF;
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END LOOP;
END $$;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM rl_undone('save');
COMMIT;
SELECT seg_save('rl_sp', seg_model('rl_k5'), false) AS v;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM rl_undone('activate');
COMMIT;
SELECT version, active FROM seg_models WHERE name = 'rl_sp' ORDER BY version;
SELECT seg_assign(seg_model('rl_k3'), ARRAY[40, 100, 20]::float8[]) AS k3_label,
       seg_assign(seg_model('rl_k5'), ARRAY[40, 100, 20]::float8[]) AS k5_label;

DROP FUNCTION rl_definer_insert(), rl_both(float8[]), rl_undone(text);
DROP TABLE rl_rows, rl_rewritten, rl_priv;
DROP ROLE regress_rl_writer;
DELETE FROM seg_models WHERE name LIKE 'rl\_%';
