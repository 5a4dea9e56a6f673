-- scaler_fit / seg_scale / seg_unscale against PostgreSQL's own statistics aggregates,
-- which compute the same quantities as scikit-learn's scalers.
CREATE TABLE mall_scalers AS
SELECT m AS method, scaler_fit(ARRAY[age, annual_income, spending_score], m) AS s
FROM mall_customers, unnest(ARRAY['standard', 'minmax', 'robust', 'none']) AS m
GROUP BY m;

SELECT method, (s::jsonb)->>'method' AS json_method,
       jsonb_array_length((s::jsonb)->'center') AS dims
FROM mall_scalers ORDER BY method;

-- Reference center/scale per method from built-in aggregates.
CREATE TEMP TABLE ref AS
SELECT 'standard' AS method,
       ARRAY[avg(age), avg(annual_income), avg(spending_score)] AS center,
       ARRAY[stddev_pop(age), stddev_pop(annual_income), stddev_pop(spending_score)] AS scale
FROM mall_customers
UNION ALL
SELECT 'minmax',
       ARRAY[min(age), min(annual_income), min(spending_score)],
       ARRAY[max(age) - min(age), max(annual_income) - min(annual_income),
             max(spending_score) - min(spending_score)]
FROM mall_customers
UNION ALL
SELECT 'robust',
       ARRAY[percentile_cont(0.5) WITHIN GROUP (ORDER BY age),
             percentile_cont(0.5) WITHIN GROUP (ORDER BY annual_income),
             percentile_cont(0.5) WITHIN GROUP (ORDER BY spending_score)],
       ARRAY[percentile_cont(0.75) WITHIN GROUP (ORDER BY age)
               - percentile_cont(0.25) WITHIN GROUP (ORDER BY age),
             percentile_cont(0.75) WITHIN GROUP (ORDER BY annual_income)
               - percentile_cont(0.25) WITHIN GROUP (ORDER BY annual_income),
             percentile_cont(0.75) WITHIN GROUP (ORDER BY spending_score)
               - percentile_cont(0.25) WITHIN GROUP (ORDER BY spending_score)]
FROM mall_customers
UNION ALL
SELECT 'none', ARRAY[0, 0, 0]::float8[], ARRAY[1, 1, 1]::float8[];

-- Every center and scale agrees to 1e-12 relative.
SELECT r.method,
       bool_and(abs(((s.s::jsonb)->'center'->>(i - 1))::float8 - r.center[i])
                <= 1e-12 * greatest(1, abs(r.center[i]))) AS center_ok,
       bool_and(abs(((s.s::jsonb)->'scale'->>(i - 1))::float8 - r.scale[i])
                <= 1e-12 * greatest(1, abs(r.scale[i]))) AS scale_ok
FROM ref r JOIN mall_scalers s USING (method), generate_series(1, 3) AS i
GROUP BY r.method ORDER BY r.method;

-- Standard-scaled columns have mean 0 and population std 1; unscale undoes scale.
WITH z AS (
    SELECT seg_scale(s.s, ARRAY[age, annual_income, spending_score]) AS v,
           ARRAY[age, annual_income, spending_score] AS x, s.s
    FROM mall_customers, mall_scalers s WHERE s.method = 'standard')
SELECT abs(avg(v[1])) < 1e-12 AS mean0, abs(stddev_pop(v[2]) - 1) < 1e-12 AS std1,
       bool_and(seg_unscale(s, v) = x OR
                (SELECT bool_and(abs(a - b) <= 1e-12 * abs(b))
                 FROM unnest(seg_unscale(s, v), x) AS u(a, b))) AS round_trip
FROM z;

-- minmax maps the data onto [0, 1].
SELECT min(v[1]) AS lo, max(v[1]) AS hi
FROM (SELECT seg_scale(s.s, ARRAY[age, annual_income, spending_score]) AS v
      FROM mall_customers, mall_scalers s WHERE s.method = 'minmax') t;

-- A constant feature gets scale 1 (no division by zero) under every method.
SELECT m, (scaler_fit(ARRAY[x, 5], m)::jsonb)->'scale'->>1 AS constant_scale
FROM generate_series(1, 10) AS x, unnest(ARRAY['standard', 'minmax', 'robust']) AS m
GROUP BY m ORDER BY m;

-- NULL elements stay NULL; rows with NULL elements are left out of the fit (NOTICE).
SELECT seg_scale('{"method":"standard","center":[1,2],"scale":[2,4]}'::segscaler,
                 ARRAY[3, NULL]::float8[]);
SELECT (scaler_fit(v)::jsonb)->'center' AS center
FROM (VALUES (ARRAY[1, 10]::float8[]), (ARRAY[3, NULL]), (ARRAY[5, 20]), (NULL)) AS t(v);
-- No rows: NULL, as any aggregate.
SELECT scaler_fit(ARRAY[age]) IS NULL AS no_rows FROM mall_customers WHERE false;

-- Errors.
SELECT try($$SELECT scaler_fit(ARRAY[age], 'zscore') FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(ARRAY[age], NULL) FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(CASE WHEN age > 40 THEN ARRAY[age] ELSE ARRAY[age, age] END)
             FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(ARRAY[]::float8[]) FROM mall_customers$$);
SELECT try($$SELECT scaler_fit(ARRAY[[1, 2], [3, 4]]::float8[])$$);
SELECT try($$SELECT scaler_fit(ARRAY[NULL::float8])$$);
SELECT try($$SELECT seg_scale(s, ARRAY[1, 2]::float8[]) FROM mall_scalers WHERE method = 'none'$$);
SELECT try($$SELECT seg_unscale(s, ARRAY[[1, 2, 3]]::float8[]) FROM mall_scalers
             WHERE method = 'none'$$);
