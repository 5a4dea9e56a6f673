-- seg_rfm and seg_rfm_segment: RFM features from order lines, on a hand-made table with
-- known answers and on the first 20,000 lines of the online retail data.
SET TimeZone = 'UTC';

-- The segment grid: rows R 5..1, columns F 1..5.
SELECT r, string_agg(seg_rfm_segment(r, f), ' | ' ORDER BY f) AS "F = 1 | 2 | 3 | 4 | 5"
FROM generate_series(1, 5) AS r, generate_series(1, 5) AS f GROUP BY r ORDER BY r DESC;
SELECT seg_rfm_segment(0, 3) AS r0, seg_rfm_segment(3, 6) AS f6, seg_rfm_segment(NULL, 1) AS n;

-- Hand-made order lines; names that need quoting on purpose.
CREATE SCHEMA "Shop Data";
CREATE TABLE "Shop Data"."Order Lines" (
    "Customer" text, "Ordered At" timestamptz, "Net Amount" numeric, "Order No" text
);
INSERT INTO "Shop Data"."Order Lines" VALUES
    -- alice: orders A1 (100), A2 (50), A3 (25 - 5 = 20) and a cancellation CA (-30):
    -- 3 orders, last at Jan 30 10:00 -> 0 days before Jan 31, net 140.
    ('alice', '2024-01-30 10:00', 100, 'A1'), ('alice', '2024-01-20 09:00', 50, 'A2'),
    ('alice', '2024-01-10 09:00', 25, 'A3'), ('alice', '2024-01-10 09:00', -5, 'A3'),
    ('alice', '2024-01-30 12:00', -30, 'CA'),
    -- bob: 2 orders, last Dec 15 -> 47 days, net 800.
    ('bob', '2023-12-01 12:00', 500, 'B1'), ('bob', '2023-12-15 00:00', 300, 'B2'),
    -- carol: 1 order by Jan 25 (6 days), net 10; her February order is after as_of.
    ('carol', '2024-01-25 00:00', 10, 'C1'), ('carol', '2024-02-05 00:00', 1000, 'C2'),
    -- dave: two orders on Jun 1 and one on Nov 1 09:00 (90 days 15 hours -> 90), a return
    -- R1 (-60): 3 orders, net 100; counted by days: Jun 1 and Nov 1 (Jan 15 nets -60) = 2.
    ('dave', '2023-06-01 09:00', 70, 'D1'), ('dave', '2023-06-01 15:00', 30, 'D2'),
    ('dave', '2023-11-01 09:00', 60, 'D3'), ('dave', '2024-01-15 09:00', -60, 'R1'),
    -- erin: 3 orders, the last on Jan 29 20:00 (28 hours -> 1 day), net 500; 2 days.
    ('erin', '2024-01-28 08:00', 200, 'E1'), ('erin', '2024-01-29 08:00', 200, 'E2'),
    ('erin', '2024-01-29 20:00', 100, 'E3'),
    -- frank only cancelled, greg's one order nets 0, one line has no customer: all left out.
    ('frank', '2024-01-05 00:00', -20, 'F1'), ('greg', '2024-01-06 00:00', 0, 'G1'),
    (NULL, '2024-01-07 00:00', 99, 'X1'),
    -- lines without a date or order number are left out; a NULL amount counts as 0.
    ('bob', NULL, 1000, 'B3'), ('bob', '2023-12-15 00:00', NULL, 'B2');

-- Expected: recency alice 0, erin 1, carol 6, bob 47, dave 90 -> R 5, 4, 3, 2, 1;
-- frequency carol 1, bob 2, alice = dave = erin 3 (ties by name) -> F carol 1, bob 2,
-- alice 3, dave 4, erin 5; monetary carol 10, dave 100, alice 140, erin 500, bob 800.
SELECT * FROM seg_rfm('"Shop Data"."Order Lines"', 'Customer', 'Ordered At', 'Net Amount',
                      '2024-01-31 00:00+00', 'Order No');
-- Without an order column an order is a customer's day with a positive net amount.
SELECT customer, recency_days, frequency, monetary
FROM seg_rfm('"Shop Data"."Order Lines"', 'Customer', 'Ordered At', 'Net Amount',
             '2024-01-31 00:00+00');
-- as_of moves the window: on Jan 1 alice, carol and erin had not bought yet.
SELECT customer, recency_days, frequency, monetary, segment
FROM seg_rfm('"Shop Data"."Order Lines"', 'Customer', 'Ordered At', 'Net Amount',
             '2024-01-01 00:00+00', 'Order No');
-- An empty table gives no rows.
CREATE TEMP TABLE no_orders (c int, d date, a float8);
SELECT count(*) AS customers FROM seg_rfm('no_orders', 'c', 'd', 'a', now());
-- Other column types: int customer ids, date columns, float8 amounts.
INSERT INTO no_orders VALUES (7, '2024-01-01', 9.5), (7, '2024-01-03', 0.5), (8, '2024-01-02', 3);
SELECT customer, recency_days, frequency, monetary
FROM seg_rfm('no_orders', 'c', 'd', 'a', '2024-01-10 00:00+00');

