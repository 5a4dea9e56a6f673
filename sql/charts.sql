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
-- Rows made by hand: a silhouette outside [-1, 1] was drawn off its panel (1e308 at
-- y="-inf"), a negative inertia below the axis; now refused, naming the k.
SELECT try(format($$SELECT seg_sweep_chart(ROW(k, i, s, NULL, NULL, false, false, NULL, NULL)::seg_sweep_row)
                    FROM (VALUES (2, %s::float8, %s::float8), (3, 5, 0.4)) v(k, i, s)$$, i, s))
FROM (VALUES ('1', '1e308'), ('1', '-2'), ('1', '''Infinity'''), ('-1', '0.5'), ('''Infinity''', '0.5'),
             ('NULL', 'NULL')) v(i, s);
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
-- (Serial: under a parallel plan the combine step meets the two models first and says so in
-- its own words, "k and the options must be the same on every row of a group".)
SET max_parallel_workers_per_gather = 0;
SELECT try($$SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[])
             FROM mall_customers,
                  (SELECT m FROM chart_model
                   UNION ALL SELECT kmeans_fit(ARRAY[age, annual_income, spending_score]::float8[], 2)
                             FROM mall_customers) ms$$);
RESET max_parallel_workers_per_gather;

-- seg_project: the stored projection; each axis has the variance the model records, the
-- axes are uncorrelated and centred (scikit-learn agreement: test_project_vs_sklearn.py).
SELECT abs(avg(p[1])) < 1e-12 AS centred_1, abs(avg(p[2])) < 1e-12 AS centred_2,
       abs(var_samp(p[1]) / (pj->'variance'->>0)::float8 - 1) < 1e-9 AS variance_1,
       abs(var_samp(p[2]) / (pj->'variance'->>1)::float8 - 1) < 1e-9 AS variance_2,
       abs(corr(p[1], p[2])) < 1e-9 AS uncorrelated,
       round((pj->'variance_ratio'->>0)::numeric, 4) AS ratio_1,
       round((pj->'variance_ratio'->>1)::numeric, 4) AS ratio_2
FROM (SELECT seg_project(m, ARRAY[age, annual_income, spending_score]::float8[]) AS p,
             (m::jsonb)->'projection' AS pj
      FROM mall_customers, chart_model) q
GROUP BY pj;
SELECT jsonb_object_keys((m::jsonb)->'projection') AS projection_keys FROM chart_model;
SELECT seg_project(m, NULL) IS NULL AS null_row, seg_project(NULL, ARRAY[1, 2, 3]::float8[]) IS NULL
       AS null_model, seg_project(m, ARRAY[1, NULL, 3]::float8[]) IS NULL AS null_element,
       seg_project(m, ARRAY[1, 'Infinity', 3]::float8[]) IS NULL AS infinite
FROM chart_model;
SELECT try($$SELECT seg_project(m, ARRAY[1, 2]::float8[]) FROM chart_model$$);
SELECT try($$SELECT seg_project(((m::jsonb) - 'projection')::text::segmodel,
                                ARRAY[1, 2, 3]::float8[]) FROM chart_model$$);
SELECT try($$SELECT seg_project(jsonb_set(m::jsonb, '{projection,mean}', '[0, 0]')::text::segmodel,
                                ARRAY[1, 2, 3]::float8[]) FROM chart_model$$);
-- The text form keeps the projection exactly (binary: sql/types.sql copies fitted models).
SELECT m::text::segmodel::text = m::text AS text_round_trip,
       (m::text::segmodel::jsonb)->'projection' = (m::jsonb)->'projection' AS same_projection
FROM chart_model;

