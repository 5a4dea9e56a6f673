# Odd data shapes, ours (default kmeans_fit, n_init = 10 and 1, seeds 0 and 1) against
# scikit-learn on the same standard-scaled rows, one pair at a time: a probe for pathologies
# (time or inertia) beyond the shapes suite, not a benchmark. Shapes: survey-like integer
# columns (ties), one money column, one dominant group (skew), values near 1e9 with small
# spreads (cents), a constant and a near-constant column (lowvar), 50 features (d50).
# Run: pg_virtualenv -v 15 -o extension_destdir=$PWD/build/bench-install \
#          /usr/bin/python3 bench/odd_shapes.py      (N=rows, ONLY=ties,d50 to choose)
import io, json, os, sys, time
import numpy as np
import psycopg2
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
rng = np.random.default_rng(7)
N = int(os.environ.get("N", "500000"))
def ties(n):   # survey answers / RFM scores: 8 integer columns of 3..5 levels
    return rng.integers(1, 6, (n, 8)).astype(float) * np.array([1, 1, 1, 1, 2, 2, 3, 10])
def d1(n):
    return rng.lognormal(3, 1.2, (n, 1))
def skew(n):
    X = rng.standard_normal((n, 5)); m = n // 33
    for g in range(7): X[g * m // 7:(g + 1) * m // 7] += rng.uniform(-20, 20, 5)
    return X
def cents(n):
    return 1e9 + rng.standard_normal((n, 4)) * np.array([1, 10, 100, 1000]) + np.repeat(rng.integers(0, 5, (n, 1)), 4, 1) * 50
def lowvar(n):
    X = rng.standard_normal((n, 6)); X[:, 2] = 42.0; X[:, 4] = np.round(X[:, 4] * 1e-3, 6); return X
def d50(n):
    n = n // 3; C = rng.standard_normal((5, 50)) * 3
    return C[rng.integers(0, 5, n)] + rng.standard_normal((n, 50))
SHAPES = [("ties", ties, 8), ("d1", d1, 10), ("skew", skew, 8), ("cents", cents, 5),
          ("lowvar", lowvar, 6), ("d50", d50, 5)]
only = os.environ.get("ONLY")
c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
for name, f, k in SHAPES:
    if only and name not in only.split(","): continue
    X = f(N); n, d = X.shape
    cols = ", ".join(f"f{j} float8" for j in range(d))
    cur.execute(f"DROP TABLE IF EXISTS t; CREATE TABLE t ({cols})")
    buf = io.StringIO(); np.savetxt(buf, X, delimiter="\t", fmt="%.17g"); buf.seek(0)
    cur.copy_from(buf, "t"); cur.execute("VACUUM ANALYZE t")
    arr = "ARRAY[" + ", ".join(f"f{j}" for j in range(d)) + "]"
    Xs = StandardScaler().fit_transform(X)
    for n_init in (10, 1):
        for seed in (0, 1):
            s = time.time(); cur.execute(f"SELECT kmeans_fit({arr}, {k}, %s)::text FROM t", (json.dumps({"n_init": n_init, "seed": seed}),))
            ours = time.time() - s; mo = json.loads(cur.fetchone()[0])
            s = time.time(); km = KMeans(k, n_init=n_init, random_state=seed).fit(Xs); sk = time.time() - s
            print(f"{name:7s} n={n} d={d} k={k} n_init={n_init} seed={seed}: ours {ours:6.2f}s sklearn {sk:6.2f}s ratio {ours/sk:5.2f} | inertia ours/sk {mo['inertia']/km.inertia_:.6f} n_iter {mo.get('n_iter')}/{km.n_iter_}", flush=True)