-- Days on the session's calendar and clock. A date two days before as_of is 2 days old in
-- every TimeZone, also across the start of summer time (London, 2011-03-27: the two days
-- last 47 hours) and where a day starts at 01:00 (Sao Paulo, 2018-11-04); a timestamptz is
-- read on the session's clock (47 hours of wall-clock 2 days are 2 days). Before, every date
-- was an instant in the session's TimeZone and 47 hours gave 1 day.
CREATE TEMP TABLE dst_orders (c text, d date, ts timestamp, tstz timestamptz, a int);
INSERT INTO dst_orders VALUES
    ('london', '2011-03-26', '2011-03-26 12:00', '2011-03-26 12:00+00', 1),
    ('sao_paulo', '2018-11-04', '2018-11-04 00:00', '2018-11-04 00:00-02', 1);
SET TimeZone = 'Europe/London';
SELECT customer, recency_days, frequency
FROM seg_rfm('dst_orders', 'c', 'd', 'a', '2011-03-28') WHERE customer = 'london'
UNION ALL SELECT customer || ' (timestamp)', recency_days, frequency
FROM seg_rfm('dst_orders', 'c', 'ts', 'a', '2011-03-28 12:00') WHERE customer = 'london'
UNION ALL SELECT customer || ' (timestamptz)', recency_days, frequency
FROM seg_rfm('dst_orders', 'c', 'tstz', 'a', '2011-03-28 12:00') WHERE customer = 'london';
SET TimeZone = 'America/Sao_Paulo';
SELECT customer, recency_days, frequency
FROM seg_rfm('dst_orders', 'c', 'd', 'a', '2018-11-06') WHERE customer = 'sao_paulo'
UNION ALL SELECT customer || ' (timestamp)', recency_days, frequency
FROM seg_rfm('dst_orders', 'c', 'ts', 'a', '2018-11-06') WHERE customer = 'sao_paulo';
-- A date column gives the same answer in every TimeZone (as_of a date, read in each zone).
CREATE TEMP TABLE zone_answers (tz text, answer text);
DO $$
DECLARE
    tz text;
BEGIN
    FOREACH tz IN ARRAY ARRAY['UTC', 'Europe/London', 'America/Sao_Paulo', 'Pacific/Kiritimati',
                              'Pacific/Pago_Pago', 'Asia/Kolkata'] LOOP
        PERFORM set_config('TimeZone', tz, true);
        EXECUTE $q$INSERT INTO zone_answers
                   SELECT $1, array_agg(row(customer, recency_days, frequency) ORDER BY customer)
                   FROM seg_rfm('dst_orders', 'c', 'd', 'a', date '2018-11-06')$q$ USING tz;
    END LOOP;
END
$$;
SELECT count(*) AS zones, count(DISTINCT answer) AS answers, min(answer) AS answer
FROM zone_answers;
SET TimeZone = 'UTC';
-- Dates far apart: recency is whole calendar days, without an interval (PostgreSQL 15's
-- timestamp subtraction wraps around beyond 292,000 years: this gave -104300494 days).
CREATE TEMP TABLE far_orders (c text, t timestamp, a int);
INSERT INTO far_orders VALUES ('bc', '4713-01-01 00:00 BC', 1), ('noon', '1800-06-02 12:00', 1);
SELECT customer, recency_days,
       recency_days = '294276-12-31'::date - CASE customer WHEN 'bc' THEN '4713-01-01 BC'::date
                                                         ELSE '1800-06-02'::date + 1 END
           AS whole_days
FROM seg_rfm('far_orders', 'c', 't', 'a', '294276-12-31 00:00');

