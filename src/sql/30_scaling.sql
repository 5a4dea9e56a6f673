-- Scaling
CREATE FUNCTION scaler_fit_trans(internal, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_trans(internal, float8[]) IS
    'Aggregate support: scaler_fit transition';
CREATE FUNCTION scaler_fit_trans(internal, float8[], text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_trans(internal, float8[], text) IS
    'Aggregate support: scaler_fit transition with a method';
CREATE FUNCTION scaler_fit_final(internal) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION scaler_fit_final(internal) IS 'Aggregate support: scaler_fit final';

CREATE AGGREGATE scaler_fit(float8[]) (
    SFUNC = scaler_fit_trans, STYPE = internal,
    FINALFUNC = scaler_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE scaler_fit(float8[]) IS
    'Fits a standard scaler (mean, population std) on the feature arrays';
CREATE AGGREGATE scaler_fit(float8[], text) (
    SFUNC = scaler_fit_trans, STYPE = internal,
    FINALFUNC = scaler_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE scaler_fit(float8[], text) IS
    'Fits a scaler: method standard, minmax, robust or none';

CREATE FUNCTION seg_scale(segscaler, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_scale_scaler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_scale(segscaler, float8[]) IS
    'Scales a feature array: (x - center) / scale; NULL elements stay NULL';
CREATE FUNCTION seg_unscale(segscaler, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_unscale_scaler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_unscale(segscaler, float8[]) IS
    'Maps a scaled feature array back to original units: x * scale + center';
CREATE FUNCTION seg_scale(segmodel, float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'seg_scale_model' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_scale(segmodel, float8[]) IS
    'Scales a feature array with the model''s own scaler';
