-- Every text inside a model (feature names, categorical names, categories) must be valid in
-- the database encoding on every input path, or pg_dump would write a registry that cannot
-- be restored. Invalid text is refused with 22021 (character_not_in_repertoire).
SET client_min_messages = warning;
CREATE TEMP TABLE enc AS
SELECT kmeans_fit(ARRAY[age, annual_income]::float8[], 2,
                  '{"feature_names": ["age", "enc_q"], "seed": 1, "n_init": 1}') AS m
FROM mall_customers;

-- Text input: the JSON parser refuses escapes that decode to a NUL byte or to a lone
-- surrogate; a real non-ASCII name is kept as it is.
SELECT try(format('SELECT %L::segmodel', replace(m::text, '"enc_q"', '"enc\u0000q"'))) FROM enc;
SELECT try(format('SELECT %L::segmodel', replace(m::text, '"enc_q"', '"enc\ud800q"'))) FROM enc;
SELECT (replace(m::text, '"enc_q"', '"Einkommen \u00e9\u20ac"')::segmodel::jsonb)
       ->'feature_names' AS names FROM enc;
-- The jsonb cast: jsonb holds only valid text, and what it holds survives.
SELECT (replace(m::text, '"enc_q"', '"revenu €"')::jsonb::segmodel::jsonb)->'feature_names'
       AS names FROM enc;

-- Binary input (COPY ... FORMAT binary, segmodel_recv): a file whose feature name holds the
-- byte 0xE1 (the start of a 3-byte UTF-8 sequence, not followed by one) is refused.
CREATE TABLE enc_copy (m segmodel);
INSERT INTO enc_copy SELECT m FROM enc;
DO $$
DECLARE
    good text := current_setting('data_directory') || '/cseg_enc_good.bin';
    bad text := current_setting('data_directory') || '/cseg_enc_bad.bin';
    bytes bytea;
    lo oid;
BEGIN
    EXECUTE format('COPY enc_copy TO %L (FORMAT binary)', good);
    bytes := pg_read_binary_file(good);
    bytes := overlay(bytes PLACING '\xe1'::bytea
                     FROM position('enc_q'::bytea IN bytes) + 4 FOR 1);
    lo := lo_from_bytea(0, bytes);
    PERFORM lo_export(lo, bad);
    PERFORM lo_unlink(lo);
END $$;
SELECT try(format('COPY enc_copy FROM %L (FORMAT binary)',
                  current_setting('data_directory') || '/cseg_enc_bad.bin'));
-- The unmodified file loads (the check is not simply refusing binary input).
SELECT try(format('COPY enc_copy FROM %L (FORMAT binary)',
                  current_setting('data_directory') || '/cseg_enc_good.bin'));
SELECT count(*) AS models, count(DISTINCT m::text) AS distinct_models FROM enc_copy;

-- The fit aggregates: names come from the options (jsonb, valid by construction) and
-- categories from text values; a valid non-ASCII category is kept.
SELECT (kprototypes_fit(ARRAY[age]::float8[], ARRAY[CASE WHEN age < 40 THEN 'jünger' ELSE 'älter' END],
                        2, '{"seed": 1, "n_init": 1}')::jsonb)->'categories' AS categories
FROM mall_customers;
DROP TABLE enc_copy;
