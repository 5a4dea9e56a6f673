"""seg_rfm on all 541,909 online retail order lines (data/online_retail/), checked against
plain SQL and pandas-free Python, plus the log-RFM k-means of docs/customer_attributes.md.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_rfm_retail.py
Prints the seg_rfm time (a measurement, not a check: timings are benchmarks, see bench/).
"""
import collections
import math
import time

from dbtest import Checks, connect, fresh_database

AS_OF = "2011-12-10 00:00:00+00"


def main():
    checks = Checks()
    with fresh_database("it_rfm_retail", load=("online_retail",)) as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SELECT count(*), count(DISTINCT invoice_no), count(DISTINCT customer_id), "
                    "count(*) FILTER (WHERE customer_id IS NULL), count(DISTINCT country) "
                    "FROM online_retail")
        checks.check(cur.fetchone() == (541909, 25900, 4372, 135080, 38),
                     "541,909 lines, 25,900 invoices, 4,372 customers, 135,080 without one, "
                     "38 countries (SOURCES.md)")
        cur.execute("CREATE VIEW online_retail_amounts AS "
                    "SELECT *, quantity * unit_price AS amount FROM online_retail")

        start = time.monotonic()
        cur.execute("SELECT customer, recency_days, frequency, monetary, r_score, f_score, "
                    "m_score, segment FROM seg_rfm('online_retail_amounts', 'customer_id', "
                    "'invoice_date', 'amount', %s, 'invoice_no')", (AS_OF,))
        rfm = cur.fetchall()
        elapsed = time.monotonic() - start
        print(f"seg_rfm on 541,909 lines: {elapsed:.2f} s for {len(rfm)} customers")

        # The same figures computed in Python from the raw lines.
        cur.execute("SELECT customer_id::text, invoice_no, invoice_date, quantity * unit_price "
                    "FROM online_retail WHERE customer_id IS NOT NULL")
        invoices = collections.defaultdict(lambda: [None, 0])
        for customer, invoice, at, amount in cur.fetchall():
            inv = invoices[(customer, invoice)]
            inv[0] = at if inv[0] is None or at > inv[0] else inv[0]
            inv[1] += amount
        per = collections.defaultdict(lambda: [None, 0, 0])
        for (customer, _), (at, total) in invoices.items():
            p = per[customer]
            p[2] += total
            if total > 0:
                p[1] += 1
                p[0] = at if p[0] is None or at > p[0] else p[0]
        cur.execute("SELECT %s::timestamptz AT TIME ZONE 'UTC'", (AS_OF,))
        as_of = cur.fetchone()[0]
        expected = {c: (math.floor((as_of - p[0]).total_seconds() / 86400), p[1], p[2])
                    for c, p in per.items() if p[1] > 0}
        got = {r[0]: (r[1], r[2], r[3]) for r in rfm}
        checks.check(len(got) == len(expected) == 4338,
                     f"4,338 customers with an invoice of positive net amount ({len(got)})")
        checks.check(got == expected, "recency, frequency and monetary match per customer")
        checks.check(sum(r[2] for r in rfm) == 18532, "18,532 orders of positive net amount")
        counts = collections.Counter(r[4] for r in rfm)
        checks.check(sorted(counts) == [1, 2, 3, 4, 5] and
                     max(counts.values()) - min(counts.values()) <= 1,
                     f"R quintiles of equal size {sorted(counts.items())}")
        checks.check(all(r[7] is not None for r in rfm), "every customer has a segment")

        # The log-RFM k-means of the docs: 4 segments over the customers with positive net
        # spend (ln(1 + monetary) needs monetary > -1; 21 customers returned more than they
        # bought in the period).
        cur.execute("SELECT kmeans_fit(ARRAY[ln(1 + recency_days), ln(1 + frequency), "
                    "ln(1 + monetary)]::float8[], 4, "
                    "'{\"feature_names\": [\"log_recency\", \"log_frequency\", "
                    "\"log_monetary\"]}')::jsonb "
                    "FROM seg_rfm('online_retail_amounts', 'customer_id', 'invoice_date', "
                    "'amount', %s, 'invoice_no') WHERE monetary > 0", (AS_OF,))
        model = cur.fetchone()[0]
        positive = sum(1 for r in rfm if r[3] > 0)
        checks.check(model["k"] == 4 and sum(model["sizes"]) == model["n_rows"] == positive,
                     f"log-RFM k-means: 4 segments {model['sizes']} of the {positive} customers "
                     "whose net spend is positive")
    checks.finish()


if __name__ == "__main__":
    main()
