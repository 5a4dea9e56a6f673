-- Bad-input catalog: every SQL-visible function against NULLs, odd arrays, missing values,
-- absurd k, malformed options and malformed models (text, binary and corrupt stored datums).
-- Each case is a clear ERROR with a fitting SQLSTATE (or a documented NULL); none crashes.
-- bad_input.sql, types.sql, assign.sql and scaler.sql hold the basic cases; this file fills
-- the gaps. Rows are 'SQLSTATE: message' via try() from setup.sql.
CREATE TEMP TABLE rb AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 3,
                  '{"feature_names": ["age", "income", "score"], "n_init": 2}') AS m,
       '{"method":"standard","center":[1,2],"scale":[2,4]}'::segscaler AS s
FROM mall_customers;

-- 1. NULL arguments. STRICT functions return NULL; aggregates ignore whole-NULL rows.
SELECT seg_scale(NULL::segscaler, ARRAY[1]::float8[]) IS NULL AS scale_null_scaler,
       seg_scale(s, NULL) IS NULL AS scale_null_array,
       seg_unscale(NULL, ARRAY[1]::float8[]) IS NULL AS unscale_null,
       seg_scale(NULL::segmodel, ARRAY[1]::float8[]) IS NULL AS scale_null_model,
       seg_assign(NULL, ARRAY[1, 2, 3]::float8[]) IS NULL AS assign_null_model,
       seg_assign(m, NULL) IS NULL AS assign_null_array,
       seg_distance(NULL, NULL) IS NULL AS distance_null,
       (SELECT count(*) FROM seg_centroids(NULL)) AS centroid_rows,
       NULL::segmodel::jsonb IS NULL AS model_jsonb, NULL::jsonb::segscaler IS NULL AS scaler_cast
FROM rb;
SELECT kmeans_fit(NULL::float8[], NULL) IS NULL AS fit_all_null,
       kmeans_fit(NULL::float8[], 2, NULL) IS NULL AS fit_all_null_options,
       scaler_fit(NULL::float8[], NULL) IS NULL AS scaler_all_null
FROM generate_series(1, 3);
SELECT try($$SELECT kmeans_fit(ARRAY[x], NULL, NULL) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT scaler_fit(ARRAY[x], NULL) FROM generate_series(1, 3) x$$);

