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

CREATE FUNCTION seg_dendrogram_chart(model segmodel) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_dendrogram_chart(segmodel) IS
    'SVG dendrogram of a hierarchical model (seg_dendrogram''s merges): links coloured by '
    'segment, the cut dashed; above 30 clusters the last 30 are drawn, collapsed ones labelled '
    'with their rows';

CREATE FUNCTION seg_map_chart_trans(internal, segmodel, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_map_chart_trans(internal, segmodel, float8[]) IS
    'Aggregate support: seg_map_chart transition';
CREATE FUNCTION seg_map_chart_final(internal) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION seg_map_chart_final(internal) IS 'Aggregate support: seg_map_chart final';
CREATE AGGREGATE seg_map_chart(model segmodel, features float8[]) (
    SFUNC = seg_map_chart_trans, STYPE = internal,
    FINALFUNC = seg_map_chart_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = seg_rows_combine, SERIALFUNC = seg_rows_serialize,
    DESERIALFUNC = seg_rows_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE seg_map_chart(segmodel, float8[]) IS
    'SVG segment map: the rows on the model''s two principal components (seg_project), '
    'coloured by segment, centroids marked; above 4000 usable rows a seeded sample of 4000 '
    '(seed 0) is drawn, the legend counts every row';

CREATE FUNCTION seg_project(model segmodel, features float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_project(segmodel, float8[]) IS
    'The row''s coordinates on the model''s first two principal components (PCA of the scaled '
    'training rows, stored in the model; scikit-learn''s PCA up to the sign of each axis, '
    'oriented so that each axis''s largest loading is positive); NULL where seg_assign is NULL';

CREATE FUNCTION seg_report_page(model segmodel, source text, features text[],
                                silhouette_svg text, map_svg text) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION seg_report_page(segmodel, text, text[], text, text) IS
    'Internal to seg_report: the HTML page around charts made by seg_silhouette_chart and '
    'seg_map_chart (NULL: left out; anything else is refused)';

CREATE FUNCTION seg_report(model segmodel, source regclass, features text[]) RETURNS text
    LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    columns text;
    silhouette_svg text;
    map_svg text;
    by_numbers boolean;
    facts jsonb;
    misplaced text;
    source_rows bigint;
BEGIN
    -- Column names are quoted; the caller's rights apply to reading the source.
    columns := @extschema@.seg_feature_columns('seg_report', seg_report.source,
                                               seg_report.features);
    -- Columns named like the model's features but in another order would be read as other
    -- features: refused (names that are not the model's are taken as given).
    facts := seg_report.model::jsonb;
    WITH model_names AS (
        SELECT n.name, n.j
        FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(facts->'feature_names') = 'array'
                                            THEN facts->'feature_names' ELSE '[]' END)
             WITH ORDINALITY AS n(name, j))
    SELECT format('seg_report: column "%s" is given as feature %s, but the model has "%s" as feature %s',
                  f.name, f.i, f.name, n.j)
    INTO misplaced
    FROM unnest(seg_report.features) WITH ORDINALITY AS f(name, i)
    JOIN model_names n ON n.name = f.name AND n.j <> f.i
    WHERE NOT EXISTS (SELECT FROM model_names m WHERE m.j = f.i AND m.name = f.name)
    ORDER BY f.i, n.j LIMIT 1;
    IF misplaced IS NOT NULL THEN
        RAISE EXCEPTION '%', misplaced
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'List the columns in the model''s order: '
                         || (SELECT string_agg(n, ', ') FROM jsonb_array_elements_text(facts->'feature_names') n) || '.';
    END IF;
    -- The row charts need a kind that labels rows by their numbers alone (not k-prototypes);
    -- the map also needs the model's projection (stream-engine models have none).
    SELECT 'assign' = ANY(k.operations) INTO by_numbers
    FROM @extschema@.seg_kinds() AS k
    WHERE k.algorithm = facts->>'algorithm';
    IF NOT coalesce(by_numbers, false) THEN
        RETURN @extschema@.seg_report_page(seg_report.model, seg_report.source::text,
                                           seg_report.features, NULL, NULL);
    END IF;
    EXECUTE format('SELECT %s.seg_silhouette_chart($1, ARRAY[%s]), %s, count(*) FROM %s',
                   '@extschema@', columns,
                   CASE WHEN facts ? 'projection'
                        THEN format('%s.seg_map_chart($1, ARRAY[%s])', '@extschema@', columns)
                        ELSE 'NULL::text' END,
                   seg_report.source)
        INTO silhouette_svg, map_svg, source_rows
        USING seg_report.model;
    IF source_rows = 0 THEN
        -- The chart aggregates return NULL over no rows; say why the page has no row charts.
        RAISE NOTICE 'seg_report: % has no rows: the page has no silhouette plot and no segment map',
                     seg_report.source;
    END IF;
    RETURN @extschema@.seg_report_page(seg_report.model, seg_report.source::text,
                                       seg_report.features, silhouette_svg, map_svg);
END
$$;
COMMENT ON FUNCTION seg_report(segmodel, regclass, text[]) IS
    'One self-contained HTML page about the model on the named columns of a table or view '
    '(caller''s rights): segment sizes, profiles in words, the categorical modes '
    '(k-prototypes), the profile heat map, the '
    'silhouette plot and the segment map (kinds labelling rows by their numbers), the '
    'dendrogram (hierarchical models)';
