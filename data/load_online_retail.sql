-- Loads data/online_retail/online_retail.csv.gz (UCI "Online Retail", 2010-12-01 .. 2011-12-09)
-- into online_retail (run by psql from the project root; needs gzip on the client).
-- CustomerID is written "17850.0" in this export: it is read as text and stored as int.
-- Provenance and checks: data/online_retail/SOURCES.md. To load only the first lines of the
-- file (header included), run \setenv ONLINE_RETAIL_LINES <n> before this script; the
-- default "-0" makes head pass every line.
CREATE TABLE online_retail (
    invoice_no   text NOT NULL,       -- 'C' prefix: a cancellation
    stock_code   text NOT NULL,
    description  text,
    quantity     int NOT NULL,        -- negative for cancellations and returns
    invoice_date timestamp NOT NULL,
    unit_price   numeric NOT NULL,
    customer_id  int,                 -- NULL on 135,080 lines
    country      text NOT NULL
);
CREATE TEMP TABLE online_retail_raw (
    invoice_no text, stock_code text, description text, quantity int,
    invoice_date timestamp, unit_price numeric, customer_id text, country text
);
\copy online_retail_raw FROM PROGRAM 'gzip -dc data/online_retail/online_retail.csv.gz | head -n "${ONLINE_RETAIL_LINES:--0}"' WITH (FORMAT csv, HEADER true)
INSERT INTO online_retail
SELECT invoice_no, stock_code, description, quantity, invoice_date, unit_price,
       customer_id::numeric::int, country
FROM online_retail_raw;
DROP TABLE online_retail_raw;
ANALYZE online_retail;
