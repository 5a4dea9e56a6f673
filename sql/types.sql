-- segmodel / segscaler: JSON text form, exact round trips, jsonb casts, binary send/recv.
CREATE TABLE type_models AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
                  '{"feature_names": ["age", "income", "score"]}') AS m
FROM mall_customers;

-- The keys SPEC.md promises, with their types.
SELECT key, jsonb_typeof(value) AS type
FROM type_models, jsonb_each(m::jsonb)
ORDER BY key;
SELECT (m::jsonb)->>'algorithm' AS algorithm, (m::jsonb)->'k' AS k, (m::jsonb)->'dims' AS dims,
       (m::jsonb)->'feature_names' AS names, (m::jsonb)->'scaler'->>'method' AS scaler,
       jsonb_array_length((m::jsonb)->'centroids') AS n_centroids,
       (m::jsonb)->'n_rows' AS n_rows, (m::jsonb)->'n_skipped' AS skipped,
       (m::jsonb)->'options' AS options
FROM type_models;

-- text -> segmodel -> text is exact, and so is jsonb -> segmodel.
SELECT m::text::segmodel::text = m::text AS text_round_trip,
       (m::jsonb)::segmodel::text = m::text AS jsonb_round_trip
FROM type_models;
-- Shortest round-trip floats: every centroid number survives text exactly.
SELECT bool_and(c::text::float8 = c::float8) AS floats_exact
FROM type_models, jsonb_array_elements((m::jsonb)->'centroids') AS row,
     jsonb_array_elements(row) AS c;

-- Scaler text round trip and jsonb cast.
SELECT s::text AS scaler_text, s::text::segscaler::text = s::text AS round_trip
FROM (SELECT scaler_fit(ARRAY[age, spending_score]) AS s FROM mall_customers) t;
SELECT '{"method":"minmax","center":[0.5,-1e-300],"scale":[2,1e300]}'::segscaler;
SELECT (('{"method":"minmax","center":[0.5,-1e-300],"scale":[2,1e300]}'::segscaler::jsonb)
       ->'scale'->>1)::float8 AS big;

-- Binary: COPY BINARY uses send/recv; the model comes back identical.
CREATE TEMP TABLE copy_back (m segmodel, s segscaler);
INSERT INTO copy_back
SELECT m, '{"method":"robust","center":[1,2],"scale":[3,4]}' FROM type_models;
\copy copy_back TO 'build/regress/models.bin' WITH (FORMAT binary)
\copy copy_back FROM 'build/regress/models.bin' WITH (FORMAT binary)
SELECT count(*) AS rows, count(DISTINCT m::text) AS distinct_models,
       bool_and(m::text = (SELECT m::text FROM type_models)) AS same
FROM copy_back;

-- Binary input is validated as strictly as text: feed recv truncated and corrupted bytes
-- (a bytea column copied in binary has exactly the bytes as its field).
CREATE TEMP TABLE raw_bytes (b bytea);
CREATE TEMP TABLE recv_target (m segmodel);
INSERT INTO raw_bytes SELECT substring(segmodel_send(m) FROM 1 FOR 40) FROM type_models;
\copy raw_bytes TO 'build/regress/truncated.bin' WITH (FORMAT binary)
\set ON_ERROR_STOP 0
\copy recv_target FROM 'build/regress/truncated.bin' WITH (FORMAT binary)
TRUNCATE raw_bytes;
INSERT INTO raw_bytes SELECT overlay(segmodel_send(m) PLACING '\xffffffff'::bytea FROM 5 FOR 4)
FROM type_models;
\copy raw_bytes TO 'build/regress/corrupt.bin' WITH (FORMAT binary)
\copy recv_target FROM 'build/regress/corrupt.bin' WITH (FORMAT binary)
TRUNCATE raw_bytes;
INSERT INTO raw_bytes SELECT segscaler_send('{"method":"none","center":[0],"scale":[1]}');
\copy raw_bytes TO 'build/regress/scaler_as_model.bin' WITH (FORMAT binary)
\copy recv_target FROM 'build/regress/scaler_as_model.bin' WITH (FORMAT binary)
\set ON_ERROR_STOP 1
SELECT count(*) AS accepted FROM recv_target;

-- Text input rejects anything that is not a complete, consistent model.
SELECT try($$SELECT 'nonsense'::segmodel$$);
SELECT try($$SELECT '{}'::segmodel$$);
SELECT try($$SELECT '[1,2]'::segscaler$$);
SELECT try($$SELECT '{"method":"standard","center":[1],"scale":[0]}'::segscaler$$);
SELECT try($$SELECT '{"method":"standard","center":[1],"scale":[-1]}'::segscaler$$);
SELECT try($$SELECT '{"method":"standard","center":[1,2],"scale":[1]}'::segscaler$$);
SELECT try($$SELECT '{"method":"standard","center":[1e999],"scale":[1]}'::segscaler$$);
SELECT try($$SELECT '{"method":"zscore","center":[1],"scale":[1]}'::segscaler$$);
SELECT try($$SELECT '{"method":"none","center":[1],"scale":[1],"extra":1}'::segscaler$$);
SELECT try($$SELECT '{"method":"none","center":[],"scale":[]}'::segscaler$$);
SELECT try($$SELECT '{"method":"none","center":[0],"scale":[1]} x'::segscaler$$);
SELECT try($$SELECT repeat('[', 100000)::segscaler$$);
-- Model texts with one thing wrong each.
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{version}', '99')))
FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{k}', '4'))) FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{k}', '0'))) FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{dims}', '2'))) FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{centroids,0,0}', '"x"')))
FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{scaler,scale,1}', '0')))
FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{sizes,0}', '-1')))
FROM type_models;
SELECT try(format('SELECT %L::segmodel', (m::jsonb) - 'inertia')) FROM type_models;
SELECT try(format('SELECT %L::segmodel', (m::jsonb) || '{"surprise": true}')) FROM type_models;
SELECT try(format('SELECT %L::segmodel', jsonb_set(m::jsonb, '{options,n_init}', '0')))
FROM type_models;
