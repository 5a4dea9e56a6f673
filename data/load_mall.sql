-- Loads data/Mall_Customers.csv into mall_customers (run by psql from the project root).
CREATE TABLE mall_customers (
    customer_id    int PRIMARY KEY,
    gender         text NOT NULL,
    age            float8 NOT NULL,
    annual_income  float8 NOT NULL,   -- k$
    spending_score float8 NOT NULL    -- 1..100
);
\copy mall_customers FROM 'data/Mall_Customers.csv' WITH (FORMAT csv, HEADER true)
