"""Every long-running statement of the extension stops within one second of statement_timeout
or pg_cancel_backend, and the same session keeps working afterwards.

LONG_STATEMENTS lists one statement per long loop (Lloyd iterations and restarts, k-means++
seeding, the O(n^2) silhouettes, the sweeps, training into the registry, k-prototypes, the
O(n^2) loops of hierarchical clustering, DBSCAN's searches, EM, seg_compare, the principal
components of wide rows). Each
runs twice: once under statement_timeout, once cancelled from another session. A statement
whose function is not installed is reported (NOT INSTALLED) and fails the test, so a renamed
function cannot silently drop out of it.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_cancel.py
"""
import threading
import time

import psycopg2
import psycopg2.errors

from dbtest import Checks, connect, fresh_database

TIMEOUT_S = 1.5
LATENCY_S = 1.0
HEAVY = '{"n_init": 500, "max_iter": 100000, "tol": 0}'

# (label, function it exercises as regprocedure text, statement). Each runs far longer than
# the timeout when nothing stops it (minutes to hours on 200 000 rows).
LONG_STATEMENTS = [
    ("kmeans_fit: Lloyd iterations and restarts", "kmeans_fit(float8[],int,jsonb)",
     f"SELECT kmeans_fit(ARRAY[a, b, c], 64, '{HEAVY}') FROM big"),
    ("kmeans_fit: k-means++ seeding", "kmeans_fit(float8[],int,jsonb)",
     """SELECT kmeans_fit(ARRAY[a, b, c], 5000, '{"n_init": 1000, "max_iter": 1}') FROM big"""),
    ("silhouette(features, label)", "silhouette(float8[],int)",
     "SELECT silhouette(ARRAY[a, b, c], label) FROM big"),
    ("silhouette(model, features)", "silhouette(segmodel,float8[])",
     "SELECT silhouette(m.m, ARRAY[a, b, c]) FROM big, model8 m"),
    ("silhouette_values(id, features, label)", "silhouette_values(bigint,float8[],int)",
     "SELECT cardinality(silhouette_values(i, ARRAY[a, b, c], label)) FROM big"),
    ("kmeans_sweep", "kmeans_sweep(float8[],int,int,jsonb)",
     f"SELECT kmeans_sweep(ARRAY[a, b, c], 2, 40, '{HEAVY}') FROM big"),
    ("seg_sweep", "seg_sweep(regclass,text[],int,int,jsonb)",
     f"SELECT count(*) FROM seg_sweep('big', ARRAY['a', 'b', 'c'], 2, 40, '{HEAVY}')"),
    ("seg_train", "seg_train(text,regclass,text[],int,jsonb)",
     f"SELECT seg_train('cancelled', 'big', ARRAY['a', 'b', 'c'], 64, '{HEAVY}')"),
    ("kmeans_stream_fit: the passes", "kmeans_stream_fit(regclass,text[],int,jsonb)",
     """SELECT kmeans_stream_fit('big', ARRAY['a', 'b', 'c'], 64,
                                 '{"n_init": 1, "max_iter": 100000, "tol": 0}')"""),
    ("kmeans_stream_fit: the fit on the sample", "kmeans_stream_fit(regclass,text[],int,jsonb)",
     f"SELECT kmeans_stream_fit('big', ARRAY['a', 'b', 'c'], 64, '{HEAVY}')"),
    ("hclust_fit: Ward's nearest-neighbour chain", "hclust_fit(float8[],int,jsonb)",
     """SELECT hclust_fit(ARRAY[a, b, c], 5, '{"max_leaves": 200000}') FROM big"""),
    ("hclust_fit: single linkage (Prim)", "hclust_fit(float8[],int,jsonb)",
     """SELECT hclust_fit(ARRAY[a, b, c], 5, '{"linkage": "single", "max_leaves": 200000}')
        FROM big"""),
    ("silhouette(model, numbers, categories, options): k-prototypes",
     "silhouette(segmodel,float8[],text[],jsonb)",
     "SELECT silhouette(m.m, ARRAY[a, b, c], ARRAY[cat], '{}') FROM big, model_kp m"),
    ("dbscan_fit: an eps that spans the data (every search visits every row)",
     "dbscan_fit(float8[],float8,int)",
     "SELECT dbscan_fit(ARRAY[a, b, c], 50.0, 5) FROM big"),
    ("gmm_fit: EM restarts", "gmm_fit(float8[],int,jsonb)",
     """SELECT gmm_fit(ARRAY[a, b, c], 32, '{"n_init": 200, "max_iter": 100000, "tol": 0}')
        FROM big"""),
    ("seg_compare", "seg_compare(regclass,text[],int,int,jsonb)",
     "SELECT count(*) FROM seg_compare('big', ARRAY['a', 'b', 'c'], 2, 40)"),
    ("kmeans_fit: the principal components of 3,000 features (Gram matrix, tridiagonal "
     "reduction)", "kmeans_fit(float8[],int,jsonb)",
     f"SELECT kmeans_fit(v, 8, '{HEAVY}') FROM wide"),
    ("kprototypes_fit", "kprototypes_fit(float8[],text[],int,jsonb)",
     """SELECT kprototypes_fit(ARRAY[a, b, c], ARRAY[cat], 64,
                               '{"n_init": 500, "max_iter": 100000}') FROM big"""),
]


