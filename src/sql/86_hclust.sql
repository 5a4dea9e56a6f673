-- Hierarchical clustering
CREATE FUNCTION hclust_fit_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION hclust_fit_trans(internal, float8[], int) IS
    'Aggregate support: hclust_fit transition';
CREATE FUNCTION hclust_fit_trans(internal, float8[], int, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION hclust_fit_trans(internal, float8[], int, jsonb) IS
    'Aggregate support: hclust_fit transition with options';
CREATE FUNCTION hclust_fit_final(internal) RETURNS segmodel
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION hclust_fit_final(internal) IS 'Aggregate support: hclust_fit final';

CREATE AGGREGATE hclust_fit(float8[], int) (
    SFUNC = hclust_fit_trans, STYPE = internal,
    FINALFUNC = hclust_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE hclust_fit(float8[], int) IS
    'Fits a hierarchical (Ward) segmentation model with default options';
CREATE AGGREGATE hclust_fit(float8[], int, jsonb) (
    SFUNC = hclust_fit_trans, STYPE = internal,
    FINALFUNC = hclust_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE hclust_fit(float8[], int, jsonb) IS
    'Fits a hierarchical segmentation model; options: linkage (ward, complete, average, '
    'single), max_leaves, seed, scale, missing, feature_names';

CREATE FUNCTION seg_dendrogram(model segmodel, OUT step int, OUT left_node int,
                               OUT right_node int, OUT height float8, OUT size bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'seg_dendrogram' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 200;
COMMENT ON FUNCTION seg_dendrogram(segmodel) IS
    'The merges of a hierarchical model in scipy''s linkage convention: leaves 0 .. L-1, the '
    'node made at step s is L + s, height the merge distance, size the rows under the node';
CREATE FUNCTION seg_cut(segmodel, int) RETURNS segmodel
    AS 'MODULE_PATHNAME', 'seg_cut' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_cut(segmodel, int) IS
    'The same hierarchical tree cut into k clusters (scipy''s fcluster maxclust)';
