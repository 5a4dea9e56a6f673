-- Nightly retraining with pg_cron (Debian: postgresql-15-cron), tested end to end by
-- test/integration/test_pg_cron_retrain.py. The server needs, in postgresql.conf:
--     shared_preload_libraries = 'pg_cron'
--     cron.database_name = 'postgres'            -- the database that holds this recipe
--     cron.use_background_workers = on           -- jobs without a libpq login (optional)
-- Run once in that database: psql -d postgres -f docs/retrain_pg_cron.sql
CREATE EXTENSION IF NOT EXISTS pg_cron;

-- Every retrain leaves a line: which versions, and what changed for the customers.
CREATE TABLE IF NOT EXISTS seg_retrain_log (
    retrained_at timestamptz NOT NULL DEFAULT now(),
    name         text        NOT NULL,
    old_version  int,                     -- NULL on the first training
    new_version  int         NOT NULL,
    diff         jsonb                    -- seg_diff(old, new, features) over the training rows
);

-- Retrains model "mall" on the current customers and logs the diff. The pipeline options
-- travel with the model: the trigger and every query apply them without knowing.
CREATE OR REPLACE FUNCTION retrain_mall() RETURNS int
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    old_v int;
    new_v int;
    d jsonb;
BEGIN
    SELECT version INTO old_v FROM seg_models WHERE name = 'mall' AND active;
    new_v := seg_train('mall', 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 5,
                       '{"transform": ["none", "log1p", "none"], "clip": [0.01, 0.99]}');
    IF old_v IS NOT NULL THEN
        SELECT seg_diff(o.model, n.model, ARRAY[c.age, c.annual_income, c.spending_score]::float8[])
        INTO d
        FROM mall_customers c, seg_models o, seg_models n
        WHERE o.name = 'mall' AND o.version = old_v AND n.name = 'mall' AND n.version = new_v;
    END IF;
    INSERT INTO seg_retrain_log (name, old_version, new_version, diff)
    VALUES ('mall', old_v, new_v, d);
    RETURN new_v;
END
$$;

-- The first version now, then every night at 03:00 (server time).
SELECT retrain_mall() WHERE NOT EXISTS (SELECT FROM seg_models WHERE name = 'mall');
SELECT cron.schedule('retrain-mall', '0 3 * * *', 'SELECT retrain_mall()');

-- Customers are labelled by the active version the moment they are written; after a retrain
-- the trigger uses the new version from the next statement on (no reload, no restart).
CREATE TABLE IF NOT EXISTS customers (
    customer_id int PRIMARY KEY, age int, annual_income numeric, spending_score int,
    segment int, segment_version int);
DROP TRIGGER IF EXISTS label_segment ON customers;
CREATE TRIGGER label_segment BEFORE INSERT OR UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION
    seg_label_trigger('mall', 'segment', 'age', 'annual_income', 'spending_score',
                      'version_column=segment_version');
