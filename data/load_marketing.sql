-- Loads data/marketing_campaign.csv (TAB-separated; 24 empty incomes) into marketing_campaign.
CREATE TABLE marketing_campaign (
    id int PRIMARY KEY, year_birth int, education text, marital_status text, income float8,
    kidhome int, teenhome int, dt_customer text, recency int,
    mnt_wines float8, mnt_fruits float8, mnt_meat_products float8, mnt_fish_products float8,
    mnt_sweet_products float8, mnt_gold_prods float8,
    num_deals_purchases int, num_web_purchases int, num_catalog_purchases int,
    num_store_purchases int, num_web_visits_month int,
    accepted_cmp3 int, accepted_cmp4 int, accepted_cmp5 int, accepted_cmp1 int,
    accepted_cmp2 int, complain int, z_cost_contact int, z_revenue int, response int
);
\copy marketing_campaign FROM 'data/marketing_campaign.csv' WITH (FORMAT csv, HEADER true, DELIMITER E'\t')
