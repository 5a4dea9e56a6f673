# A wide table's fixed cost: 166,666 rows x 50 features (5 Gaussian groups, fixed seed); the
# bare scan, the k = 1 fit and a k = 5, n_init = 1 fit, parallel and serial plans, three
# repetitions. Run: pg_virtualenv -v 15 -o extension_destdir=$PWD/build/bench-install \
#   /usr/bin/python3 bench/wide_fixed_cost.py   (N=..., D=... change the shape)
import io, os, time
import numpy as np, psycopg2
rng = np.random.default_rng(7)
n = int(os.environ.get("N", "166666")); d = int(os.environ.get("D", "50"))
C = rng.standard_normal((5, d)) * 3
X = C[rng.integers(0, 5, n)] + rng.standard_normal((n, d))
c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
cur.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (" + ", ".join(f"f{j} float8" for j in range(d)) + ")")
buf = io.StringIO(); np.savetxt(buf, X, delimiter="\t", fmt="%.17g"); buf.seek(0); cur.copy_from(buf, "t"); cur.execute("VACUUM ANALYZE t")
arr = "ARRAY[" + ", ".join(f"f{j}" for j in range(d)) + "]"
def t(q):
    s = time.time(); cur.execute(q); cur.fetchall(); return time.time() - s
for plan in ("parallel", "serial"):
    cur.execute("RESET max_parallel_workers_per_gather" if plan == "parallel" else "SET max_parallel_workers_per_gather = 0")
    for rep in range(3):
        scan = t(f"SELECT count({arr}) FROM t")
        k1 = t(f"SELECT kmeans_fit({arr}, 1, '{{\"n_init\":1}}') IS NULL FROM t")
        k5 = t(f"SELECT kmeans_fit({arr}, 5, '{{\"n_init\":1}}') IS NULL FROM t")
        print(f"{plan} n={n} d={d}: scan {scan:.3f}s k=1 fit {k1:.3f}s ({k1/scan:.2f}x) k=5 n_init=1 {k5:.3f}s", flush=True)
