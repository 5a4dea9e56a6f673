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
