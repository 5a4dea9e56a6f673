-- Charts and a report, from SQL: standalone SVG documents (valid XML, a <title>, labelled
-- axes, a legend, the Okabe-Ito colour-blind-safe palette, no external resources, the same
-- bytes for the same input) and one self-contained HTML page per model.

CREATE FUNCTION seg_sweep_chart_trans(float8[], seg_sweep_row) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_sweep_chart_trans(float8[], seg_sweep_row) IS
    'Aggregate support: seg_sweep_chart transition (five numbers per sweep row)';
CREATE FUNCTION seg_sweep_chart_combine(float8[], float8[]) RETURNS float8[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN pg_catalog.array_cat($1, $2);
COMMENT ON FUNCTION seg_sweep_chart_combine(float8[], float8[]) IS
    'Aggregate support: seg_sweep_chart combine (concatenates the partial states)';
CREATE FUNCTION seg_sweep_chart_final(float8[]) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_sweep_chart_final(float8[]) IS
    'Aggregate support: seg_sweep_chart final';
CREATE AGGREGATE seg_sweep_chart(seg_sweep_row) (
    SFUNC = seg_sweep_chart_trans, STYPE = float8[],
    FINALFUNC = seg_sweep_chart_final,
    COMBINEFUNC = seg_sweep_chart_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_sweep_chart(seg_sweep_row) IS
    'SVG chart of a sweep: inertia and mean silhouette against k, the elbow (dashed line) and '
    'the best silhouette (ring) marked; NULL over no rows; each k at most once';

CREATE FUNCTION seg_silhouette_chart_trans(internal, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_silhouette_chart_trans(internal, segmodel, float8[]) IS
    'Aggregate support: seg_silhouette_chart transition';
CREATE FUNCTION seg_silhouette_chart_final(internal) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_silhouette_chart_final(internal) IS
    'Aggregate support: seg_silhouette_chart final';
CREATE AGGREGATE seg_silhouette_chart(model segmodel, features float8[]) (
    SFUNC = seg_silhouette_chart_trans, STYPE = internal,
    FINALFUNC = seg_silhouette_chart_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_silhouette_chart(segmodel, float8[]) IS
    'SVG silhouette plot of the rows scaled and labelled by the model: per segment the sorted '
    'silhouette values, a dashed line at the mean; above 5000 usable rows a seeded sample of '
    '5000 (seed 0) is scored; NULL (with a NOTICE) when fewer than 2 or more than n - 1 '
    'segments have rows, where the silhouette is undefined';

CREATE FUNCTION seg_profile_chart(model segmodel) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_profile_chart(segmodel) IS
    'SVG heat map of seg_profile: segments x features, coloured and labelled by z-score';

