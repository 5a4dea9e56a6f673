"""seg_assign's per-row cost with and without the feature pipeline, for two builds of
customer_seg.so in ONE cluster, alternately (as bench/assign_ab.py): a new connection loads
whichever library file is installed at that moment, so the script swaps the installed .so
between rounds (AB_BEFORE: the other build's .so, "A"; the installed one is "B"). Clusters
started one after another differ by up to ~30 % in these few-ns-a-row costs
(bench/pipeline_overhead.py's medians), one cluster with swapped builds by a few ns.
Models and rows as bench/pipeline_overhead.py: the mall model plain, with
["none", "log1p", "sqrt"] and clipping ("pipeline"), clipping only; the marketing campaign's
16 columns plain and with log1p on 11 ("wide"). Per build and round: the MINIMUM backend CPU
time of AB_REPS runs of each query, net of the bare scan, per row.
Run: AB_BEFORE=/path/to/before/customer_seg.so bash scripts/dev_check.sh bench/pipeline_ab.py
     (output in build/dev-pipeline_ab.log; AB_ROWS, AB_REPS, AB_ROUNDS to change the sizes;
     AB_TRANSFORM='["none", "log1p", "log1p"]' for another mall pipeline, clipped as before)
"""
import json
import os
import shutil
import sys

sys.path.insert(0, "test/integration")
sys.path.insert(0, "bench")
import dbtest  # noqa: E402
from assign_ab import install, installed_library  # noqa: E402  (the .so swap)
from pipeline_overhead import FEATURES, MODELS, WIDE_COLUMNS, WIDE_MODELS  # noqa: E402

if os.environ.get("AB_TRANSFORM"):  # another transform list for the "pipeline" model
    MODELS = dict(MODELS, pipeline=json.dumps({"transform": json.loads(os.environ["AB_TRANSFORM"]),
                                               "clip": [0.01, 0.99]}))
ROWS = int(os.environ.get("AB_ROWS", "1000000"))
REPS = int(os.environ.get("AB_REPS", "9"))
ROUNDS = int(os.environ.get("AB_ROUNDS", "4"))


def cpu_seconds(pid):
    """The backend's CPU time so far (/proc/PID/schedstat)."""
    return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e9


def setup(db):
    """The five models (fitted by the installed build) and the two tables of stored arrays."""
    conn = dbtest.connect(db)
    cur = conn.cursor()
    for name, options in MODELS.items():
        cur.execute("SELECT seg_train(%s, 'mall_customers', "
                    "ARRAY['age', 'annual_income', 'spending_score'], 5, %s)", (name, options))
    for name, options in WIDE_MODELS.items():
        cur.execute(f"SELECT seg_train(%s, 'marketing_campaign', ARRAY{WIDE_COLUMNS}, 6, %s)",
                    (f"wide_{name}", json.dumps(options)))
    cur.execute(f"CREATE TABLE points AS SELECT {FEATURES} AS f "
                f"FROM generate_series(1, {ROWS}) i")
    columns = ", ".join(f"{c}::float8" for c in WIDE_COLUMNS)
    cur.execute(f"CREATE TABLE wide_points AS "
                f"WITH m AS (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, * "
                f"FROM marketing_campaign) "
                f"SELECT ARRAY[{columns}] AS f FROM generate_series(0, {ROWS} - 1) i "
                f"JOIN m ON m.rn = i % (SELECT count(*) FROM marketing_campaign)")
    cur.execute("VACUUM ANALYZE points")
    cur.execute("VACUUM ANALYZE wide_points")
    conn.close()


def queries():
    """The bare scans and the labelling queries, by name."""
    assign = ("SELECT sum(seg_assign((SELECT model FROM seg_models WHERE name = '{m}' "
              "AND active), f)) FROM {t}")
    q = {"base": "SELECT sum(array_length(f, 1)) FROM points",
         "wbase": "SELECT sum(array_length(f, 1)) FROM wide_points"}
    for m in MODELS:
        q[m] = assign.format(m=m, t="points")
    for m in WIDE_MODELS:
        q["w" + m] = assign.format(m=f"wide_{m}", t="wide_points")
    return q


def one_round(db, q):
    """Per-row ns of each labelling query in a new connection: min of REPS, net of its scan."""
    conn = dbtest.connect(db)
    cur = conn.cursor()
    cur.execute("SET max_parallel_workers_per_gather = 0")
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    best = {n: float("inf") for n in q}
    for _ in range(REPS):
        for n, sql in q.items():
            start = cpu_seconds(pid)
            cur.execute(sql)
            best[n] = min(best[n], cpu_seconds(pid) - start)
    conn.close()
    ns = {n: (best[n] - best["base"]) / ROWS * 1e9 for n in MODELS}
    ns.update({"w" + n: (best["w" + n] - best["wbase"]) / ROWS * 1e9 for n in WIDE_MODELS})
    return ns


def main():
    if "AB_BEFORE" not in os.environ:
        sys.exit("set AB_BEFORE to the customer_seg.so to compare with the installed one")
    target = installed_library()
    after = os.path.abspath("build/pipeline_ab_after.so")
    shutil.copyfile(target, after)
    builds = {"A": os.environ["AB_BEFORE"], "B": after}
    with dbtest.fresh_database("pipeline_ab", load=("mall", "marketing")) as db:
        setup(db)
        q = queries()
        for r in range(ROUNDS):
            for b, so in builds.items():
                install(so, target)
                ns = one_round(db, q)
                print(f"round {r} {b}: mall plain {ns['plain']:.1f} pipeline {ns['pipeline']:.1f} "
                      f"clip {ns['clip_only']:.1f} ns/row, ratio {ns['pipeline'] / ns['plain']:.3f}; "
                      f"wide plain {ns['wplain']:.1f} log1p {ns['wlog1p']:.1f} ns/row, "
                      f"ratio {ns['wlog1p'] / ns['wplain']:.3f}", flush=True)
        install(after, target)


main()