-- 2. Array shapes: empty, 2-D, 3-D, other lower bounds, lengths that do not match.
SELECT try($$SELECT seg_scale(s, '{}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_unscale(s, '{}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_scale(s, '{{1,2},{3,4}}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_scale(m, '{{{1,2,3}}}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_scale(m, '{}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_distance(m, '{}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_distance(m, '{{1,2,3}}'::float8[]) FROM rb$$);
SELECT try($$SELECT seg_unscale(s, ARRAY[1, 2, 3]::float8[]) FROM rb$$);
SELECT try($$SELECT seg_scale(m, ARRAY[1, 2, 3, 4]::float8[]) FROM rb$$);
SELECT try($$SELECT kmeans_fit(ARRAY[[[x]]]::float8[], 1) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT scaler_fit(CASE WHEN x = 3 THEN '{}' ELSE ARRAY[x] END::float8[])
             FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kmeans_fit(CASE WHEN x = 3 THEN ARRAY[x, x, x] ELSE ARRAY[x] END::float8[], 1)
             FROM generate_series(1, 3) x$$);
-- A lower bound other than 1 is just another one-dimensional array.
SELECT seg_scale(s, '[5:6]={3,4}'::float8[]) AS scaled,
       seg_assign(m, '[0:2]={30,60,50}'::float8[]) = seg_assign(m, ARRAY[30, 60, 50]::float8[])
       AS lower_bound_ignored
FROM rb;

-- 3. NULL / NaN / Infinity elements under each missing-value policy.
CREATE TEMP TABLE holes3 (v float8[]);
INSERT INTO holes3 VALUES ('{1,1}'), ('{2,2}'), ('{3,3}'), ('{NULL,4}'), ('{NaN,5}'),
    ('{6,Infinity}'), ('{7,-Infinity}'), (NULL);
-- skip: four rows left out, counted, with a NOTICE.
SELECT (kmeans_fit(v, 2)::jsonb)->'n_rows' AS n_rows,
       (kmeans_fit(v, 2)::jsonb)->'n_skipped' AS n_skipped FROM holes3;
SELECT try($$SELECT kmeans_fit(v, 4) FROM holes3$$);
-- error: the first incomplete row is an error, whatever kind of missing it is.
SELECT try($$SELECT kmeans_fit(v, 2, '{"missing": "error"}') FROM holes3$$);
SELECT try($$SELECT kmeans_fit(v, 1, '{"missing": "error"}')
             FROM (VALUES (ARRAY[1, '-Infinity']::float8[])) t(v)$$);
SELECT try($$SELECT kmeans_fit(v, 1, '{"missing": "error"}')
             FROM (VALUES (ARRAY[1, NULL]::float8[])) t(v)$$);
-- impute: the means of the finite values; a feature with no finite value cannot be imputed.
SELECT (kmeans_fit(v, 2, '{"missing": "impute"}')::jsonb)->'impute' AS impute,
       (kmeans_fit(v, 2, '{"missing": "impute"}')::jsonb)->'n_rows' AS n_rows FROM holes3;
SELECT try($$SELECT kmeans_fit(v, 1, '{"missing": "impute"}')
             FROM (VALUES (ARRAY[NULL, 1]::float8[]), (ARRAY['NaN', 2]::float8[])) t(v)$$);
-- Labelling: NULL without imputation, imputed otherwise; never an error.
SELECT seg_assign(m, ARRAY['-Infinity', 60, 50]::float8[]) AS assign_neg_inf,
       seg_distance(m, ARRAY[30, 'NaN', 50]::float8[]) AS distance_nan,
       seg_assign(m, ARRAY[NULL, NULL, NULL]::float8[]) AS assign_all_null
FROM rb;
SELECT seg_assign(mi, ARRAY['Infinity', 'NaN', NULL]::float8[]) IS NOT NULL AS imputed_label,
       seg_distance(mi, ARRAY['Infinity', 'NaN', NULL]::float8[]) >= 0 AS imputed_distance
FROM (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 3,
                        '{"missing": "impute", "n_init": 1}') AS mi FROM mall_customers) t;
-- Scaling passes NULL through and lets NaN/Infinity propagate, as float8 arithmetic does.
SELECT seg_scale(s, ARRAY['NaN', 'Infinity']::float8[]) AS scaled,
       seg_unscale(s, ARRAY[NULL, '-Infinity']::float8[]) AS unscaled FROM rb;
SELECT try($$SELECT scaler_fit(v)
             FROM (VALUES (ARRAY['Infinity']::float8[]), (ARRAY['NaN']::float8[])) t(v)$$);
-- Finite values whose mean, spread or range overflow a double: an error, not a silent scale.
SELECT try($$SELECT scaler_fit(v) FROM (VALUES (ARRAY[1e308]::float8[]), (ARRAY[1.7e308])) t(v)$$);
SELECT try($$SELECT scaler_fit(v) FROM (VALUES (ARRAY[1e308]::float8[]), (ARRAY[-1e308])) t(v)$$);
SELECT try($$SELECT scaler_fit(v, 'minmax')
             FROM (VALUES (ARRAY[1e308]::float8[]), (ARRAY[-1e308])) t(v)$$);
SELECT try($$SELECT kmeans_fit(v, 1, '{"scale": "minmax"}')
             FROM (VALUES (ARRAY[1e308]::float8[]), (ARRAY[-1e308])) t(v)$$);
SELECT try($$SELECT kmeans_fit(v, 2, '{"scale": "none"}')
             FROM (VALUES (ARRAY[1e300]::float8[]), (ARRAY[-1e300])) t(v)$$);

-- 4. k: never allocated for before the rows are counted, whatever its value.
SELECT try($$SELECT kmeans_fit(ARRAY[x], 2147483647) FROM generate_series(1, 2) x$$);
SELECT try($$SELECT kmeans_fit(ARRAY[x], 2147483647, '{"missing": "impute"}')
             FROM generate_series(1, 2) x$$);
SELECT try($$SELECT kmeans_fit(ARRAY[x], -2147483648) FROM generate_series(1, 2) x$$);
SELECT try($$SELECT kmeans_fit(v, 3) FROM holes3 WHERE v[2] > 2$$);
-- k changing between rows: an error (the model would depend on the scan order).
SELECT (kmeans_fit(ARRAY[x], (4 - x)::int)::jsonb)->'k' AS k
FROM (SELECT x FROM generate_series(1, 3) x ORDER BY x) t;

-- 5. Malformed options (jsonb): wrong types, nulls, edge values, deep nesting.
SELECT o, try(format('SELECT kmeans_fit(ARRAY[x], 1, %L) FROM generate_series(1, 3) x', o))
FROM unnest(ARRAY[
    'null', 'true', '3', '{"n_init": null}', '{"init": null}', '{"scale": {"a": 1}}',
    '{"n_init": [1]}', '{"n_init": "10"}', '{"n_init": 10001}', '{"max_iter": 1000001}',
    '{"max_iter": 0}', '{"seed": 9223372036854775808}', '{"seed": 0.5}', '{"tol": -0}',
    '{"tol": 1e308}', '{"Scale": "none"}', '{"": 1}', '{"feature_names": []}',
    '{"feature_names": ["a", null]}', '{"feature_names": [["a"]]}', '{"missing": "Skip"}'
]) AS o;
SELECT try(format('SELECT kmeans_fit(ARRAY[1], 1, %L)',
                  '{"scale": ' || repeat('[', 1000) || repeat(']', 1000) || '}'));
SELECT try(format('SELECT kmeans_fit(ARRAY[1], 1, %L)',
                  '{"feature_names": ' || repeat('[', 62) || repeat(']', 62) || '}'));

-- 6. Malformed model text: one thing wrong each, starting from a valid model. (Byte offsets
--    into the model's own text are masked: they move whenever the JSON gains a key.)
SELECT what, regexp_replace(try(format('SELECT %L::segmodel', t)), 'byte \d+', 'byte N') AS error
FROM rb, LATERAL (VALUES
    ('empty', ''),
    ('truncated', left(m::text, 200)),
    ('not json', '{"algorithm": kmeans}'),
    ('array', '[]'),
    ('algorithm', jsonb_set(m::jsonb, '{algorithm}', '"dbscan"')::text),
    ('version 0', jsonb_set(m::jsonb, '{version}', '0')::text),
    ('version text', jsonb_set(m::jsonb, '{version}', '"1"')::text),
    ('version 1.5', jsonb_set(m::jsonb, '{version}', '1.5')::text),
    ('k 2^31', jsonb_set(m::jsonb, '{k}', '2147483648')::text),
    ('k 2^31-1', jsonb_set(m::jsonb, '{k}', '2147483647')::text),
    ('dims 2^31-1', jsonb_set(m::jsonb, '{dims}', '2147483647')::text),
    ('k 2.5', jsonb_set(m::jsonb, '{k}', '2.5')::text),
    ('centroid row short', jsonb_set(m::jsonb, '{centroids,1}', '[1, 2]')::text),
    ('centroids missing a row', ((m::jsonb) #- '{centroids,2}')::text),
    ('sizes short', ((m::jsonb) #- '{sizes,2}')::text),
    ('sizes sum', jsonb_set(m::jsonb, '{sizes,0}', '1000')::text),
    ('n_rows negative', jsonb_set(m::jsonb, '{n_rows}', '-1')::text),
    ('n_skipped negative', jsonb_set(m::jsonb, '{n_skipped}', '-5')::text),
    ('n_iter negative', jsonb_set(m::jsonb, '{n_iter}', '-1')::text),
    ('inertia negative', jsonb_set(m::jsonb, '{inertia}', '-0.5')::text),
    ('inertia string', jsonb_set(m::jsonb, '{inertia}', '"NaN"')::text),
    ('inertia 1e999', replace(m::text, '"n_iter"', '"inertia2":1e999,"n_iter"')),
    ('centroid 1e999', regexp_replace(m::text, '"centroids":\[\[[^,]*', '"centroids":[[1e999')),
    ('centroid NaN', regexp_replace(m::text, '"centroids":\[\[[^,]*', '"centroids":[[NaN')),
    ('centroid -Infinity', regexp_replace(m::text, '"centroids":\[\[[^,]*',
                                          '"centroids":[[-Infinity')),
    ('scale zero', jsonb_set(m::jsonb, '{scaler,scale,0}', '0')::text),
    ('scale negative', jsonb_set(m::jsonb, '{scaler,scale,2}', '-1')::text),
    ('scale tiny negative', jsonb_set(m::jsonb, '{scaler,scale,2}', '-5e-324')::text),
    ('scaler method differs', jsonb_set(m::jsonb, '{scaler,method}', '"minmax"')::text),
    ('scaler short', jsonb_set(m::jsonb, '{scaler,center}', '[1, 2]')::text),
    ('feature_std negative', jsonb_set(m::jsonb, '{feature_std,0}', '-1')::text),
    ('mean_distance negative', jsonb_set(m::jsonb, '{mean_distance,0}', '-1')::text),
    ('mean_distance short', ((m::jsonb) #- '{mean_distance,0}')::text),
    ('feature_mean short', ((m::jsonb) #- '{feature_mean,0}')::text),
    ('impute without policy', jsonb_set(m::jsonb, '{impute}', '[1, 2, 3]')::text),
    ('impute policy without values', jsonb_set(m::jsonb, '{options,missing}', '"impute"')::text),
    ('names count', jsonb_set(m::jsonb, '{feature_names}', '["a", "b"]')::text),
    ('names not strings', jsonb_set(m::jsonb, '{feature_names}', '[1, 2, 3]')::text),
    ('option names count', jsonb_set(m::jsonb, '{options,feature_names}', '["a"]')::text),
    ('option unknown', jsonb_set(m::jsonb, '{options,k}', '3')::text),
    ('option missing', ((m::jsonb) #- '{options,seed}')::text),
    ('option out of range', jsonb_set(m::jsonb, '{options,max_iter}', '0')::text),
    ('duplicate key', replace(m::text, '"k":3,', '"k":3,"k":3,')),
    ('trailing comma', replace(m::text, '"k":3,', '"k":3,,')),
    ('lone surrogate', replace(m::text, '"age"', '"\ud800"')),
    ('nul escape', replace(m::text, '"age"', '"a\u0000"')),
    ('deep nesting', '{"algorithm":"kmeans","version":1,"k":' || repeat('[', 100000)),
    ('deep nesting inside', jsonb_set(m::jsonb, '{feature_names}',
                                      (repeat('[', 70) || repeat(']', 70))::jsonb)::text)
) AS v(what, t);
-- The same checks through jsonb, and a model's text survives the jsonb detour exactly.
SELECT try($$SELECT '{"method":"none","center":[0],"scale":[1],"x":[]}'::jsonb::segscaler$$);
SELECT (m::jsonb)::segmodel::text = m::text AS jsonb_detour_exact FROM rb;

-- 7. Malformed scaler text.
SELECT what, try(format('SELECT %L::segscaler', t))
FROM (VALUES
    ('empty', ''),
    ('null', 'null'),
    ('method missing', '{"center":[1],"scale":[1]}'),
    ('scale tiny negative', '{"method":"minmax","center":[1],"scale":[-5e-324]}'),
    ('center string', '{"method":"standard","center":["1"],"scale":[1]}'),
    ('center NaN', '{"method":"standard","center":[NaN],"scale":[1]}'),
    ('scale Infinity', '{"method":"standard","center":[1],"scale":[Infinity]}'),
    ('scale 1e309', '{"method":"standard","center":[1],"scale":[1e309]}'),
    ('none with a center', '{"method":"none","center":[1],"scale":[1]}'),
    ('nested center', '{"method":"standard","center":[[1]],"scale":[1]}'),
    ('deep nesting', repeat('{"a":', 100000))
) AS v(what, t);

-- 8. Binary input (recv, as COPY BINARY and the binary protocol use it), driven through a
--    server-side COPY of a bytea field: a valid value is accepted unchanged, every
--    corruption is 22P03. (Regress runs as superuser; the file lives in the data directory.)
CREATE TEMP TABLE recv_model (m segmodel);
CREATE TEMP TABLE recv_scaler (s segscaler);
CREATE FUNCTION pg_temp.recv(b bytea, tbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/cseg_robustness_recv.bin';
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', b, f);
    RETURN try(format('COPY %I FROM %L WITH (FORMAT binary)', tbl, f));
END $$;
-- Little-endian doubles: NaN, +Infinity, 0, -1.
SELECT what, pg_temp.recv(b, 'recv_model')
FROM rb, LATERAL (SELECT segmodel_send(m) AS ok) e, LATERAL (VALUES
    ('valid', ok),
    ('empty', ''::bytea),
    ('header only', substring(ok FROM 1 FOR 80)),
    ('one byte short', substring(ok FROM 1 FOR length(ok) - 1)),
    ('one byte long', ok || '\x00'::bytea),
    ('magic', overlay(ok PLACING 'XSGM'::bytea FROM 1 FOR 4)),
    ('version 2', overlay(ok PLACING '\x02'::bytea FROM 5 FOR 1)),
    ('version 0', overlay(ok PLACING '\x00'::bytea FROM 5 FOR 1)),
    ('algorithm 9', overlay(ok PLACING '\x09'::bytea FROM 6 FOR 1)),
    ('scale code 9', overlay(ok PLACING '\x09'::bytea FROM 7 FOR 1)),
    ('missing code 3', overlay(ok PLACING '\x03'::bytea FROM 9 FOR 1)),
    ('flags', overlay(ok PLACING '\x80'::bytea FROM 10 FOR 1)),
    ('refine code 2', overlay(ok PLACING '\x02'::bytea FROM 11 FOR 1)),
    ('impute code 3', overlay(ok PLACING '\x03'::bytea FROM 12 FOR 1)),
    ('k 4', overlay(ok PLACING '\x04000000'::bytea FROM 13 FOR 4)),
    ('k 0', overlay(ok PLACING '\x00000000'::bytea FROM 13 FOR 4)),
    ('k -1', overlay(ok PLACING '\xffffffff'::bytea FROM 13 FOR 4)),
    ('k 2^31-1', overlay(ok PLACING '\xffffff7f'::bytea FROM 13 FOR 4)),
    ('dims 2^31-1', overlay(ok PLACING '\xffffff7f'::bytea FROM 17 FOR 4)),
    ('n_init 0', overlay(ok PLACING '\x00000000'::bytea FROM 21 FOR 4)),
    ('n_iter -1', overlay(ok PLACING '\xffffffff'::bytea FROM 29 FOR 4)),
    ('tol NaN', overlay(ok PLACING '\x000000000000f87f'::bytea FROM 33 FOR 8)),
    ('seed 2^63', overlay(ok PLACING '\x0000000000000080'::bytea FROM 41 FOR 8)),
    ('inertia Infinity', overlay(ok PLACING '\x000000000000f07f'::bytea FROM 49 FOR 8)),
    ('n_rows -1', overlay(ok PLACING '\xffffffffffffffff'::bytea FROM 57 FOR 8)),
    ('names bytes 2^64-1', overlay(ok PLACING '\xffffffffffffffff'::bytea FROM 73 FOR 8)),
    ('center NaN', overlay(ok PLACING '\x000000000000f87f'::bytea FROM 81 FOR 8)),
    ('scale 0', overlay(ok PLACING '\x0000000000000000'::bytea FROM 105 FOR 8)),
    ('scale -1', overlay(ok PLACING '\x000000000000f0bf'::bytea FROM 113 FOR 8)),
    ('centroid Infinity', overlay(ok PLACING '\x000000000000f07f'::bytea FROM 129 FOR 8)),
    ('size -1', overlay(ok PLACING '\xffffffffffffffff'::bytea FROM 201 FOR 8)),
    ('name length 2^32-1', overlay(ok PLACING '\xffffffff'::bytea FROM 753 FOR 4)),  -- after the deciles
    ('a scaler', segscaler_send(s))
) AS v(what, b);
SELECT count(*) AS accepted, bool_and(r.m::text = rb.m::text) AS unchanged
FROM recv_model r, rb;
SELECT what, pg_temp.recv(b, 'recv_scaler')
FROM rb, LATERAL (SELECT segscaler_send(s) AS ok) e, LATERAL (VALUES
    ('valid', ok),
    ('truncated', substring(ok FROM 1 FOR 20)),
    ('long', ok || '\x0000000000000000'::bytea),
    ('version 2', overlay(ok PLACING '\x02'::bytea FROM 5 FOR 1)),
    ('method 4', overlay(ok PLACING '\x04'::bytea FROM 6 FOR 1)),
    ('reserved', overlay(ok PLACING '\x01'::bytea FROM 14 FOR 1)),
    ('dims -1', overlay(ok PLACING '\xffffffff'::bytea FROM 9 FOR 4)),
    ('dims 3', overlay(ok PLACING '\x03000000'::bytea FROM 9 FOR 4)),
    ('center Infinity', overlay(ok PLACING '\x000000000000f07f'::bytea FROM 17 FOR 8)),
    ('scale 0', overlay(ok PLACING '\x0000000000000000'::bytea FROM 33 FOR 8)),
    ('scale -1', overlay(ok PLACING '\x000000000000f0bf'::bytea FROM 41 FOR 8)),
    ('scale NaN', overlay(ok PLACING '\x000000000000f87f'::bytea FROM 41 FOR 8)),
    ('a model', segmodel_send(m))
) AS v(what, b);
SELECT count(*) AS accepted, bool_and(r.s::text = rb.s::text) AS unchanged
FROM recv_scaler r, rb;

-- 9. Corrupt stored datums (as a damaged disk page or a bad extension build would leave
--    them): made with an internal function that returns its bytea argument's bytes as a
--    segmodel / segscaler without any validation. Using them is an error, never a crash.
CREATE FUNCTION pg_temp.raw_model(bytea, int) RETURNS segmodel
    LANGUAGE internal IMMUTABLE STRICT AS 'bytea_substr_no_len';
CREATE FUNCTION pg_temp.raw_scaler(bytea, int) RETURNS segscaler
    LANGUAGE internal IMMUTABLE STRICT AS 'bytea_substr_no_len';
CREATE TEMP TABLE corrupt AS
SELECT what, pg_temp.raw_model(b, 1) AS cm
FROM rb, LATERAL (SELECT segmodel_send(m) AS ok) e, LATERAL (VALUES
    ('intact', ok),
    ('truncated', substring(ok FROM 1 FOR 100)),
    ('k 4', overlay(ok PLACING '\x04000000'::bytea FROM 13 FOR 4)),
    ('dims 2^31-1', overlay(ok PLACING '\xffffff7f'::bytea FROM 17 FOR 4)),
    ('centroid NaN', overlay(ok PLACING '\x000000000000f87f'::bytea FROM 129 FOR 8)),
    ('scale 0', overlay(ok PLACING '\x0000000000000000'::bytea FROM 105 FOR 8))
) AS v(what, b);
SELECT what,
       left(try(format('SELECT seg_assign(cm, ARRAY[30, 60, 50]::float8[]) FROM corrupt '
                       'WHERE what = %L', what)), 5) AS assign,
       left(try(format('SELECT * FROM seg_centroids((SELECT cm FROM corrupt WHERE what = %L))',
                       what)), 5) AS centroids,
       try(format('SELECT cm::text FROM corrupt WHERE what = %L', what)) AS output
FROM corrupt ORDER BY what;
SELECT what, try(format('SELECT seg_scale(pg_temp.raw_scaler(%L::bytea, 1), ARRAY[1, 2]::float8[])',
                        b)) AS scale
FROM rb, LATERAL (SELECT segscaler_send(s) AS ok) e, LATERAL (VALUES
    ('intact', ok),
    ('truncated', substring(ok FROM 1 FOR 12)),
    ('dims 2^31-1', overlay(ok PLACING '\xffffff7f'::bytea FROM 9 FOR 4)),
    ('scale 0', overlay(ok PLACING '\x0000000000000000'::bytea FROM 33 FOR 8))
) AS v(what, b);

-- 10. The memory budget: a clear error naming it, and the session carries on.
SET customer_seg.max_memory = '1MB';
SELECT try($$SELECT kmeans_fit(ARRAY[x, x, x, x], 2) FROM generate_series(1, 100000) x$$);
RESET customer_seg.max_memory;

-- 11. Later capabilities: scores, sweep, profiles, drift, alignment, k-prototypes.
-- A k range far beyond the rows is an error about the rows, never an allocation for k_max.
SELECT try($$SELECT kmeans_sweep(ARRAY[x], 1, 2147483647) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[x], 2147483647, 2147483647) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kmeans_sweep(ARRAY[x], -2147483648, 2) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kprototypes_fit(ARRAY[x], ARRAY['a'], 2147483647) FROM generate_series(1, 3) x$$);
-- Labels at both ends of int4 are just two labels.
SELECT round(silhouette(ARRAY[x], l)::numeric, 12) AS silhouette,
       round(davies_bouldin(ARRAY[x], l)::numeric, 12) AS davies_bouldin,
       round(calinski_harabasz(ARRAY[x], l)::numeric, 12) AS calinski_harabasz
FROM (SELECT x::float8, CASE WHEN x < 3 THEN 2147483647 ELSE -2147483648 END AS l
      FROM generate_series(1, 5) x) t;
-- Whole-NULL rows are ignored; no rows gives NULL; a sample larger than the rows is all rows.
SELECT silhouette(NULL::float8[], 1) IS NULL AS no_rows,
       davies_bouldin(NULL::float8[], 1) IS NULL AS db_no_rows,
       kmeans_sweep(NULL::float8[], 1, 2) IS NULL AS sweep_no_rows
FROM generate_series(1, 3);
SELECT silhouette(ARRAY[x], x % 2, '{"sample_size": 9223372036854775807}')
       = silhouette(ARRAY[x], x % 2) AS huge_sample_is_exact
FROM generate_series(1, 9) x;
SELECT try($$SELECT silhouette(ARRAY['NaN'::float8, x], x % 2) FROM generate_series(1, 5) x$$);
SELECT try($$SELECT davies_bouldin(ARRAY[[x]], x % 2) FROM generate_series(1, 5) x$$);
SELECT silhouette(ARRAY[x], x % 2, NULL) = silhouette(ARRAY[x], x % 2) AS null_options_default
FROM generate_series(1, 9) x;
-- NULL models: empty sets and NULLs, never an error.
SELECT (SELECT count(*) FROM seg_profile(NULL)) AS profile_rows,
       (SELECT count(*) FROM seg_describe(NULL)) AS describe_rows,
       (SELECT count(*) FROM seg_modes(NULL)) AS modes_rows,
       seg_align(NULL, m) IS NULL AS align_null, seg_align(m, NULL) IS NULL AS align_ref_null,
       (SELECT seg_drift(NULL, ARRAY[1, 2, 3]::float8[]) IS NULL) AS drift_null
FROM rb;
-- k-prototypes: NULL and odd categories, shapes.
SELECT try($$SELECT kprototypes_fit(ARRAY[x], ARRAY[NULL::text], 1) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kprototypes_fit(ARRAY[x], ARRAY[['a']], 1) FROM generate_series(1, 3) x$$);
SELECT try($$SELECT kprototypes_fit(ARRAY[x], CASE WHEN x = 2 THEN ARRAY['a', 'b'] ELSE ARRAY['a'] END,
                                    1) FROM generate_series(1, 3) x$$);
SELECT (kprototypes_fit(ARRAY[x], ARRAY[CASE WHEN x = 1 THEN '' ELSE repeat('é', 100000) END], 2)
        ::jsonb)->'k' AS odd_categories_k
FROM generate_series(1, 4) x;
SELECT seg_assign(kp, ARRAY[30, 60]::float8[], ARRAY[NULL]::text[]) AS null_category,
       seg_assign(kp, ARRAY[30, 60]::float8[], ARRAY['never seen']) IS NOT NULL AS unseen_category
FROM (SELECT kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 3, '{"n_init": 1}') AS kp
      FROM mall_customers) t;

-- 12. Systematic corruption: every byte of a k-means and a k-prototypes model inverted in
--     turn, and every truncation, as binary input (recv) and as a stored datum (assign,
--     output, centroids). Whatever the byte, the outcome is an error or a usable value.
CREATE TEMP TABLE enc AS
SELECT 'kmeans' AS kind, segmodel_send(m) AS b,
       'SELECT seg_assign(pg_temp.raw_model(%L::bytea, 1), ARRAY[30, 60, 50]::float8[])' AS q
FROM rb
UNION ALL
SELECT 'kprototypes', segmodel_send(kprototypes_fit(ARRAY[age, annual_income], ARRAY[gender], 3,
                                                     '{"n_init": 1}')),
       'SELECT seg_assign(pg_temp.raw_model(%L::bytea, 1), ARRAY[30, 60]::float8[], ARRAY[''Male''])'
FROM mall_customers;
CREATE TEMP TABLE corruptions AS
SELECT kind, q, 'inverted byte' AS how,
       set_byte(b, pos - 1, 255 - get_byte(b, pos - 1)) AS cb
FROM enc, generate_series(1, length(b)) AS pos
UNION ALL
SELECT kind, q, 'truncated', substring(b FROM 1 FOR len)
FROM enc, generate_series(0, length(b) - 1) AS len;
SELECT kind, how, count(*) AS cases,
       array_agg(DISTINCT left(pg_temp.recv(cb, 'recv_model'), 5)) AS recv,
       array_agg(DISTINCT left(try(format(q, cb)), 5)) AS assign,
       array_agg(DISTINCT left(try(format('SELECT pg_temp.raw_model(%L::bytea, 1)::text', cb)), 5))
           AS output,
       array_agg(DISTINCT left(try(format('SELECT count(*) FROM seg_centroids(pg_temp.raw_model(%L::bytea, 1))',
                                          cb)), 5)) AS centroids
FROM corruptions GROUP BY kind, how ORDER BY kind, how;
-- Every truncation of a model's text is rejected as text.
SELECT count(*) AS prefixes,
       array_agg(DISTINCT left(try(format('SELECT %L::segmodel', left(m::text, len))), 5)) AS outcomes
FROM rb, generate_series(0, length(m::text) - 1) AS len;

-- After all of that the backend is alive and fits as before.
SELECT (kmeans_fit(ARRAY[age, annual_income, spending_score], 3,
                   '{"feature_names": ["age", "income", "score"], "n_init": 2}')::text
        = (SELECT m::text FROM rb)) AS still_deterministic
FROM mall_customers;
