-- Charts and the report: SVG structure checked through PostgreSQL's XML parser and XPath,
-- escaping of user text, same bytes for the same input, NULL/empty/malformed input, parallel
-- plans.
CREATE TABLE chart_sweep AS
SELECT s AS r
FROM seg_sweep('mall_customers', ARRAY['age', 'annual_income', 'spending_score'], 1, 8) s;
CREATE TABLE chart_model AS
SELECT kmeans_fit(ARRAY[age, annual_income, spending_score]::float8[], 5,
                  '{"feature_names": ["age", "income", "score"]}') AS m
FROM mall_customers;
-- Counts XPath matches in an SVG document.
CREATE FUNCTION pg_temp.marks(svg text, path text) RETURNS int LANGUAGE sql AS $$
    SELECT (xpath('count(' || path || ')', svg::xml,
                  ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::int
$$;

-- The sweep chart: well-formed, a title, axis titles, a point per k, elbow and best marked.
SELECT xml_is_well_formed_document(c) AS well_formed,
       (xpath('/s:svg/s:title/text()', c::xml,
              ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text AS title,
       pg_temp.marks(c, '//s:circle[@class="point inertia"]') AS inertia_points,
       pg_temp.marks(c, '//s:rect[@class="point silhouette"]') AS silhouette_points,
       pg_temp.marks(c, '//s:line[@class="elbow"][@data-k="4"]') AS elbow_lines,
       pg_temp.marks(c, '//s:circle[@class="best"][@data-k="6"]') AS best_ring,
       pg_temp.marks(c, '//s:text[@class="axis-title x"]') AS x_titles,
       pg_temp.marks(c, '//s:g[@class="legend"]') AS legends,
       c LIKE '%href%' AS links
FROM (SELECT seg_sweep_chart(r) AS c FROM chart_sweep) q;
-- Same bytes whatever the row order.
SELECT (SELECT seg_sweep_chart(r ORDER BY (r).k) FROM chart_sweep)
     = (SELECT seg_sweep_chart(r ORDER BY (r).k DESC) FROM chart_sweep) AS same_bytes;
-- No rows, NULL rows: NULL. A k twice is an error.
SELECT seg_sweep_chart(r) IS NULL AS no_rows FROM chart_sweep WHERE false;
SELECT seg_sweep_chart(NULL::seg_sweep_row) IS NULL AS null_row;
SELECT try($$SELECT seg_sweep_chart(r) FROM (SELECT r FROM chart_sweep
                                           UNION ALL SELECT r FROM chart_sweep) s$$);
SELECT try($$SELECT seg_sweep_chart(jsonb_populate_record(NULL::seg_sweep_row,
                                                          '{"inertia": 1}'))$$);
SELECT try($$SELECT seg_sweep_chart(jsonb_populate_record(NULL::seg_sweep_row,
                                                          '{"k": 0, "inertia": 1}'))$$);
-- Rows without silhouettes (k = 1) or elbow flags still draw.
SELECT xml_is_well_formed_document(c) AS well_formed,
       pg_temp.marks(c, '//s:circle[@class="point inertia"]') AS inertia_points,
       pg_temp.marks(c, '//s:rect[@class="point silhouette"]') AS silhouette_points
FROM (SELECT seg_sweep_chart(jsonb_populate_record(NULL::seg_sweep_row,
                                                   '{"k": 1, "inertia": 600}')) AS c) q;

-- The profile chart: one cell per segment and feature, names escaped.
SELECT xml_is_well_formed_document(c) AS well_formed,
       pg_temp.marks(c, '//s:rect[@class="cell"]') AS cells,
       pg_temp.marks(c, '//s:text[@class="feature-label"]') AS feature_labels,
       pg_temp.marks(c, '//s:g[@class="legend"]') AS legends
FROM (SELECT seg_profile_chart(m) AS c FROM chart_model) q;
SELECT seg_profile_chart(NULL) IS NULL AS null_model;
SELECT try($$SELECT seg_profile_chart('{"algorithm":"kmeans"}'::segmodel)$$);
-- A feature named like an attack shows as text: no element, the text intact.
CREATE TABLE chart_hostile AS
SELECT kmeans_fit(ARRAY[age, annual_income]::float8[], 2,
                  '{"feature_names": ["<script>alert(1)</script>", "a & b \"c\""]}') AS m
FROM mall_customers;
SELECT xml_is_well_formed_document(c) AS well_formed,
       pg_temp.marks(c, '//s:script') + pg_temp.marks(c, '//script') AS script_elements,
       pg_temp.marks(c, '//s:text[text()="<script>alert(1)</script>"]') AS shown_as_text,
       pg_temp.marks(c, '//s:text[text()=''a & b "c"'']') AS second_name,
       position('<script' IN c) AS raw_script
FROM (SELECT seg_profile_chart(m) AS c FROM chart_hostile) q;

-- The silhouette chart: one path per segment with its rows, the mean line; = silhouette().
SELECT xml_is_well_formed_document(c) AS well_formed,
       pg_temp.marks(c, '//s:path[@class="cluster"]') AS segments,
       (SELECT sum(v::int) FROM unnest(xpath('//s:path[@class="cluster"]/@data-rows', c::xml,
               ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])::text[]) v) AS rows,
       pg_temp.marks(c, '//s:line[@class="mean"]') AS mean_line,
       c LIKE '%mean silhouette ' || round(s::numeric, 3) || '%' AS mean_is_silhouette
FROM (SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS c,
             silhouette(m, ARRAY[age, annual_income, spending_score]::float8[]) AS s
      FROM mall_customers, chart_model) q;
SELECT seg_silhouette_chart(m, x) IS NULL AS no_rows
FROM chart_model, (SELECT ARRAY[1, 2, 3]::float8[] AS x WHERE false) r;
SELECT seg_silhouette_chart(m, NULL) IS NULL AS null_rows FROM chart_model;
SELECT seg_silhouette_chart(m, ARRAY[1, 'NaN', 3]::float8[]) IS NULL AS nan_row FROM chart_model;
-- One segment: the silhouette is undefined, so no chart (a NOTICE says why).
SELECT seg_silhouette_chart(m1, ARRAY[age, annual_income, spending_score]::float8[])
       IS NULL AS one_segment
FROM mall_customers,
     (SELECT kmeans_fit(ARRAY[age, annual_income, spending_score]::float8[], 1) AS m1
      FROM mall_customers) s;
SELECT try($$SELECT seg_silhouette_chart(m, ARRAY[1, 2]::float8[]) FROM chart_model$$);
SELECT try($$SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[])
             FROM mall_customers,
                  (SELECT m FROM chart_model
                   UNION ALL SELECT kmeans_fit(ARRAY[age, annual_income, spending_score]::float8[], 2)
                             FROM mall_customers) ms$$);

-- Parallel plans give the same bytes.
SELECT seg_sweep_chart(r) AS sweep_chart FROM chart_sweep \gset
SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS sil_chart
FROM mall_customers, chart_model \gset
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT seg_sweep_chart(r) FROM chart_sweep;
EXPLAIN (COSTS OFF)
SELECT seg_silhouette_chart((SELECT m FROM chart_model), ARRAY[age, annual_income]::float8[])
FROM mall_customers;
SELECT seg_sweep_chart(r) = :'sweep_chart' AS sweep_same FROM chart_sweep;
SELECT seg_silhouette_chart((SELECT m FROM chart_model),
                            ARRAY[age, annual_income, spending_score]::float8[])
       = :'sil_chart' AS silhouette_same
FROM mall_customers;
RESET ALL;
DROP TABLE chart_sweep, chart_model, chart_hostile;
