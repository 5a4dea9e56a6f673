-- Stable segment numbers across retraining
CREATE FUNCTION seg_align(model segmodel, reference segmodel) RETURNS segmodel
    AS 'MODULE_PATHNAME', 'seg_align' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_align(segmodel, segmodel) IS
    'The model with its clusters renumbered to match the reference''s (Hungarian matching of '
    'squared centroid distances in the reference''s scaled space); same features required, '
    'k may differ';
