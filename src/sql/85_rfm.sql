-- RFM: recency, frequency and monetary value per customer from an order table
CREATE FUNCTION seg_rfm_segment(r_score int, f_score int) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN r_score NOT BETWEEN 1 AND 5 OR f_score NOT BETWEEN 1 AND 5 THEN NULL
    WHEN r_score = 5 AND f_score >= 4 THEN 'Champions'
    WHEN r_score >= 3 AND f_score >= 4 THEN 'Loyal customers'
    WHEN r_score >= 4 AND f_score >= 2 THEN 'Potential loyalists'
    WHEN r_score = 5 THEN 'New customers'
    WHEN r_score = 4 THEN 'Promising'
    WHEN r_score = 3 AND f_score = 3 THEN 'Need attention'
    WHEN r_score = 3 THEN 'About to sleep'
    WHEN f_score = 5 THEN 'Can''t lose them'
    WHEN f_score >= 3 THEN 'At risk'
    WHEN r_score = 1 AND f_score = 1 THEN 'Lost'
    ELSE 'Hibernating'
END;
COMMENT ON FUNCTION seg_rfm_segment(int, int) IS
    'RFM segment name of a recency score and a frequency score (1-5 each): Champions R5 F4-5, '
    'Loyal customers R3-4 F4-5, Potential loyalists R4-5 F2-3, New customers R5 F1, '
    'Promising R4 F1, Need attention R3 F3, About to sleep R3 F1-2, Can''t lose them R1-2 F5, '
    'At risk R1-2 F3-4, Hibernating R1-2 F1-2 except Lost R1 F1; NULL outside 1-5';

CREATE FUNCTION seg_rfm(orders regclass, customer_col text, date_col text, amount_col text,
                        as_of timestamptz, order_col text DEFAULT NULL)
    RETURNS TABLE(customer text, recency_days int, frequency bigint, monetary numeric,
                  r_score int, f_score int, m_score int, rfm_score text, segment text)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    order_key text;
    at_local text;
BEGIN
    IF orders IS NULL OR customer_col IS NULL OR date_col IS NULL OR amount_col IS NULL
       OR as_of IS NULL THEN
        RAISE EXCEPTION 'seg_rfm: orders, customer_col, date_col, amount_col and as_of must not '
                        'be NULL (order_col may be)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The columns exist (names matched exactly, the relation and a near name in the message;
    -- any type: each is cast below). One column may serve twice, e.g. the date as order.
    PERFORM @extschema@.seg_feature_columns(
        'seg_rfm', seg_rfm.orders,
        ARRAY(SELECT DISTINCT c FROM unnest(ARRAY[customer_col, date_col, amount_col, order_col]) c
              WHERE c IS NOT NULL),
        'text');
    IF NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'seg_rfm: as_of must be a finite timestamp, got %', as_of
            USING ERRCODE = 'invalid_datetime_format';
    END IF;
    IF as_of > now() THEN
        RAISE WARNING 'seg_rfm: as_of (%) is later than now; recency counts the days from it',
            as_of;
    END IF;
    -- Dates are compared on the session's calendar and clock: as_of and a timestamptz (or
    -- text) date in its TimeZone, a date or timestamp column as written. So days are whole
    -- across a daylight-saving change, and a date column counts the same days in any TimeZone.
    at_local := @extschema@.seg_feature_columns('seg_rfm', seg_rfm.orders, ARRAY[date_col],
                                                'timestamp');
    -- Without an order column, an order is a customer's calendar day of purchases. Customers
    -- and orders are told apart and ordered byte for byte (the C collation), whatever the
    -- column's or the database's collation, so the scores' ties split the same everywhere.
    order_key := CASE WHEN order_col IS NULL
                      THEN format('(%s)::date::text COLLATE pg_catalog."C"', at_local)
                      ELSE format('(%I)::text COLLATE pg_catalog."C"', order_col) END;
    RETURN QUERY EXECUTE format($q$
        WITH lines AS (
            SELECT (%1$I)::text COLLATE pg_catalog."C" AS customer, %2$s AS at,
                   coalesce((%3$I)::numeric, 0) AS amount, %4$s AS ord
            FROM %5$s
            WHERE %1$I IS NOT NULL AND isfinite(%2$s) AND %2$s <= $1
        ), per_order AS (
            SELECT l.customer, l.ord, max(l.at) AS at, sum(l.amount) AS total
            FROM lines l WHERE l.ord IS NOT NULL GROUP BY l.customer, l.ord
        ), per_customer AS (
            SELECT o.customer, max(o.at) FILTER (WHERE o.total > 0) AS last_at,
                   count(*) FILTER (WHERE o.total > 0) AS frequency,
                   sum(o.total) AS monetary
            FROM per_order o GROUP BY o.customer
            HAVING count(*) FILTER (WHERE o.total > 0) > 0
        ), scored AS (
            -- Whole days from the last purchase to as_of: the calendar days between them, one
            -- less when as_of's time of day is earlier (no interval: timestamps 292,000 years
            -- apart overflow one).
            SELECT c.customer, r.recency_days, c.frequency, c.monetary,
                   ntile(5) OVER (ORDER BY r.recency_days DESC, c.customer)::int AS r_score,
                   ntile(5) OVER (ORDER BY c.frequency, c.customer)::int AS f_score,
                   ntile(5) OVER (ORDER BY c.monetary, c.customer)::int AS m_score
            FROM per_customer c,
                 LATERAL (SELECT ($1::date - c.last_at::date)
                                 - ($1::time < c.last_at::time)::int AS recency_days) r
        )
        SELECT s.customer, s.recency_days, s.frequency, s.monetary, s.r_score, s.f_score,
               s.m_score, s.r_score::text || s.f_score::text || s.m_score::text,
               %6$s.seg_rfm_segment(s.r_score, s.f_score)
        FROM scored s ORDER BY s.customer
        $q$, customer_col, at_local, amount_col, order_key, orders,
             '@extschema@')
    USING as_of::timestamp;
END
$$;
COMMENT ON FUNCTION seg_rfm(regclass, text, text, text, timestamptz, text) IS
    'One row per customer with a purchase up to as_of: recency in whole days since the last '
    'purchase, frequency (orders of positive net amount: distinct order_col values, or '
    'distinct days when order_col is NULL), monetary (net sum of amount, returns included), '
    'quintile scores 1-5 (R: more recent = 5; ties split by customer) and the '
    'seg_rfm_segment name. Lines with a NULL or infinite date are ignored; as_of must be '
    'finite (a WARNING when it is later than now). Days on the session''s calendar and clock '
    '(a date or timestamp column as written); customers and orders compared byte for byte';
