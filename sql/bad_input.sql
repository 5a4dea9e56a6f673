-- Every bad input to kmeans_fit is a clear ERROR with a fitting SQLSTATE; none crashes.
SELECT try($$SELECT kmeans_fit(ARRAY[age], 0) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], -3) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], NULL) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 201) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2147483647) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[x], 3) FROM generate_series(1, 2) x$$);
SELECT try($$SELECT kmeans_fit(CASE WHEN age < 30 THEN ARRAY[age] ELSE ARRAY[age, 1] END, 2)
             FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[[age, 1], [2, 3]], 2) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit('{}'::float8[], 2) FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[NULL::float8, NULL], 1)$$);
SELECT try($$SELECT kmeans_fit(ARRAY['NaN'::float8], 1, '{"missing": "error"}')$$);
SELECT try($$SELECT kmeans_fit(ARRAY['Infinity'::float8], 1, '{"missing": "error"}')$$);
-- Options.
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"k": 3}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '[1]') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '"standard"') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"scale": "zscore"}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"scale": 1}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"init": "kmeans||"}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"n_init": 0}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"n_init": 2.5}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"max_iter": -1}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"tol": -0.1}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"tol": "small"}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"seed": -1}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"seed": 1e30}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"missing": "drop"}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"feature_names": "age"}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"feature_names": ["a", "b"]}') FROM mall_customers$$);
SELECT try($$SELECT kmeans_fit(ARRAY[age], 2, '{"feature_names": [1]}') FROM mall_customers$$);
-- A NULL options argument means the defaults.
SELECT (kmeans_fit(ARRAY[age], 2, NULL)::jsonb)->'options'->'n_init' AS n_init FROM mall_customers;
-- The session is healthy after all of that.
SELECT count(*) FROM mall_customers;
-- A regclass naming a dropped table (its OID prints as a number): 42P01 naming the function,
-- not a syntax error in the query it builds.
CREATE TABLE dropped_source AS SELECT age::float8 AS x, 'c' || age AS customer, now() AS d,
                                      1::numeric AS amount FROM mall_customers;
CREATE TEMP TABLE dropped_oid AS SELECT 'dropped_source'::regclass AS r;
DROP TABLE dropped_source;
SELECT regexp_replace(try(format($$SELECT seg_train('gone', %s::regclass, ARRAY['x'], 2)$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT regexp_replace(try(format($$SELECT kmeans_stream_fit(%s::regclass, ARRAY['x'], 2)$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT regexp_replace(try(format($$SELECT count(*) FROM seg_sweep(%s::regclass, ARRAY['x'], 2, 3)$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT regexp_replace(try(format($$SELECT count(*) FROM seg_compare(%s::regclass, ARRAY['x'], 2, 3)$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT regexp_replace(try(format($$SELECT seg_report(kmeans_fit(ARRAY[age], 2), %s::regclass, ARRAY['x']) FROM mall_customers$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT regexp_replace(try(format($$SELECT count(*) FROM seg_rfm(%s::regclass, 'customer', 'd', 'amount', now())$$, r::oid)), 'OID [0-9]+', 'OID <dropped>') AS error FROM dropped_oid;
SELECT try($$SELECT seg_train('gone', 0::regclass, ARRAY['x'], 2)$$);
-- Every row skipped: the DETAIL says which features are missing, in how many rows.
CREATE TEMP TABLE null_column AS
SELECT age::float8 AS age, NULL::float8 AS income, CASE WHEN age > 40 THEN NULL ELSE 1 END::float8 AS score
FROM mall_customers;
\set SHOW_CONTEXT never
SELECT seg_train('null_column', 'null_column', ARRAY['age', 'income', 'score'], 3);
SELECT kmeans_fit(ARRAY[age, income, score], 3) FROM null_column;
\set SHOW_CONTEXT errors
