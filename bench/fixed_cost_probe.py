# Fixed-cost probe (issue 12): a k = 1 kmeans_fit against a bare scan of the same arrays,
# serial plan, on N (default 1M) rows of 8 random() columns, three repetitions. Run it on a
# throwaway cluster with a private install:
#   bash scripts/dev_check.sh bench/fixed_cost_probe.py; cat build/dev-fixed_cost_probe.log
# PERF=1 also records the backend with perf (3 more fits) and prints the top symbols.
import psycopg2, time, os, sys
N = int(os.environ.get("N", "1000000"))
c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
cur.execute("DROP TABLE IF EXISTS t")
cur.execute(f"CREATE TABLE t AS SELECT i AS id, random() f1, random()*100 f2, random()*1e4 f3, random() f4, random() f5, random() f6, random() f7, random() f8 FROM generate_series(1,{N}) i")
cur.execute("VACUUM ANALYZE t")
if not os.environ.get("PARALLEL"): cur.execute("SET max_parallel_workers_per_gather = 0")
arr = "ARRAY[f1,f2,f3,f4,f5,f6,f7,f8]"
def t(q):
    s = time.time(); cur.execute(q); cur.fetchall(); return time.time() - s
for rep in range(int(os.environ.get("REPS", "3"))):
    scan = t(f"SELECT count({arr}) FROM t")
    fit = t(f"SELECT kmeans_fit({arr}, 1, '{{\"n_init\":1}}') IS NULL FROM t")
    print(f"rep {rep}: scan {scan:.3f}s fit k=1 {fit:.3f}s ratio {fit/scan:.2f}", flush=True)
if os.environ.get("PERF"):
    import subprocess
    cur.execute("SELECT pg_backend_pid()"); pid = cur.fetchone()[0]
    p = subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/perf.fixed", "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    for _ in range(3): t(f"SELECT kmeans_fit({arr}, 1, '{{\"n_init\":1}}') IS NULL FROM t")
    p.send_signal(2); p.wait()
    os.system("perf report -i /tmp/perf.fixed --no-children --percent-limit 1 --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -45")
