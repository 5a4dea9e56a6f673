"""The backend's store of prepared models (customer_seg.model_cache_memory) under cancels,
timeouts, errors in the middle of a statement and more models than it keeps: the session keeps
working with the right answers, no statement leaves a pin behind (with the cap at 0 the store
empties once no statement runs) and the backend's memory does not grow with the statements.
The store is seen in pg_backend_memory_contexts ("customer_seg prepared model" contexts).
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_model_cache.py
"""
import threading
import time

import psycopg2
import psycopg2.errors

from dbtest import Checks, connect, fresh_database

STORE = ("SELECT count(*), coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts "
         "WHERE name = 'customer_seg prepared model'")
BACKEND = "SELECT sum(total_bytes) FROM pg_backend_memory_contexts"
LABELS = "SELECT array_agg(seg_assign(m, x) ORDER BY i) FROM pts, hm"
# Labels 2000 rows 100,000 times over: minutes unless stopped.
LONG = ("SELECT count(seg_assign(m, ARRAY[x[1] + g * 1e-9, x[2], x[3]])) "
        "FROM hm, pts, generate_series(1, 100000) g")
FAILS = ("SELECT count(seg_assign(m, CASE WHEN i = 1500 THEN ARRAY[1, 2]::float8[] ELSE x END)) "
         "FROM pts, hm")


def one(cur, sql):
    """The first row of sql."""
    cur.execute(sql)
    return cur.fetchone()


def no_pin_left(checks, cur, label):
    """With the cap at 0 the store is empty once no statement runs (a leaked pin would keep an
    entry); then the default cap again."""
    cur.execute("SET customer_seg.model_cache_memory = 0")
    checks.check(one(cur, STORE)[0] == 0, f"{label}: no entry left with the cap at 0")
    cur.execute("RESET customer_seg.model_cache_memory")


def main():
    checks = Checks()
    with fresh_database("it_model_cache") as db:
        conn = connect(db)
        cur = conn.cursor()
        other = connect(db).cursor()
        pid = one(cur, "SELECT pg_backend_pid()")[0]
        cur.execute("SELECT setseed(0.5)")
        cur.execute("CREATE TABLE pts AS SELECT i, ARRAY[random() * 10, random() * 10, "
                    "random() * 10] AS x FROM generate_series(1, 2000) i")
        cur.execute("CREATE TABLE hm AS SELECT hclust_fit(x, 5) AS m FROM pts")
        cur.execute("SET customer_seg.model_cache_memory = 0")
        reference = one(cur, LABELS)[0]
        cur.execute("RESET customer_seg.model_cache_memory")
        checks.check(one(cur, LABELS)[0] == reference, "labels through the store = fresh ones")

        # statement_timeout and pg_cancel_backend in the middle of a long labelling.
        cur.execute("SET statement_timeout = '1s'")
        try:
            cur.execute(LONG)
            err = None
        except psycopg2.Error as e:
            err = e
        cur.execute("RESET statement_timeout")
        checks.check(isinstance(err, psycopg2.errors.QueryCanceled), "timeout: statement stopped")
        checks.check(one(cur, LABELS)[0] == reference, "timeout: same labels afterwards")
        no_pin_left(checks, cur, "timeout")

        result = {}

        def run():
            try:
                cur.execute(LONG)
            except psycopg2.Error as e:
                result["err"] = e

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(1.5)
        other.execute("SELECT pg_cancel_backend(%s)", (pid,))
        thread.join(timeout=120)
        checks.check(isinstance(result.get("err"), psycopg2.errors.QueryCanceled),
                     "cancel: statement stopped")
        checks.check(one(cur, LABELS)[0] == reference, "cancel: same labels afterwards")
        no_pin_left(checks, cur, "cancel")

        # Errors in the middle of a statement, 40 times; 40 k-means models over statements
        # (more than the 16 entries kept), twice: the backend's memory stays flat.
        cur.execute("CREATE TABLE km AS SELECT k, kmeans_fit(ARRAY[age, annual_income, "
                    "spending_score], k, '{\"n_init\": 1}') AS m FROM mall_customers, "
                    "generate_series(2, 41) k GROUP BY k")

        def round_of_statements():
            errors = 0
            for _ in range(40):
                try:
                    cur.execute(FAILS)
                except psycopg2.errors.ArraySubscriptError:
                    errors += 1
            for k in range(2, 42):
                cur.execute("SELECT count(seg_assign(m, ARRAY[age, annual_income, "
                            "spending_score])) FROM km, mall_customers WHERE k = %s", (k,))
            return errors

        errors = round_of_statements()
        entries, store_bytes = one(cur, STORE)
        before = one(cur, BACKEND)[0]
        errors += round_of_statements()
        after = one(cur, BACKEND)[0]
        checks.check(errors == 80, f"errors: {errors} of 80 statements failed with 2202E")
        checks.check(entries <= 16 and store_bytes <= 64 << 20,
                     f"store bounded: {entries} entries, {store_bytes} bytes")
        checks.check(after - before < 1 << 20,
                     f"backend memory flat over the second round: {before} -> {after} bytes")
        checks.check(one(cur, LABELS)[0] == reference, "errors: same labels afterwards")
        no_pin_left(checks, cur, "errors and 40 models")
        conn.close()
    checks.finish()


if __name__ == "__main__":
    main()
