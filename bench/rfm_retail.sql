-- Times seg_rfm on the 541,909 online retail order lines (psql from the project root, in a
-- database with customer_seg installed):
--   psql -X -d DB -f bench/rfm_retail.sql
-- Loads data/online_retail/ first when online_retail does not exist yet.
SELECT to_regclass('online_retail') IS NULL AS need_load \gset
\if :need_load
\i data/load_online_retail.sql
\endif
CREATE OR REPLACE TEMP VIEW online_retail_amounts AS
SELECT *, quantity * unit_price AS amount FROM online_retail;
\timing on
-- With invoice numbers as orders, then with days as orders; three runs each.
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10', 'invoice_no');
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10', 'invoice_no');
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10', 'invoice_no');
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10');
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10');
SELECT count(*) FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', 'amount',
                             '2011-12-10');
