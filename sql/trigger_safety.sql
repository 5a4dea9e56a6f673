-- seg_label_trigger writes only what an ordinary assignment could (domain checks), never a
-- silent NULL from a generated column, and leaves no memory behind when triggers come and go.
SET client_min_messages = warning;
SELECT seg_train('ts_k5', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5)
       AS v;

-- 1. Create-fire-drop cycles leave no trigger state behind: after 200 cycles this backend
-- holds at most the state of the one trigger still defined.
CREATE TABLE ts_cycle (age float8, income float8, score float8, segment int);
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        CREATE TRIGGER label BEFORE INSERT ON ts_cycle FOR EACH ROW
            EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
        INSERT INTO ts_cycle VALUES (30, 60, 50);
        DROP TRIGGER label ON ts_cycle;
    END LOOP;
END $$;
CREATE TRIGGER label BEFORE INSERT ON ts_cycle FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
INSERT INTO ts_cycle VALUES (30, 60, 50);
SELECT count(*) AS rows, count(segment) AS labelled FROM ts_cycle;
SELECT count(*) <= 2 AS at_most_two_states, count(*) >= 1 AS live_one_kept
FROM pg_backend_memory_contexts WHERE name = 'customer_seg label trigger';
-- Dropping the table frees its state too (at the next firing of any label trigger).
DROP TABLE ts_cycle;
CREATE TABLE ts_probe (age float8, income float8, score float8, segment int);
CREATE TRIGGER label BEFORE INSERT ON ts_probe FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
INSERT INTO ts_probe VALUES (30, 60, 50);
SELECT count(*) AS states_left
FROM pg_backend_memory_contexts WHERE name = 'customer_seg label trigger';
DROP TABLE ts_probe;


-- 2. Domains on the segment and version columns: their CHECK and NOT NULL constraints apply
-- to what the trigger writes (23514 / 23502), exactly as for an INSERT of the same values.
CREATE DOMAIN ts_low_segment AS int CHECK (VALUE < 2);
CREATE DOMAIN ts_segment_nn AS smallint NOT NULL;
CREATE DOMAIN ts_old_version AS bigint CHECK (VALUE < 1);
CREATE TABLE ts_dom (age float8, income float8, score float8, segment ts_low_segment);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON ts_dom FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
-- Which mall customers the model puts in segments 0-1 and in 2-4.
CREATE TEMP TABLE ts_points AS
SELECT age::float8 AS age, annual_income::float8 AS income, spending_score::float8 AS score,
       seg_assign(seg_model('ts_k5'), ARRAY[age, annual_income, spending_score]::float8[]) AS s
FROM mall_customers;
SELECT try($$INSERT INTO ts_dom SELECT age, income, score FROM ts_points WHERE s < 2$$);
SELECT try($$INSERT INTO ts_dom SELECT age, income, score FROM ts_points WHERE s >= 2 LIMIT 1$$);
-- The same values written by hand fail the same way.
SELECT try($$INSERT INTO ts_dom (segment) VALUES (3)$$);
SELECT count(*) AS n, max(segment) AS top FROM ts_dom;
-- An UPDATE that relabels into a forbidden segment fails too.
SELECT try($$UPDATE ts_dom SET (age, income, score) =
             (SELECT age, income, score FROM ts_points WHERE s = 4 LIMIT 1)$$);
-- NOT NULL domain: a row the model cannot label (missing feature) is refused, not stored
-- with a NULL the domain forbids.
CREATE TABLE ts_nn (age float8, income float8, score float8, segment ts_segment_nn);
CREATE TRIGGER label BEFORE INSERT ON ts_nn FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
SELECT try($$INSERT INTO ts_nn VALUES (30, 60, 50, 0)$$);
SELECT try($$INSERT INTO ts_nn VALUES (NULL, 60, 50, 0)$$);
SELECT count(*) AS n FROM ts_nn;
-- Version column with a domain that rejects the active version.
CREATE TABLE ts_ver (age float8, income float8, score float8, segment int, ver ts_old_version);
CREATE TRIGGER label BEFORE INSERT ON ts_ver FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score',
                                       'version_column=ver');
SELECT try($$INSERT INTO ts_ver VALUES (30, 60, 50)$$);
SELECT count(*) AS n FROM ts_ver;

-- 3. Generated columns: PostgreSQL computes them after BEFORE triggers, so a generated
-- feature column would read as NULL (a silent NULL segment). Refused at the first firing,
-- naming the column; so is a generated segment or version column.
CREATE TABLE ts_gen (age float8, income_k float8, score float8,
                     income float8 GENERATED ALWAYS AS (income_k * 1) STORED,
                     segment int, seg_gen int GENERATED ALWAYS AS (0) STORED);
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON ts_gen FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income', 'score');
SELECT try($$INSERT INTO ts_gen (age, income_k, score) VALUES (30, 60, 50)$$);
DROP TRIGGER label ON ts_gen;
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON ts_gen FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'seg_gen', 'age', 'income_k', 'score');
SELECT try($$INSERT INTO ts_gen (age, income_k, score) VALUES (30, 60, 50)$$);
SELECT count(*) AS n FROM ts_gen;
-- Listing the generated column's inputs works.
DROP TRIGGER label ON ts_gen;
CREATE TRIGGER label BEFORE INSERT OR UPDATE ON ts_gen FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('ts_k5', 'segment', 'age', 'income_k', 'score');
INSERT INTO ts_gen (age, income_k, score) VALUES (30, 60, 50);
SELECT income, segment = seg_assign(seg_model('ts_k5'), ARRAY[30, 60, 50]::float8[]) AS same
FROM ts_gen;

DROP TABLE ts_dom, ts_nn, ts_ver, ts_gen;
DROP DOMAIN ts_low_segment, ts_segment_nn, ts_old_version;
DELETE FROM seg_models WHERE name LIKE 'ts\_%';
