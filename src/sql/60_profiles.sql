-- Describing segments in words.
CREATE FUNCTION seg_profile(model segmodel,
                            OUT cluster int, OUT feature text, OUT value float8,
                            OUT zscore float8, OUT level text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_profile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 30;
COMMENT ON FUNCTION seg_profile(segmodel) IS
    'Per cluster and feature: centroid in original units, its z-score against all training '
    'customers (0 for a constant feature) and a level: very low (z <= -1), low (<= -0.5), '
    'average (< 0.5), high (< 1), very high (>= 1); unnamed features are feature_1, ...';

CREATE FUNCTION seg_describe(model segmodel,
                             OUT cluster int, OUT size bigint, OUT share float8,
                             OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_describe' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION seg_describe(segmodel) IS
    'Per cluster: training size, share of the training rows and a one-line description '
    '"feature: level, ..." listing the most distinctive features first';
