-- Loads data/wholesale_customers.csv (semicolon-separated) into wholesale_customers.
CREATE TABLE wholesale_customers (
    customer_id      int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel          int NOT NULL,   -- 1 Horeca, 2 Retail
    region           int NOT NULL,   -- 1 Lisbon, 2 Oporto, 3 Other
    fresh            float8 NOT NULL,
    milk             float8 NOT NULL,
    grocery          float8 NOT NULL,
    frozen           float8 NOT NULL,
    detergents_paper float8 NOT NULL,
    delicassen       float8 NOT NULL
);
\copy wholesale_customers (channel, region, fresh, milk, grocery, frozen, detergents_paper, delicassen) FROM 'data/wholesale_customers.csv' WITH (FORMAT csv, HEADER true, DELIMITER ';')
