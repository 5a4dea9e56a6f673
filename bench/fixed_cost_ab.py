# Fixed cost (issue 12), for comparing two builds side by side: the k = 1 fit against the bare
# scan (and a k = 8, n_init = 1 fit), 1M x 8 and 1M x 30 random() columns, parallel (server
# default) and serial plans, 3 repetitions; prints medians. Run once per build's install and
# alternate, e.g.
#   make install DESTDIR=$PWD/build/bench-install
#   TAG=new pg_virtualenv -v 15 -o extension_destdir=$PWD/build/bench-install \
#       /usr/bin/python3 bench/fixed_cost_ab.py
import os, statistics, time, psycopg2
c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
tag = os.environ.get("TAG", "?")
for d in (8, 30):
    cols = ", ".join(f"random()*{j+1} f{j}" for j in range(d))
    cur.execute(f"DROP TABLE IF EXISTS t{d}; CREATE TABLE t{d} AS SELECT {cols} FROM generate_series(1, 1000000)")
    cur.execute(f"VACUUM ANALYZE t{d}")
    arr = "ARRAY[" + ", ".join(f"f{j}" for j in range(d)) + "]"
    def t(q):
        s = time.time(); cur.execute(q); cur.fetchall(); return time.time() - s
    for plan in ("parallel", "serial"):
        cur.execute("RESET max_parallel_workers_per_gather" if plan == "parallel" else "SET max_parallel_workers_per_gather = 0")
        t(f"SELECT count({arr}) FROM t{d}")
        scans, fits, k8 = [], [], []
        for rep in range(3):
            scans.append(t(f"SELECT count({arr}) FROM t{d}"))
            fits.append(t(f"SELECT kmeans_fit({arr}, 1, '{{\"n_init\":1}}') IS NULL FROM t{d}"))
            k8.append(t(f"SELECT kmeans_fit({arr}, 8, '{{\"n_init\":1}}') IS NULL FROM t{d}"))
        m = statistics.median
        print(f"{tag} d={d} {plan}: scan {m(scans):.3f} s, k=1 fit {m(fits):.3f} s ({m([f/s for f, s in zip(fits, scans)]):.2f}x), k=8 n_init=1 {m(k8):.3f} s", flush=True)
