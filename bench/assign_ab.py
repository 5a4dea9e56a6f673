"""seg_assign by nearest leaf with two builds of customer_seg.so in one cluster, alternately:
a new connection loads whichever library file is installed at that moment, so the script
swaps the installed customer_seg.so between rounds (AB_BEFORE: the other build's .so; the
installed one is the "after"). Two data shapes, each a Ward model (k = 5) fitted on 20,000 rows
(one leaf per row) labelling 100,000 other rows, the model joined: bench/assign_bench.py's blobs
and the marketing customers' 8 spending/income columns resampled with noise (0.05 standard
deviations: overlapping groups). Per build and round: wall and backend CPU seconds (best of 3)
net of the bare scan, per row (the backend keeps the prepared model between statements, so
the best of 3 is a warm figure); the wall seconds of a new connection's first row (decoding and
preparing the model); and backend CPU per row
of one query labelling the same 100,000 rows 4 times (one preparation for 400,000 rows; the
plan is a nested loop with the rows outside, so each row is labelled 4 times in a row and 3 of
the 4 searches run with warm caches). The fits run on the installed (after) build.
Run: AB_BEFORE=/path/to/before/customer_seg.so scripts/dev_check.sh bench/assign_ab.py
"""
import csv
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, "test/integration")
sys.path.insert(0, "bench")
import dbtest  # noqa: E402
from assign_bench import N_LEAVES, N_ROWS, blobs, load_points  # noqa: E402
from assign_profile import run  # noqa: E402

COLUMNS = ["Income", "Recency", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts",
           "MntSweetProducts", "MntGoldProds"]


def marketing(n, seed=1):
    """n rows resampled from the marketing customers' COLUMNS (standardised) plus noise."""
    with open("data/marketing_campaign.csv") as f:
        M = np.array([[float(r[c]) for c in COLUMNS] for r in csv.DictReader(f, delimiter="\t")
                      if all(r[c] for c in COLUMNS)])
    M = (M - M.mean(0)) / M.std(0)
    rng = np.random.default_rng(seed)
    return M[rng.integers(0, len(M), size=n)] + rng.normal(scale=0.05, size=(n, M.shape[1]))


def installed_library():
    """The customer_seg.so the private cluster loads (scripts/dev_check.sh's install)."""
    lib = subprocess.run([os.environ.get("PG_CONFIG", "pg_config"), "--pkglibdir"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join("build/dev-install", lib.lstrip("/"), "customer_seg.so")


def install(src, dst):
    """Replaces dst by a copy of src atomically (running backends keep their mapping)."""
    shutil.copyfile(src, dst + ".tmp")
    os.replace(dst + ".tmp", dst)


def main():
    if "AB_BEFORE" not in os.environ:
        sys.exit("set AB_BEFORE to the customer_seg.so to compare with the installed one")
    target = installed_library()
    after = "/tmp/assign_ab_after.so"
    shutil.copyfile(target, after)
    builds = {"before": os.environ["AB_BEFORE"], "after": after}
    with dbtest.fresh_database("assign_ab", load=()) as db:
        conn = dbtest.connect(db)
        cur = conn.cursor()
        for table, X in (("pts", blobs(N_LEAVES + N_ROWS)),
                         ("mkt", marketing(N_LEAVES + N_ROWS))):
            load_points(cur, X, table)
            cur.execute("CREATE TABLE m_%s AS SELECT hclust_fit(x, 5) AS m FROM %s WHERE id < %d"
                        % (table, table, N_LEAVES))
        conn.close()
        try:
            for rnd in range(3):
                for name, so in builds.items():
                    install(so, target)
                    conn = dbtest.connect(db)
                    cur = conn.cursor()
                    cur.execute("SET max_parallel_workers_per_gather = 0")
                    cur.execute("SELECT pg_backend_pid()")
                    pid = cur.fetchone()[0]
                    line = []
                    for table in ("pts", "mkt"):
                        first = run(cur, pid, "SELECT seg_assign(s.m, p.x) FROM %s p, m_%s s "
                                    "WHERE p.id = %d" % (table, table, N_LEAVES), reps=1)
                        line.append("first row %.3f s" % first[1])
                        rows = "FROM %s p WHERE p.id >= %d" % (table, N_LEAVES)
                        bare = run(cur, pid, "SELECT count(x) %s" % rows)
                        q = run(cur, pid, "SELECT count(seg_assign(s.m, p.x)) FROM %s p, m_%s s "
                                "WHERE p.id >= %d" % (table, table, N_LEAVES))
                        line.append("%s wall %.2f cpu %.2f" % (
                            "blobs" if table == "pts" else "marketing",
                            (q[1] - bare[1]) / N_ROWS * 1e6, (q[0] - bare[0]) / N_ROWS * 1e6))
                        # The same rows 4 times in one query (400,000 rows, one prepared model).
                        four = "FROM %s p, generate_series(1, 4) g, m_%s s WHERE p.id >= %d" % (
                            table, table, N_LEAVES)
                        bare4 = run(cur, pid, "SELECT count(p.x) %s" % four, reps=2)
                        q4 = run(cur, pid, "SELECT count(seg_assign(s.m, p.x)) %s" % four, reps=2)
                        line.append("x4 cpu %.2f" % ((q4[0] - bare4[0]) / (4 * N_ROWS) * 1e6))
                    print("round %d %-6s us/row: %s" % (rnd + 1, name, " | ".join(line)),
                          flush=True)
                    conn.close()
        finally:
            install(after, target)
    print("load average after:", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
