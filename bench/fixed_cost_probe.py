# Fixed-cost probe (issue 12): a k = 1 kmeans_fit against a bare scan of the same arrays, and
# scaler_fit (which buffers the same rows, sorts them and takes their moments: the part of the
# fixed cost that is not clustering), on N (default 1M) rows of 8 random() columns, REPS
# (default 7) interleaved repetitions per plan (PLANS: "parallel,serial"); medians and all
# runs, wall time. Run it on a throwaway cluster with a private install:
#   bash scripts/dev_check.sh bench/fixed_cost_probe.py; cat build/dev-fixed_cost_probe.log
# or: pg_virtualenv -t -v 15 -o extension_destdir=$PWD/build/bench-install \
#         /usr/bin/python3 bench/fixed_cost_probe.py
# PERF=1 also records the backend with perf (3 more serial fits) and prints the top symbols.
# Every line also gives the leader backend's minor page faults and user/system CPU seconds per
# query (medians, from /proc/<pid>/stat; a parallel plan's workers are other processes).
import psycopg2, time, os, statistics
N = int(os.environ.get("N", "1000000"))
REPS = int(os.environ.get("REPS", "7"))
PLANS = {"parallel": 2, "serial": 0}
c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
cur.execute("DROP TABLE IF EXISTS t")
cur.execute(f"CREATE TABLE t AS SELECT i AS id, random() f1, random()*100 f2, random()*1e4 f3, random() f4, random() f5, random() f6, random() f7, random() f8 FROM generate_series(1,{N}) i")
cur.execute("VACUUM ANALYZE t")
arr = "ARRAY[f1,f2,f3,f4,f5,f6,f7,f8]"
QUERIES = {"scan": f"SELECT count({arr}) FROM t",
           "scaler_fit": f"SELECT scaler_fit({arr}) IS NULL FROM t",
           "kmeans_fit k=1": f"SELECT kmeans_fit({arr}, 1, '{{\"n_init\":1}}') IS NULL FROM t"}
cur.execute("SELECT pg_backend_pid()"); backend = cur.fetchone()[0]
TICK = os.sysconf("SC_CLK_TCK")
def backend_counters():
    # minor faults, user and system CPU seconds of the backend so far
    f = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
    return int(f[7]), int(f[11]) / TICK, int(f[12]) / TICK
counters = {}
def t(q, key=None):
    a = backend_counters()
    s = time.time(); cur.execute(q); cur.fetchall(); wall = time.time() - s
    b = backend_counters()
    if key is not None: counters.setdefault(key, []).append([y - x for x, y in zip(a, b)])
    return wall
plans = os.environ.get("PLANS", "parallel,serial").split(",")
times = {(p, q): [] for p in plans for q in QUERIES}
t(QUERIES["scan"])  # warm the caches
for rep in range(REPS):
    for p in plans:
        cur.execute(f"SET max_parallel_workers_per_gather = {PLANS[p]}")
        for q, sql in QUERIES.items():
            times[(p, q)].append(t(sql, (p, q)))
print(f"{N} rows x 8, median of {REPS} runs (wall time)")
for p in plans:
    scan = statistics.median(times[(p, "scan")])
    for q in QUERIES:
        med = statistics.median(times[(p, q)])
        c = [statistics.median(col) for col in zip(*counters[(p, q)])]
        print(f"  {p:8} {q:15} {med:.3f} s ({med / scan:.2f}x the scan)  leader: {c[0]:.0f} "
              f"minor faults, user {c[1]:.2f} s, sys {c[2]:.2f} s  runs: "
              + " ".join(f"{x:.3f}" for x in times[(p, q)]), flush=True)
if os.environ.get("PERF"):
    import subprocess
    cur.execute("SET max_parallel_workers_per_gather = 0")
    cur.execute("SELECT pg_backend_pid()"); pid = cur.fetchone()[0]
    p = subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/perf.fixed", "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    for _ in range(3): t(QUERIES["kmeans_fit k=1"])
    p.send_signal(2); p.wait()
    os.system("perf report -i /tmp/perf.fixed --no-children --percent-limit 1 --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -45")
