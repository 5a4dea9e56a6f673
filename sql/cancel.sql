-- A long fit stops at statement_timeout; the same session keeps working afterwards.
-- (If cancellation did not reach the fit, this would return a model instead of the error.)
CREATE TEMP TABLE big AS
SELECT ARRAY[(i * 7919 % 10007)::float8, (i * 104729 % 10009)::float8,
             (i * 1299709 % 10037)::float8, (i % 97)::float8] AS v
FROM generate_series(1::bigint, 200000) AS i;
SET statement_timeout = '500ms';
SELECT kmeans_fit(v, 64, '{"n_init": 100, "max_iter": 10000, "tol": 0}') FROM big;
RESET statement_timeout;
SELECT count(*) AS still_working FROM big;
SELECT (kmeans_fit(v, 2, '{"n_init": 1}')::jsonb)->'n_rows' AS n_rows FROM big;
