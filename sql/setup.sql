-- Installs the extension and loads the sample customers every later test uses.
CREATE EXTENSION customer_seg;
\set ECHO none
\i data/load_mall.sql
\i data/load_wholesale.sql
\i data/load_marketing.sql
\set ECHO all
-- The checks SOURCES.md gives for each file.
SELECT count(*) AS n, count(*) FILTER (WHERE gender = 'Female') AS female,
       round(avg(age)::numeric, 2) AS age, round(avg(annual_income)::numeric, 2) AS income,
       round(avg(spending_score)::numeric, 2) AS score
FROM mall_customers;
SELECT count(*) AS n, count(*) FILTER (WHERE channel = 1) AS horeca,
       round(avg(fresh)::numeric, 2) AS fresh, round(avg(delicassen)::numeric, 2) AS delicassen
FROM wholesale_customers;
SELECT count(*) AS n, count(*) FILTER (WHERE income IS NULL) AS no_income,
       count(*) FILTER (WHERE response = 1) AS responded
FROM marketing_campaign;
-- Turns an error into a row: 'SQLSTATE: message', so tests show both without file/line noise.
CREATE FUNCTION public.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
