"""A long kmeans_fit stops within one second of statement_timeout or pg_cancel_backend,
and the same session keeps working afterwards.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_cancel.py
"""
import threading
import time

import psycopg2
import psycopg2.errors

from dbtest import Checks, connect, fresh_database

LONG_FIT = """
SELECT kmeans_fit(ARRAY[(i * 7919 % 10007)::float8, (i * 104729 % 10009)::float8,
                        (i % 97)::float8], 64, '{"n_init": 500, "max_iter": 100000, "tol": 0}')
FROM generate_series(1, 200000) AS i
"""


def timed_fit(cur):
    """Runs the long fit; returns (exception or None, seconds)."""
    start = time.monotonic()
    try:
        cur.execute(LONG_FIT)
        return None, time.monotonic() - start
    except psycopg2.Error as e:
        return e, time.monotonic() - start


def main():
    checks = Checks()
    with fresh_database("it_cancel", load=()) as db:
        conn = connect(db)
        cur = conn.cursor()

        # statement_timeout: the error arrives less than 1 s after the deadline.
        cur.execute("SET statement_timeout = '1500ms'")
        err, seconds = timed_fit(cur)
        checks.check(isinstance(err, psycopg2.errors.QueryCanceled),
                     f"statement_timeout cancels the fit ({type(err).__name__})")
        checks.check(seconds < 1.5 + 1.0, f"stopped {seconds - 1.5:.3f} s after the timeout")
        cur.execute("RESET statement_timeout")
        cur.execute("SELECT 1")
        checks.check(cur.fetchone()[0] == 1, "session healthy after the timeout")

        # pg_cancel_backend from another session, once the fit is surely running.
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        other = connect(db)
        result = {}

        def run():
            result["err"], result["seconds"] = timed_fit(cur)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(2.0)
        cancelled_at = time.monotonic()
        other.cursor().execute("SELECT pg_cancel_backend(%s)", (pid,))
        thread.join(timeout=60)
        latency = time.monotonic() - cancelled_at
        checks.check(isinstance(result.get("err"), psycopg2.errors.QueryCanceled),
                     f"pg_cancel_backend cancels the fit ({type(result.get('err')).__name__})")
        checks.check(latency < 1.0, f"stopped {latency:.3f} s after pg_cancel_backend")
        cur.execute("SELECT kmeans_fit(ARRAY[x::float8], 2) IS NOT NULL "
                    "FROM generate_series(1, 100) x")
        checks.check(cur.fetchone()[0] is True, "same session fits again after the cancel")
        other.close()
        conn.close()
    checks.finish()


if __name__ == "__main__":
    main()
