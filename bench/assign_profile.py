"""seg_assign's cost in the backend itself, for the models of bench/assign_bench.py (Ward with
20,000 leaves and k-means, 8 features, 100,000 rows labelled per query, the models joined or
through a scalar subquery): the backend's CPU time (from /proc, clock ticks of 10 ms, best of
3, net of a bare scan) rather than wall time, which the shared machine inflates.
PROF_MODE=perf instead records `perf record -g` of the backend during the joined Ward query into
PERF_OUT (default /tmp/perf.data) and prints `perf stat` of one more run.
Run: scripts/dev_check.sh bench/assign_profile.py
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, "test/integration")
sys.path.insert(0, "bench")
import dbtest  # noqa: E402
from assign_bench import N_LEAVES, N_ROWS, blobs, load_points  # noqa: E402


def cpu(pid):
    """User + system CPU seconds of process pid."""
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def run(cur, pid, sql, reps=3):
    """Best (backend CPU seconds, wall seconds) of reps runs of sql."""
    best = (1e9, 1e9)
    for _ in range(reps):
        c0, t0 = cpu(pid), time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        best = min(best, (cpu(pid) - c0, time.perf_counter() - t0))
    return best


def main():
    X = blobs(N_LEAVES + N_ROWS)
    mode = os.environ.get("PROF_MODE", "cpu")
    with dbtest.fresh_database("assign_profile", load=()) as db:
        conn = dbtest.connect(db)
        cur = conn.cursor()
        load_points(cur, X)
        cur.execute("CREATE TABLE models AS SELECT 'ward' AS kind, hclust_fit(x, 5) AS m "
                    "FROM pts WHERE id < %d" % N_LEAVES)
        cur.execute("INSERT INTO models SELECT 'kmeans', kmeans_fit(x, 5) FROM pts "
                    "WHERE id < %d" % N_LEAVES)
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        rows = "FROM pts WHERE id >= %d" % N_LEAVES
        joined = ("SELECT count(seg_assign(s.m, p.x)) FROM pts p, models s "
                  "WHERE s.kind = '%s' AND p.id >= %d")
        qs = {"bare": "SELECT count(x) %s" % rows,
              "kmeans": joined % ("kmeans", N_LEAVES),
              "ward": joined % ("ward", N_LEAVES),
              "ward_sub": "SELECT count(seg_assign((SELECT m FROM models WHERE kind = 'ward'), "
                          "x)) %s" % rows}
        if mode == "cpu":
            res = {k: run(cur, pid, q) for k, q in qs.items()}
            for k, (c, w) in res.items():
                print("%-9s cpu %.3f s wall %.3f s  net cpu us/row %.2f net wall us/row %.2f" % (
                    k, c, w, (c - res["bare"][0]) / N_ROWS * 1e6,
                    (w - res["bare"][1]) / N_ROWS * 1e6))
        else:
            run(cur, pid, qs["ward"], 1)
            out = os.environ.get("PERF_OUT", "/tmp/perf.data")
            p = subprocess.Popen(["perf", "record", "-g", "-o", out, "-p", str(pid)],
                                 stderr=subprocess.DEVNULL)
            time.sleep(1)
            run(cur, pid, qs["ward"], 2)
            p.send_signal(2)
            p.wait()
            s = subprocess.Popen(["perf", "stat", "-e", "instructions,cycles", "-p", str(pid)],
                                 stderr=subprocess.PIPE, text=True)
            time.sleep(0.5)
            run(cur, pid, qs["ward"], 1)
            s.send_signal(2)
            print(s.communicate()[1])
        conn.close()


if __name__ == "__main__":
    main()
