-- Demo: segment the mall customers on age, income and spending score.
CREATE EXTENSION customer_seg;
\i data/load_mall.sql

CREATE TABLE mall_segments AS
  SELECT kmeans_fit(ARRAY[age, annual_income, spending_score], 5,
                    '{"feature_names": ["age", "income", "score"]}') AS model
  FROM mall_customers;

CREATE TABLE mall_labelled AS
  SELECT c.*, seg_assign(s.model, ARRAY[c.age, c.annual_income, c.spending_score]) AS segment
  FROM mall_customers c, mall_segments s;

\echo
\echo 'Mall customers in 5 segments (k-means on standard-scaled age, income, spending score):'
SELECT segment,
       count(*)                                               AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1)     AS "share %",
       round(avg(age)::numeric, 1)                            AS "mean age",
       round(avg(annual_income)::numeric, 1)                  AS "mean income k$",
       round(avg(spending_score)::numeric, 1)                 AS "mean score"
FROM mall_labelled
GROUP BY segment
ORDER BY segment;

\echo 'The same segments in words (seg_describe: each centroid against all customers):'
SELECT cluster AS segment, description
FROM seg_describe((SELECT model FROM mall_segments))
ORDER BY cluster;

SELECT round(((model::jsonb)->>'inertia')::numeric, 3) AS inertia,
       (model::jsonb)->>'n_iter' AS iterations
FROM mall_segments;

-- The mall customers' report: one self-contained HTML page (scripts/demo.sh says where).
\pset tuples_only on
\pset format unaligned
\o build/mall_customers_report.html
SELECT seg_report((SELECT model FROM mall_segments), 'mall_customers',
                  ARRAY['age', 'annual_income', 'spending_score']);
\o
