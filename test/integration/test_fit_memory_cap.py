"""customer_seg.max_memory caps what a k-means fit really uses: the backend's peak resident
memory over a fit stays within the setting (plus the table pages it read and a small slack),
whatever fit_threads asks for, and a budget too small for even one thread fails up front with
53200 naming the setting.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_fit_memory_cap.py

50,000 rows x 32 features, k = 64: Elkan's bounds (50,000 x 64 doubles, 25.6 MB per restart)
dominate. Four restarts on four threads would hold four sets at once (about 130 MB with the
rows); under max_memory = 64 MB the fit must run them on fewer threads.

gmm_fit (k = 16 full, 50,000 x 32; scikit-learn's single start, and 4 candidates screened side
by side on a sample) and dbscan_fit (the first 4 features) are checked the same
way against their own bounds: each is given the budget its refusal under a smaller cap names
(rounded up to the next MB) and must then run with the backend's peak within it (the model is
not printed: a DBSCAN model's text, its core points in JSON, is the client's cost, not the
fit's).

A parallel plan (1M x 8 rows, two workers): the workers' rows reach the leader as serialized
states that PostgreSQL's tuple queues keep until the scan ends. Under a cap above the serial
fit's need but below rows + queues, the serial fit runs and the parallel one is refused at the
combine step (or runs, if the leader read most rows itself); neither passes the cap.
"""
import re

import psycopg2

from dbtest import Checks, connect, fresh_database, vm_hwm

N, D, K = 50_000, 32, 64
CAP_MB = 64
SLACK = 16 * 2**20
FIT = (f"SELECT kmeans_fit(v, {K}, '{{\"n_init\": 4, \"max_iter\": 10, \"seed\": 3}}')::text "
       "FROM cap_rows")


MIXTURES = [
    ("gmm_fit", "16MB",
     "SELECT gmm_fit(v, 16, '{\"max_iter\": 3, \"init_candidates\": 1}') IS NOT NULL "
     "FROM cap_rows"),
    # Screened starts: candidates side by side on the two threads, on a 20,000-row sample.
    ("gmm_fit screened", "16MB",
     "SELECT gmm_fit(v, 16, '{\"max_iter\": 2, \"init_candidates\": 4}') IS NOT NULL "
     "FROM cap_rows"),
    ("dbscan_fit", "4MB", "SELECT dbscan_fit(v[1:4], 0.3, 10) IS NOT NULL FROM cap_rows"),
]


def fit(db, settings, query=FIT, prewarm=None):
    """(VmHWM growth, model text or None, error) of one fit from a fresh connection (after
    the prewarm statements, if any)."""
    conn = connect(db)
    cur = conn.cursor()
    for statement in prewarm or []:
        cur.execute(statement)
    for s in settings:
        cur.execute("SET " + s)
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    before = vm_hwm(pid)
    try:
        cur.execute(query)
        model, error = cur.fetchone()[0], None
    except psycopg2.Error as e:
        model, error = None, e
    grown = vm_hwm(pid) - before
    conn.close()
    return grown, model, error


# A parallel plan: each worker's rows reach the leader as one serialized state through a tuple
# queue, which keeps it until the scan ends; the combine step counts those copies.
PARALLEL = ["parallel_setup_cost = 0", "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0", "max_parallel_workers_per_gather = 2"]
PAR_ROWS = 1_000_000
PAR_FIT = ("SELECT kmeans_fit(ARRAY[f1, f2, f3, f4, f5, f6, f7, f8], 8, '{\"n_init\": 1}') "
           "IS NOT NULL FROM par_rows")
# The backend's own allocations beside the extension's (executor, catalog caches, arrays).
BACKEND_SLACK = 8 * 2**20


def private_fit(db, settings, query):
    """(VmHWM growth, result or None, error) of one fit from a fresh connection that has read
    the whole table first (serial plan), so the growth is the backend's private memory, not
    the table's pages in shared buffers."""
    return fit(db, settings, query, prewarm=["SET max_parallel_workers_per_gather = 0",
                                             "SELECT count(*) FROM par_rows"])


