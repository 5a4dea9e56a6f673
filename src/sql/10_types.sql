-- Types
CREATE TYPE segscaler;

CREATE FUNCTION segscaler_in(cstring) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_out(segscaler) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_recv(internal) RETURNS segscaler
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segscaler_send(segscaler) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE segscaler (
    INPUT = segscaler_in, OUTPUT = segscaler_out,
    RECEIVE = segscaler_recv, SEND = segscaler_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended
);
COMMENT ON FUNCTION segscaler_in(cstring) IS 'segscaler text input: validated JSON';
COMMENT ON FUNCTION segscaler_out(segscaler) IS 'segscaler text output: JSON';
COMMENT ON FUNCTION segscaler_recv(internal) IS 'segscaler binary input, validated like text';
COMMENT ON FUNCTION segscaler_send(segscaler) IS 'segscaler binary output';
COMMENT ON TYPE segscaler IS
    'A fitted feature scaler: method plus per-feature center and scale; text form is JSON';

CREATE TYPE segmodel;

CREATE FUNCTION segmodel_in(cstring) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_out(segmodel) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_recv(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION segmodel_send(segmodel) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE segmodel (
    INPUT = segmodel_in, OUTPUT = segmodel_out,
    RECEIVE = segmodel_recv, SEND = segmodel_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended
);
COMMENT ON FUNCTION segmodel_in(cstring) IS 'segmodel text input: validated JSON';
COMMENT ON FUNCTION segmodel_out(segmodel) IS 'segmodel text output: JSON, shortest round-trip floats';
COMMENT ON FUNCTION segmodel_recv(internal) IS 'segmodel binary input, validated like text';
COMMENT ON FUNCTION segmodel_send(segmodel) IS 'segmodel binary output';
COMMENT ON TYPE segmodel IS
    'A fitted segmentation model: scaler, centroids in scaled space, feature names, '
    'training statistics and options; text form is JSON';

-- JSON views of both types, e.g. (m::jsonb)->>'inertia', and back.
CREATE CAST (segmodel AS jsonb) WITH INOUT;
CREATE CAST (jsonb AS segmodel) WITH INOUT;
CREATE CAST (segscaler AS jsonb) WITH INOUT;
CREATE CAST (jsonb AS segscaler) WITH INOUT;
