-- Judging segments: silhouette, Davies-Bouldin, Calinski-Harabasz (scikit-learn's
-- definitions), on labelled feature arrays or with a model, and per-customer silhouettes.
-- Every aggregate ignores rows whose feature array or label is NULL, leaves out rows with a
-- NULL/NaN/Infinity element (NOTICE with the count), returns NULL over no rows, and scores
-- its rows in canonical order, so serial and parallel plans give the same result.

-- Labelled feature arrays: the vectors are measured exactly as given (no scaling).
CREATE FUNCTION silhouette_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_trans(internal, float8[], int) IS
    'Aggregate support: silhouette transition';
CREATE FUNCTION silhouette_trans(internal, float8[], int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_trans(internal, float8[], int, jsonb) IS
    'Aggregate support: silhouette transition with options';
CREATE FUNCTION silhouette_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_final(internal) IS 'Aggregate support: silhouette final';

CREATE AGGREGATE silhouette(features float8[], label int) (
    SFUNC = silhouette_trans, STYPE = internal,
    FINALFUNC = silhouette_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette(float8[], int) IS
    'Mean silhouette coefficient of the labelled rows (scikit-learn silhouette_score); '
    'singleton clusters score 0; 2 to n-1 distinct labels required';
CREATE AGGREGATE silhouette(features float8[], label int, options jsonb) (
    SFUNC = silhouette_trans, STYPE = internal,
    FINALFUNC = silhouette_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette(float8[], int, jsonb) IS
    'Mean silhouette coefficient; options {"sample_size": N, "seed": S} average it over a '
    'seeded sample of N rows (same seed and rows, same sample)';

CREATE FUNCTION davies_bouldin_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION davies_bouldin_trans(internal, float8[], int) IS
    'Aggregate support: davies_bouldin transition';
CREATE FUNCTION davies_bouldin_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION davies_bouldin_final(internal) IS 'Aggregate support: davies_bouldin final';
CREATE AGGREGATE davies_bouldin(features float8[], label int) (
    SFUNC = davies_bouldin_trans, STYPE = internal,
    FINALFUNC = davies_bouldin_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE davies_bouldin(float8[], int) IS
    'Davies-Bouldin index of the labelled rows (scikit-learn davies_bouldin_score; lower is '
    'better); 2 to n-1 distinct labels required';

CREATE FUNCTION calinski_harabasz_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION calinski_harabasz_trans(internal, float8[], int) IS
    'Aggregate support: calinski_harabasz transition';
CREATE FUNCTION calinski_harabasz_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION calinski_harabasz_final(internal) IS
    'Aggregate support: calinski_harabasz final';
CREATE AGGREGATE calinski_harabasz(features float8[], label int) (
    SFUNC = calinski_harabasz_trans, STYPE = internal,
    FINALFUNC = calinski_harabasz_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE calinski_harabasz(float8[], int) IS
    'Calinski-Harabasz variance ratio of the labelled rows (scikit-learn '
    'calinski_harabasz_score; higher is better); 2 to n-1 distinct labels required';

-- With a model: each row scaled with the model and labelled by its nearest centroid, exactly
-- as seg_assign; scored in the model's scaled space. Rows seg_assign maps to NULL are left out.
CREATE FUNCTION silhouette_model_trans(internal, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_model_trans(internal, segmodel, float8[]) IS
    'Aggregate support: silhouette(segmodel, ...) transition';
CREATE FUNCTION silhouette_model_trans(internal, segmodel, float8[], jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_model_trans(internal, segmodel, float8[], jsonb) IS
    'Aggregate support: silhouette(segmodel, ...) transition with options';
CREATE FUNCTION silhouette_model_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_model_final(internal) IS
    'Aggregate support: silhouette(segmodel, ...) final';
CREATE AGGREGATE silhouette(model segmodel, features float8[]) (
    SFUNC = silhouette_model_trans, STYPE = internal,
    FINALFUNC = silhouette_model_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette(segmodel, float8[]) IS
    'Mean silhouette of the customers as the model segments them (scaled with the model, '
    'labelled as seg_assign), in the model''s scaled space';
CREATE AGGREGATE silhouette(model segmodel, features float8[], options jsonb) (
    SFUNC = silhouette_model_trans, STYPE = internal,
    FINALFUNC = silhouette_model_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette(segmodel, float8[], jsonb) IS
    'Mean silhouette with the model; options {"sample_size": N, "seed": S} as for '
    'silhouette(features, label, options)';

-- Per-customer silhouettes that join back on an id:
--   SELECT v.* FROM unnest((SELECT silhouette_values(id, features, label) FROM t)) v
CREATE TYPE seg_silhouette_value AS (id bigint, label int, silhouette float8);
COMMENT ON TYPE seg_silhouette_value IS
    'One customer''s silhouette coefficient: id, cluster label, silhouette in [-1, 1]';

CREATE FUNCTION silhouette_values_trans(internal, bigint, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_trans(internal, bigint, float8[], int) IS
    'Aggregate support: silhouette_values transition';
CREATE FUNCTION silhouette_values_final(internal) RETURNS seg_silhouette_value[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_final(internal) IS
    'Aggregate support: silhouette_values final';
CREATE AGGREGATE silhouette_values(id bigint, features float8[], label int) (
    SFUNC = silhouette_values_trans, STYPE = internal,
    FINALFUNC = silhouette_values_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(bigint, float8[], int) IS
    'Every scored row''s silhouette (scikit-learn silhouette_samples) as (id, label, '
    'silhouette), ordered by id; a NULL id is an error';

CREATE FUNCTION silhouette_values_model_trans(internal, segmodel, bigint, float8[])
    RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_trans(internal, segmodel, bigint, float8[]) IS
    'Aggregate support: silhouette_values(segmodel, ...) transition';
CREATE FUNCTION silhouette_values_model_final(internal) RETURNS seg_silhouette_value[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_final(internal) IS
    'Aggregate support: silhouette_values(segmodel, ...) final';
CREATE AGGREGATE silhouette_values(model segmodel, id bigint, features float8[]) (
    SFUNC = silhouette_values_model_trans, STYPE = internal,
    FINALFUNC = silhouette_values_model_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(segmodel, bigint, float8[]) IS
    'Every customer''s silhouette as the model segments them (label = seg_assign, scaled '
    'space) as (id, label, silhouette), ordered by id';

CREATE TYPE seg_silhouette_value_text AS (id text, label int, silhouette float8);
COMMENT ON TYPE seg_silhouette_value_text IS
    'One customer''s silhouette coefficient with a text id: id, cluster label, silhouette';
CREATE FUNCTION silhouette_values_text_trans(internal, text, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME', 'silhouette_values_keyed_trans'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_text_trans(internal, text, float8[], int) IS
    'Aggregate support: silhouette_values transition (text ids)';
CREATE FUNCTION silhouette_values_text_final(internal) RETURNS seg_silhouette_value_text[]
    AS 'MODULE_PATHNAME', 'silhouette_values_keyed_final'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_text_final(internal) IS
    'Aggregate support: silhouette_values final (text ids)';
CREATE AGGREGATE silhouette_values(id text, features float8[], label int) (
    SFUNC = silhouette_values_text_trans, STYPE = internal,
    FINALFUNC = silhouette_values_text_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(text, float8[], int) IS
    'silhouette_values with text ids, ordered by id (text: byte order, the C collation''s); '
    'no partial aggregate (parallel workers only scan)';
CREATE FUNCTION silhouette_values_model_text_trans(internal, segmodel, text, float8[])
    RETURNS internal
    AS 'MODULE_PATHNAME', 'silhouette_values_model_keyed_trans'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_text_trans(internal, segmodel, text, float8[]) IS
    'Aggregate support: silhouette_values(segmodel, ...) transition (text ids)';
CREATE FUNCTION silhouette_values_model_text_final(internal) RETURNS seg_silhouette_value_text[]
    AS 'MODULE_PATHNAME', 'silhouette_values_model_keyed_final'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_text_final(internal) IS
    'Aggregate support: silhouette_values(segmodel, ...) final (text ids)';
CREATE AGGREGATE silhouette_values(model segmodel, id text, features float8[]) (
    SFUNC = silhouette_values_model_text_trans, STYPE = internal,
    FINALFUNC = silhouette_values_model_text_final, FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(segmodel, text, float8[]) IS
    'silhouette_values(segmodel, ...) with text ids, ordered by id; no partial aggregate '
    '(parallel workers only scan)';

CREATE TYPE seg_silhouette_value_uuid AS (id uuid, label int, silhouette float8);
COMMENT ON TYPE seg_silhouette_value_uuid IS
    'One customer''s silhouette coefficient with a uuid id: id, cluster label, silhouette';
CREATE FUNCTION silhouette_values_uuid_trans(internal, uuid, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME', 'silhouette_values_keyed_trans'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_uuid_trans(internal, uuid, float8[], int) IS
    'Aggregate support: silhouette_values transition (uuid ids)';
CREATE FUNCTION silhouette_values_uuid_final(internal) RETURNS seg_silhouette_value_uuid[]
    AS 'MODULE_PATHNAME', 'silhouette_values_keyed_final'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_uuid_final(internal) IS
    'Aggregate support: silhouette_values final (uuid ids)';
CREATE AGGREGATE silhouette_values(id uuid, features float8[], label int) (
    SFUNC = silhouette_values_uuid_trans, STYPE = internal,
    FINALFUNC = silhouette_values_uuid_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(uuid, float8[], int) IS
    'silhouette_values with uuid ids, ordered by id (uuid order); '
    'no partial aggregate (parallel workers only scan)';
CREATE FUNCTION silhouette_values_model_uuid_trans(internal, segmodel, uuid, float8[])
    RETURNS internal
    AS 'MODULE_PATHNAME', 'silhouette_values_model_keyed_trans'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_uuid_trans(internal, segmodel, uuid, float8[]) IS
    'Aggregate support: silhouette_values(segmodel, ...) transition (uuid ids)';
CREATE FUNCTION silhouette_values_model_uuid_final(internal) RETURNS seg_silhouette_value_uuid[]
    AS 'MODULE_PATHNAME', 'silhouette_values_model_keyed_final'
    LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION silhouette_values_model_uuid_final(internal) IS
    'Aggregate support: silhouette_values(segmodel, ...) final (uuid ids)';
CREATE AGGREGATE silhouette_values(model segmodel, id uuid, features float8[]) (
    SFUNC = silhouette_values_model_uuid_trans, STYPE = internal,
    FINALFUNC = silhouette_values_model_uuid_final, FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE silhouette_values(segmodel, uuid, float8[]) IS
    'silhouette_values(segmodel, ...) with uuid ids, ordered by id; no partial aggregate '
    '(parallel workers only scan)';