-- The map: a circle per row, a marked centroid per segment, axes with the variance shares.
SELECT xml_is_well_formed_document(c) AS well_formed,
       pg_temp.marks(c, '//s:g[@class="points"]/s:circle') AS points,
       pg_temp.marks(c, '//s:circle[@class="centroid"]') AS centroids,
       pg_temp.marks(c, '//s:text[@class="axis-title x"]') AS x_title,
       (xpath('//s:text[@class="axis-title y"]/text()', c::xml,
              ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text AS y_title,
       pg_temp.marks(c, '//s:g[@class="legend"]') AS legends
FROM (SELECT seg_map_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS c FROM mall_customers, chart_model) q;
SELECT seg_map_chart(m, NULL) IS NULL AS null_rows FROM chart_model;
SELECT try($$SELECT seg_map_chart(((m::jsonb) - 'projection')::text::segmodel, ARRAY[age, annual_income, spending_score]::float8[])
             FROM mall_customers, chart_model$$);
-- Large tables are sampled (seeded): 10,000 rows draw 4,000 points, score 5,000 silhouettes.
CREATE TABLE chart_big AS
SELECT age + 0.01 * i AS age, annual_income, spending_score
FROM mall_customers, generate_series(1, 50) AS i;
SELECT pg_temp.marks(c, '//s:g[@class="points"]/s:circle') AS points,
       c LIKE '%a seeded sample of 4,000 of 10,000 rows%' AS subtitle,
       c LIKE '%segment 0: %' AS legend
FROM (SELECT seg_map_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS c FROM chart_big, chart_model) q;
SELECT (SELECT sum(v::int) FROM unnest(xpath('//s:path[@class="cluster"]/@data-rows', c::xml,
               ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])::text[]) v) AS scored,
       c LIKE '%a seeded sample of 5,000 of 10,000 rows%' AS subtitle
FROM (SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS c FROM chart_big, chart_model) q;

-- The report: one HTML page, escaped names, every chart inline, nothing external.
CREATE TABLE "<b>hostile</b>" AS
SELECT age AS "<script>alert(1)</script>", annual_income, spending_score FROM mall_customers;
SELECT r LIKE '<!DOCTYPE html>%' AS html,
       (SELECT count(*) FROM regexp_matches(r, '<svg ', 'g')) AS charts,
       position('<script' IN r) AS raw_script,
       position('&lt;script&gt;alert(1)&lt;/script&gt;' IN r) > 0 AS name_as_text,
       position('&lt;b&gt;hostile&lt;/b&gt;' IN r) > 0 AS table_as_text,
       r ~ '(src|href)=' AS external,
       (SELECT count(*) FROM seg_describe(m) d
        WHERE position('<td>' || d.description || '</td>' IN r) > 0) AS described
FROM (SELECT m, seg_report(m, '"<b>hostile</b>"',
                           ARRAY['<script>alert(1)</script>', 'annual_income', 'spending_score'])
                AS r
      FROM chart_model) q;
-- Only the charts that apply: without a projection no map; k-prototypes (rows need their
-- categories) neither silhouette nor map.
SELECT (SELECT count(*) FROM regexp_matches(r, '<svg ', 'g')) AS charts,
       r LIKE '%seg_silhouette_chart%' AS silhouette, r LIKE '%seg_map_chart%' AS map
FROM (SELECT seg_report(((m::jsonb) - 'projection')::text::segmodel, 'mall_customers',
                        ARRAY['age', 'annual_income', 'spending_score']) AS r
      FROM chart_model) q;
SELECT (SELECT count(*) FROM regexp_matches(r, '<svg ', 'g')) AS charts,
       r LIKE '%seg_silhouette_chart%' AS silhouette, r LIKE '%seg_map_chart%' AS map
FROM (SELECT seg_report(kprototypes_fit(ARRAY[age, annual_income, spending_score]::float8[],
                                        ARRAY[gender], 3),
                        'mall_customers', ARRAY['age', 'annual_income', 'spending_score', 'gender'])
             AS r
      FROM mall_customers) q;
-- A k-prototypes page lists every segment's categorical modes with their shares, as
-- seg_modes gives them (segment, mode, share in % to one decimal).
CREATE TEMP TABLE chart_kp AS
SELECT kprototypes_fit(ARRAY[age, annual_income]::float8[], ARRAY[gender, CASE WHEN age < 35
                       THEN 'young' ELSE 'older' END], 3,
                       '{"categorical_names": ["gender", "<age band>"]}') AS m
FROM mall_customers;
SELECT r LIKE '%<h2>Categories</h2>%<th>gender</th><th>&lt;age band&gt;</th>%' AS modes_table,
       (SELECT array_agg(x[1] || ' ' || x[2] || ' ' || x[3] ORDER BY x[1], x[2])
        FROM regexp_matches(r, '<tr><td>([0-9]+)</td>(?:<td>([^<]+) \(([0-9.]+) %\)</td>)', 'g') x)
           AS first_attribute,
       (SELECT array_agg(cluster || ' ' || mode || ' ' || round(100 * share::numeric, 1)
                         ORDER BY cluster)
        FROM seg_modes(m) WHERE feature = 'gender') AS seg_modes
FROM (SELECT m, seg_report(m, 'mall_customers', ARRAY['age', 'annual_income']) AS r
      FROM chart_kp) q;
SELECT unnest(string_to_array(substring(r FROM '<table class="modes">.*?</table>'), E'\n'))
           AS modes_html
FROM (SELECT seg_report(m, 'mall_customers', ARRAY['age', 'annual_income']) AS r
      FROM chart_kp) q;
-- An empty source: the page without the row charts, and a NOTICE says why.
CREATE TABLE chart_empty (age int, annual_income numeric, spending_score int);
SELECT (SELECT count(*) FROM regexp_matches(r, '<svg ', 'g')) AS charts
FROM (SELECT seg_report(m, 'chart_empty', ARRAY['age', 'annual_income', 'spending_score']) AS r
      FROM chart_model) q;
DROP TABLE chart_empty;
-- A model whose feature names repeat (an explicit "feature_names" option): a column in its
-- own place is not taken as misplaced.
SELECT seg_report(kmeans_fit(ARRAY[age, annual_income, spending_score]::float8[], 3,
                             '{"feature_names": ["age", "age", "spending_score"]}'),
                  'mall_customers', ARRAY['age', 'annual_income', 'spending_score'])
       LIKE '%<svg%' AS repeated_names
FROM mall_customers;
SELECT seg_report(NULL, 'mall_customers', ARRAY['age']) IS NULL AS null_model;
SELECT try($$SELECT seg_report(m, 'mall_customers', ARRAY[]::text[]) FROM chart_model$$);
SELECT try($$SELECT seg_report(m, 'mall_customers', ARRAY['age', 'nope', 'x']) FROM chart_model$$);
SELECT try($$SELECT seg_report_page(m, 't', ARRAY['a'], '<script>alert(1)</script>', NULL)
             FROM chart_model$$);
-- ... nor markup that merely starts like one: a script, an event handler, a redirect or a
-- link after the <svg> prologue went into the page as it was (the prologue was all that was
-- checked); only the elements and attributes the chart functions write pass.
SELECT try(format($$SELECT seg_report_page(m, 't', ARRAY['a'], %L, NULL) FROM chart_model$$, svg))
FROM (VALUES ('<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg><script>alert(1)</script>'),
             ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
             ('<svg xmlns="http://www.w3.org/2000/svg" ><foreignObject><meta http-equiv="refresh" content="0;url=https://evil.example"/></foreignObject></svg>'),
             ('<svg xmlns="http://www.w3.org/2000/svg" ><a href="https://evil.example"><text>open</text></a></svg>'),
             ('<svg xmlns="http://www.w3.org/2000/svg" ><rect fill="url(https://evil.example/t.svg)"/></svg>'),
             ('<svg xmlns="http://www.w3.org/2000/svg" ><text>]]></text></svg>')) v(svg);
SELECT try(format($$SELECT seg_report_page(m, 't', ARRAY['a'], NULL, %L) FROM chart_model$$,
                  '<svg xmlns="http://www.w3.org/2000/svg" ><!-- --><script>alert(1)</script></svg>'));

-- The dendrogram chart of a hierarchical model: 200 leaves, the last 30 clusters drawn (29
-- links), each collapsed leaf labelled with its rows, the cut dashed, segments in the legend.
CREATE TABLE chart_tree AS
SELECT hclust_fit(ARRAY[age, annual_income, spending_score]::float8[], 5) AS m
FROM mall_customers;
SELECT xml_is_well_formed_document(c) AS well_formed,
       (xpath('/s:svg/s:title/text()', c::xml,
              ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text AS title,
       pg_temp.marks(c, '//s:path[@class="link"]') AS links,
       pg_temp.marks(c, '//s:circle[@class="leaf"]') AS leaves,
       (SELECT sum(replace(trim(both '()' from v), ',', '')::int)
        FROM unnest(xpath('//s:text[@class="leaf-label"]/text()', c::xml,
                          ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])::text[]) v) AS rows,
       pg_temp.marks(c, '//s:line[@class="cut"]') AS cut,
       pg_temp.marks(c, '//s:text[@class="axis-title y"]') AS y_title,
       pg_temp.marks(c, '//s:g[@class="legend"]') AS legends,
       c = seg_dendrogram_chart(m) AS same_bytes
FROM (SELECT m, seg_dendrogram_chart(m) AS c FROM chart_tree) q;
-- The legend's segments are the model's, with its sizes.
SELECT count(*) AS segments_matching
FROM chart_tree, jsonb_array_elements_text((m::jsonb)->'sizes') WITH ORDINALITY AS z(size, i)
WHERE seg_dendrogram_chart(m) LIKE '%segment ' || (z.i - 1) || ': ' || z.size || ' rows%';
-- A small tree shows every leaf; one leaf (k = 1) still draws.
SELECT pg_temp.marks(c, '//s:circle[@class="leaf"]') AS leaves,
       pg_temp.marks(c, '//s:path[@class="link"]') AS links
FROM (SELECT seg_dendrogram_chart(hclust_fit(ARRAY[age, annual_income]::float8[], 3)) AS c
      FROM (SELECT * FROM mall_customers ORDER BY customer_id LIMIT 12) s) q;
SELECT pg_temp.marks(seg_dendrogram_chart(hclust_fit(ARRAY[1, 2]::float8[], 1)),
                     '//s:circle[@class="leaf"]') AS one_leaf;
SELECT seg_dendrogram_chart(NULL) IS NULL AS null_model;
SELECT try($$SELECT seg_dendrogram_chart(m) FROM chart_model$$);
SELECT try($$SELECT seg_dendrogram_chart(jsonb_set(m::jsonb, '{merge_height,0}', '-1')::text::segmodel)
             FROM chart_tree$$);
-- The report of a hierarchical model adds its tree.
SELECT (SELECT count(*) FROM regexp_matches(r, '<svg ', 'g')) AS charts,
       r LIKE '%seg_dendrogram_chart%' AS tree
FROM (SELECT seg_report(m, 'mall_customers', ARRAY['age', 'annual_income', 'spending_score'])
             AS r FROM chart_tree) q;

-- Parallel plans give the same bytes.
SELECT seg_sweep_chart(r) AS sweep_chart FROM chart_sweep \gset
SELECT seg_silhouette_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS sil_chart,
       seg_map_chart(m, ARRAY[age, annual_income, spending_score]::float8[]) AS map_chart
FROM chart_big, chart_model \gset
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT seg_sweep_chart(r) FROM chart_sweep;
EXPLAIN (COSTS OFF)
SELECT seg_silhouette_chart((SELECT m FROM chart_model), ARRAY[age, annual_income]::float8[])
FROM mall_customers;
SELECT seg_sweep_chart(r) = :'sweep_chart' AS sweep_same FROM chart_sweep;
EXPLAIN (COSTS OFF)
SELECT seg_map_chart((SELECT m FROM chart_model), ARRAY[age, annual_income]::float8[])
FROM chart_big;
SELECT seg_silhouette_chart((SELECT m FROM chart_model),
                            ARRAY[age, annual_income, spending_score]::float8[])
       = :'sil_chart' AS silhouette_same,
       seg_map_chart((SELECT m FROM chart_model),
                     ARRAY[age, annual_income, spending_score]::float8[])
       = :'map_chart' AS map_same
FROM chart_big;
RESET ALL;
DROP TABLE chart_sweep, chart_model, chart_hostile, chart_big, chart_tree, "<b>hostile</b>";