def timed(cur, sql):
    """Runs sql; returns (exception or None, seconds)."""
    start = time.monotonic()
    try:
        cur.execute(sql)
        return None, time.monotonic() - start
    except psycopg2.Error as e:
        return e, time.monotonic() - start


def healthy(cur):
    """True when the session answers a query and fits a small model."""
    cur.execute("SELECT kmeans_fit(ARRAY[x::float8], 2) IS NOT NULL FROM generate_series(1, 100) x")
    return cur.fetchone()[0] is True


def by_timeout(checks, cur, label, sql):
    """statement_timeout: the error arrives less than LATENCY_S after the deadline."""
    cur.execute(f"SET statement_timeout = '{int(TIMEOUT_S * 1000)}ms'")
    err, seconds = timed(cur, sql)
    cur.execute("RESET statement_timeout")
    checks.check(isinstance(err, psycopg2.errors.QueryCanceled),
                 f"{label}: statement_timeout cancels it "
                 f"({type(err).__name__}: {str(err).splitlines()[0] if err else ''})")
    checks.check(seconds < TIMEOUT_S + LATENCY_S,
                 f"{label}: stopped {seconds - TIMEOUT_S:.3f} s after the timeout")


def by_cancel(checks, cur, other, pid, label, sql):
    """pg_cancel_backend from another session once the statement surely runs."""
    result = {}

    def run():
        result["err"], result["seconds"] = timed(cur, sql)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(2.0)
    cancelled_at = time.monotonic()
    other.execute("SELECT pg_cancel_backend(%s)", (pid,))
    thread.join(timeout=120)
    latency = time.monotonic() - cancelled_at
    checks.check(isinstance(result.get("err"), psycopg2.errors.QueryCanceled),
                 f"{label}: pg_cancel_backend cancels it ({type(result.get('err')).__name__})")
    checks.check(latency < LATENCY_S, f"{label}: stopped {latency:.3f} s after pg_cancel_backend")


def main():
    checks = Checks()
    with fresh_database("it_cancel", load=()) as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("""CREATE TABLE big AS
                       SELECT i, (i * 7919 % 10007)::float8 AS a,
                              (i * 104729 % 10009)::float8 AS b, (i % 97)::float8 AS c,
                              (i % 8)::int AS label, 'c' || (i % 5) AS cat
                       FROM generate_series(1::bigint, 200000) AS i""")
        # 1,200 rows of 3,000 features: the projection's Gram matrix and its reduction (the
        # covariance's dense eigen solver ran for minutes without a poll).
        cur.execute("""CREATE TABLE wide AS
                       SELECT i, ARRAY(SELECT ((i * 7919 + j * 104729) % 1009)::float8
                                       FROM generate_series(1, 3000) j) AS v
                       FROM generate_series(1, 1200) AS i""")
        cur.execute("CREATE TABLE model8 AS SELECT kmeans_fit(ARRAY[a, b, c], 8, "
                    "'{\"n_init\": 1}') AS m FROM big WHERE i <= 5000")
        cur.execute("CREATE TABLE model_kp AS SELECT kprototypes_fit(ARRAY[a, b, c], ARRAY[cat], 4, "
                    "'{\"n_init\": 1}') AS m FROM big WHERE i <= 5000")
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        other = connect(db)
        ocur = other.cursor()
        for label, signature, sql in LONG_STATEMENTS:
            ocur.execute("SELECT to_regprocedure(%s) IS NOT NULL", (signature,))
            if not ocur.fetchone()[0]:
                checks.check(False, f"{label}: NOT INSTALLED ({signature}); fix the list")
                continue
            by_timeout(checks, cur, label, sql)
            checks.check(healthy(cur), f"{label}: same session healthy after the timeout")
            by_cancel(checks, cur, ocur, pid, label, sql)
            checks.check(healthy(cur), f"{label}: same session fits again after the cancel")
        other.close()
        conn.close()
    checks.finish()


if __name__ == "__main__":
    main()