def parallel_checks(checks, db):
    """Under a cap between the serial fit's need and the parallel plan's, the serial fit runs
    and the parallel one is refused at the combine step; neither passes the cap."""
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("SELECT setseed(0.5)")
    cur.execute(f"""CREATE TABLE par_rows AS
                    SELECT random() f1, random() f2, random() f3, random() f4, random() f5,
                           random() f6, random() f7, random() * (i % 7) f8
                    FROM generate_series(1, {PAR_ROWS}) i""")
    cur.execute("VACUUM ANALYZE par_rows")
    cur.execute("ALTER TABLE par_rows SET (parallel_workers = 2)")
    conn.close()
    raw = PAR_ROWS * 8 * 8
    cap_mb = int(raw * 1.55 / 2**20)  # above the serial fit's need, below rows + queues
    cap = cap_mb * 2**20
    grown, model, error = private_fit(db, [f"customer_seg.max_memory = '{cap_mb}MB'"], PAR_FIT)
    checks.check(model is not None, f"serial plan: the fit runs within {cap_mb} MB: {error}")
    checks.check(grown <= cap + BACKEND_SLACK,
                 f"serial plan: peak +{grown / 2**20:.1f} MB <= {cap_mb} MB + "
                 f"{BACKEND_SLACK / 2**20:.0f} MB")
    grown, model, error = private_fit(db, PARALLEL + [f"customer_seg.max_memory = '{cap_mb}MB'"],
                                      PAR_FIT)
    refused = (error is not None and error.pgcode == "53200" and
               "parallel plan" in str(error) and "customer_seg.max_memory" in str(error))
    # Refused at the combine step (workers' rows + queues above the cap), or, when the leader
    # read most rows itself (few in the queues), run within the cap: never past it.
    checks.check(refused or model is not None,
                 f"parallel plan at {cap_mb} MB: refused with 53200 naming the plan and the "
                 f"setting, or run: {error and str(error).splitlines()[0]}")
    checks.check(grown <= cap + BACKEND_SLACK,
                 f"parallel plan ({'refused' if refused else 'ran'}): peak "
                 f"+{grown / 2**20:.1f} MB <= {cap_mb} MB + {BACKEND_SLACK / 2**20:.0f} MB")
    grown, model, error = private_fit(db, PARALLEL + ["customer_seg.max_memory = '1GB'"], PAR_FIT)
    checks.check(model is not None, f"parallel plan at 1GB: the fit runs: {error}")


def main():
    checks = Checks()
    with fresh_database("it_fit_memory_cap", load=()) as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("SELECT setseed(0.75)")
        cur.execute(f"""CREATE TABLE cap_rows AS
                        SELECT i, array_agg(random() + (i % 40) * (j % 3) ORDER BY j) AS v
                        FROM generate_series(1, {N}) AS i, generate_series(1, {D}) AS j
                        GROUP BY i""")
        cur.execute("VACUUM ANALYZE cap_rows")
        cur.execute("SELECT pg_relation_size('cap_rows')")
        table = cur.fetchone()[0]
        conn.close()
        serial = "max_parallel_workers_per_gather = 0"

        grown, model, error = fit(db, [serial, "customer_seg.fit_threads = 4",
                                       f"customer_seg.max_memory = '{CAP_MB}MB'"])
        checks.check(model is not None, f"the fit runs within {CAP_MB} MB: {error}")
        checks.check(grown <= CAP_MB * 2**20 + table + SLACK,
                     f"peak +{grown / 2**20:.1f} MB <= {CAP_MB} MB + the table's "
                     f"{table / 2**20:.1f} MB + {SLACK / 2**20:.0f} MB slack")

        _, reference, error = fit(db, [serial, "customer_seg.fit_threads = 1"])
        checks.check(reference is not None and reference == model,
                     "the model equals the one-thread fit's, bit for bit")

        grown, model, error = fit(db, [serial, "customer_seg.max_memory = '24MB'"])
        checks.check(error is not None and error.pgcode == "53200" and
                     "customer_seg.max_memory" in str(error),
                     f"24 MB: refused with 53200 naming the setting: "
                     f"{error and error.pgcode} {error and str(error).splitlines()[0]}")
        checks.check(grown <= 24 * 2**20 + table + SLACK,
                     f"refused before allocating: peak +{grown / 2**20:.1f} MB")

        for name, probe, query in MIXTURES:
            _, _, error = fit(db, [serial, "customer_seg.fit_threads = 2",
                                   f"customer_seg.max_memory = '{probe}'"], query)
            need = re.search(r"needs ([0-9.]+) MB", str(error or ""))
            checks.check(error is not None and error.pgcode == "53200" and need is not None,
                         f"{name} at {probe}: refused with 53200 and its need: {error}")
            if need is None:
                continue
            cap = int(float(need.group(1))) + 1
            grown, model, error = fit(db, [serial, "customer_seg.fit_threads = 2",
                                           f"customer_seg.max_memory = '{cap}MB'"], query)
            checks.check(model is not None, f"{name} runs within the {cap} MB it asked: {error}")
            checks.check(grown <= cap * 2**20 + table + SLACK,
                         f"{name}: peak +{grown / 2**20:.1f} MB <= {cap} MB + the table's "
                         f"{table / 2**20:.1f} MB + {SLACK / 2**20:.0f} MB slack")
        parallel_checks(checks, db)
    checks.finish()


if __name__ == "__main__":
    main()