-- Customers and orders are told apart and ordered byte for byte (the C collation's), whatever
-- the column's collation: under a case-insensitive collation 'A1' and 'a1' stay two
-- customers, invoices 'x1' and 'X1' two orders, and the ties of the scores split in byte
-- order ('B2' before 'a10'), as in a database whose collation is C. Before, the customers
-- merged into one (spelled either way) and the ties followed the column's collation.
CREATE COLLATION rfm_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TEMP TABLE ci_orders (c text COLLATE rfm_ci, inv text COLLATE rfm_ci, d date, a int);
INSERT INTO ci_orders VALUES ('A1', 'x1', '2024-01-01', 10), ('a1', 'X1', '2024-01-02', 10),
    ('a1', 'x1', '2024-01-02', 5), ('b1', 'y', '2024-01-01', 5);
SELECT customer, recency_days, frequency, monetary
FROM seg_rfm('ci_orders', 'c', 'd', 'a', '2024-02-01', 'inv');
CREATE TEMP TABLE icu_orders (c text COLLATE "und-x-icu", d date, a int);
INSERT INTO icu_orders SELECT c, '2024-01-01', 10
FROM unnest(ARRAY['a10', 'B2', 'c3', 'D4', 'e5', 'F6', 'g7', 'H8', 'i9', 'J0']) AS c;
SELECT customer, r_score, f_score, m_score FROM seg_rfm('icu_orders', 'c', 'd', 'a', '2024-02-01');

-- Bad input: NULL arguments, unknown tables and columns; names are quoted, never spliced.
SELECT try($$SELECT * FROM seg_rfm(NULL, 'c', 'd', 'a', now())$$);
SELECT try($$SELECT * FROM seg_rfm('no_orders', 'c', 'd', 'a', NULL)$$);
SELECT try($$SELECT * FROM seg_rfm('no_such_table', 'c', 'd', 'a', now())$$);
SELECT try($$SELECT * FROM seg_rfm('no_orders', 'C', 'd', 'a', now())$$);
SELECT try($$SELECT * FROM seg_rfm('no_orders', 'c; DROP TABLE no_orders; --', 'd', 'a', now())$$);
SELECT try($$SELECT * FROM seg_rfm('no_orders', 'c', 'c', 'a', now())$$);
SELECT count(*) AS still_there FROM no_orders;
-- A column named in another case: the message names the table and the column it has (not
-- the whole query seg_rfm builds); one column may serve twice (the date as the order key).
\set SHOW_CONTEXT never
SELECT * FROM seg_rfm('no_orders', 'C', 'd', 'a', now());
\set SHOW_CONTEXT errors
SELECT count(*) AS customers FROM seg_rfm('no_orders', 'c', 'd', 'a', '2024-01-10 00:00+00', 'd');
-- Runs with the caller's rights: a role without SELECT on the table cannot read it.
CREATE ROLE rfm_reader;
GRANT USAGE ON SCHEMA "Shop Data" TO rfm_reader;
SET ROLE rfm_reader;
SELECT try($$SELECT * FROM seg_rfm('"Shop Data"."Order Lines"', 'Customer', 'Ordered At',
                                   'Net Amount', now())$$);
RESET ROLE;
DROP OWNED BY rfm_reader;
DROP ROLE rfm_reader;
DROP SCHEMA "Shop Data" CASCADE;

-- The online retail data: its first 20,000 lines (2010-12-01 .. 2010-12-09).
\setenv ONLINE_RETAIL_LINES 20001
\set ECHO none
\i data/load_online_retail.sql
\set ECHO all
\setenv ONLINE_RETAIL_LINES
SELECT count(*) AS lines, count(DISTINCT invoice_no) AS invoices,
       count(DISTINCT customer_id) AS customers,
       count(*) FILTER (WHERE customer_id IS NULL) AS no_customer,
       count(DISTINCT invoice_no) FILTER (WHERE invoice_no LIKE 'C%') AS cancellations
FROM online_retail;
CREATE VIEW online_retail_amounts AS
SELECT *, quantity * unit_price AS amount FROM online_retail;
CREATE TEMP TABLE retail_rfm AS
SELECT * FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                      '2010-12-10 00:00+00', 'invoice_no');
-- Cross-checks against plain SQL: customers with an invoice of positive net amount, those
-- invoices, and the customers' net spend including cancellations.
WITH inv AS (
    SELECT customer_id::text AS c, invoice_no, sum(quantity * unit_price) AS total
    FROM online_retail WHERE customer_id IS NOT NULL GROUP BY 1, 2
)
SELECT (SELECT count(*) FROM retail_rfm) AS customers,
       (SELECT count(DISTINCT c) FROM inv WHERE total > 0) AS expected_customers,
       (SELECT sum(frequency) FROM retail_rfm) AS orders,
       (SELECT count(*) FROM inv WHERE total > 0) AS expected_orders,
       (SELECT sum(monetary) FROM retail_rfm) AS monetary,
       (SELECT sum(total) FROM inv WHERE c IN (SELECT c FROM inv WHERE total > 0))
           AS expected_monetary;
-- Quintiles: five scores of (almost) equal size each; every customer has a segment.
SELECT r_score AS score, count(*) AS r, sum(count(*)) OVER () AS total
FROM retail_rfm GROUP BY r_score ORDER BY r_score;
SELECT bool_and(f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5
                AND rfm_score = r_score::text || f_score || m_score
                AND segment = seg_rfm_segment(r_score, f_score)) AS consistent,
       count(*) FILTER (WHERE segment IS NULL) AS without_segment
FROM retail_rfm;
-- More recent means a higher R score, more orders never a lower F score.
SELECT bool_and(a.r_score >= b.r_score) FILTER (WHERE a.recency_days < b.recency_days)
           AS recency_monotone,
       bool_and(a.f_score >= b.f_score) FILTER (WHERE a.frequency > b.frequency) AS f_monotone
FROM retail_rfm a JOIN retail_rfm b ON a.recency_days < b.recency_days
                                  OR a.frequency > b.frequency;
SELECT segment, count(*) AS customers FROM retail_rfm GROUP BY segment
ORDER BY count(*) DESC, segment;
DROP VIEW online_retail_amounts;
DROP TABLE online_retail;
RESET TimeZone;
