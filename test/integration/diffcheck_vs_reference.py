"""Differential check of customer_seg against scikit-learn / scipy on random data shapes.

Generates DIFFCHECK_SETS data sets from DIFFCHECK_SEED (n from 3 to ~3000, d from 1 to ~20,
k from 1 to 12; blobs, overlapping groups, heavy-tailed money columns, duplicate rows, ties,
constant / integer / mostly-zero columns, values near 1e12 and near 1e-9, a large offset),
loads each into a table and compares, through SQL, with the reference on the same scaled rows
(the model's own `seg_scale`, itself compared with StandardScaler):

  scaler      scaler_fit / seg_scale vs StandardScaler (1e-12)
  kmeans      kmeans_fit inertia (n_init 10) <= 1.001 x KMeans(n_init=10) (else medians over
              5 seeds, else the odds that one plain-Lloyd start reaches the best basin over
              100 starts each); seg_assign reproduces "sizes" and "inertia"; numbering by
              size, ties by centroid
  hclust      every linkage: seg_dendrogram heights vs scipy linkage of the model's leaves
              (the scaled rows in canonical order; 1e-9 relative), the cut vs
              fcluster(maxclust) as partitions (or vs maxclust by its definition where scipy
              1.10's fcluster has gh-12651), sizes, numbering
  dbscan      noise, core rows and their partition vs sklearn DBSCAN (eps halfway between two
              distances; on integer rows also unscaled with eps exactly a distance that
              occurs); border rows joined to the nearest core row (README: scikit-learn's rule
              depends on row order); all noise: ours refuses (22000), as documented
  gmm         every covariance type: our log_likelihood equals score() of our own parameters,
              bic / aic by scikit-learn's formulas from it, not materially worse than
              GaussianMixture (random_state 0) by more than 1e-3 relative (else medians over
              5, then 10 seeds); seg_assign reproduces "sizes"
  scores      silhouette / davies_bouldin / calinski_harabasz (plain forms on the raw rows,
              silhouette's model form on the scaled rows) vs sklearn.metrics (1e-9)
  project     seg_project vs PCA(2, svd_solver="full") up to sign (1e-9; axes whose variance
              is tied with the next one are ill-defined and skipped)
  yeojohnson  lambdas vs PowerTransformer(standardize=False) (1e-6; where they differ, the
              profile log-likelihood, accurately evaluated and if need be in 50 digits,
              decides who is right; constant and ill-conditioned columns are reported)

Every SQL error is recorded with its SQLSTATE; XX000 or a lost connection is a failure.
Not part of the test command: `make diffcheck` (DIFFCHECK_SETS, DIFFCHECK_SEED), or
  pg_virtualenv -t -v 15 -o extension_destdir=$PWD/build/dev-install \
      /usr/bin/python3 test/integration/diffcheck_vs_reference.py
after `bash scripts/dev_check.sh setup` has installed the build.
"""
import collections
from decimal import Decimal, getcontext
from fractions import Fraction
import io
import json
import math
import os
import sys
import traceback
import warnings

import numpy as np
import psycopg2
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import cdist
from sklearn.cluster import DBSCAN, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
from sklearn.preprocessing import PowerTransformer, StandardScaler

from dbtest import connect, fresh_database

warnings.filterwarnings("ignore")

SHAPES = ["blobs", "overlap", "heavy", "duplicates", "ties", "constant", "integer", "huge",
          "tiny", "zeros", "offset", "mixed"]


def make_data(rng, shape):
    """One data set of the named shape: (X, k, description)."""
    n = int(round(math.exp(rng.uniform(math.log(3), math.log(3000)))))
    d = int(rng.integers(1, 21))
    k = int(rng.integers(1, min(12, n) + 1))
    g = int(rng.integers(1, 9))
    spread = 6.0 if shape != "overlap" else 0.8
    centers = rng.normal(0, spread, size=(g, d))
    X = centers[rng.integers(0, g, n)] + rng.normal(0, 1, size=(n, d)) * rng.uniform(0.3, 2, d)
    if shape == "heavy" or shape == "mixed":
        for j in range(d):
            if rng.random() < 0.6:
                X[:, j] = (rng.lognormal(3, 1.5, n) if rng.random() < 0.5
                           else (rng.pareto(1.5, n) + 1) * 100)
    if shape == "duplicates" or (shape == "mixed" and rng.random() < 0.5):
        m = int(rng.integers(1, max(2, n // 3) + 1))
        X = X[rng.integers(0, m, n)]
    if shape == "ties":
        X = np.round(X / 2)
    if shape == "constant" or (shape == "mixed" and rng.random() < 0.3):
        X[:, int(rng.integers(0, d))] = float(rng.choice([0.0, 7.0, -3.25, 1e6]))
    if shape == "integer" or (shape == "mixed" and rng.random() < 0.3):
        X = np.round(X * 3)
    if shape == "huge":
        X = X * 1e12
    if shape == "tiny":
        X = X * 1e-9
    if shape == "zeros" or (shape == "mixed" and rng.random() < 0.3):
        j = int(rng.integers(0, d))
        X[:, j] = np.where(rng.random(n) < 0.95, 0.0, rng.lognormal(2, 1, n))
    if shape == "offset":
        X = X + 1e7
    return X, k, f"{shape} n={n} d={d} k={k} groups={g}"


def rel(a, b):
    """|a - b| relative to the larger magnitude (0 when both are 0)."""
    s = max(abs(a), abs(b))
    return 0.0 if s == 0 else abs(a - b) / s


def same_partition(a, b):
    """True when labelings a and b put the same rows together (up to renumbering)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def numbering_ok(labels, Xs, k):
    """Labels 0..k-1, sizes non-increasing, equal sizes ordered by centroid (lexicographic)."""
    if len(labels) and (labels.min() < 0 or labels.max() >= k):
        return False
    sizes = np.bincount(labels, minlength=k)
    keys = []
    for c in range(k):
        cen = Xs[labels == c].mean(axis=0) if sizes[c] else None
        keys.append((-sizes[c], cen))
    for c in range(k - 1):
        if keys[c][0] > keys[c + 1][0]:
            return False
        if keys[c][0] == keys[c + 1][0] and keys[c][1] is not None and keys[c + 1][1] is not None:
            a, b = keys[c][1], keys[c + 1][1]
            diff = np.nonzero(np.abs(a - b) > 1e-9 * (1 + np.abs(a)))[0]
            if len(diff) and a[diff[0]] > b[diff[0]]:
                return False
    return True


def maxclust_cut(Z, n, k):
    """fcluster(Z, k, "maxclust") by its definition: every merge at or below the lowest
    height that leaves at most k clusters (scipy 1.10's fcluster gets small trees wrong);
    k >= n: singletons, except equal rows (merged at height 0) stay together (README)."""
    parent = list(range(2 * n - 1))

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    t = Z[n - k - 1, 2] if k < n else 0.0
    for i in range(n - 1):
        if Z[i, 2] <= t:
            parent[root(int(Z[i, 0]))] = n + i
            parent[root(int(Z[i, 1]))] = n + i
    return np.array([root(i) for i in range(n)])


def exact_silhouette(X, labels):
    """Silhouette from directly computed differences (no |a|^2+|b|^2-2ab cancellation)."""
    D = cdist(X, X)
    out = np.zeros(len(X))
    uniq = np.unique(labels)
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, labels == c].mean() for c in uniq if c != labels[i])
        out[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return out.mean()


def exact_davies_bouldin(X, labels):
    """Davies-Bouldin in 40-digit decimals from the rows' exact binary values."""
    getcontext().prec = 40
    uniq = sorted(set(labels.tolist()))
    rows = [[Decimal(float(v)) for v in r] for r in X]
    d = X.shape[1]
    cents, spread = [], []
    for c in uniq:
        idx = np.nonzero(labels == c)[0]
        cen = [sum(rows[i][j] for i in idx) / len(idx) for j in range(d)]
        cents.append(cen)
        spread.append(sum(sum((rows[i][j] - cen[j]) ** 2 for j in range(d)).sqrt()
                          for i in idx) / len(idx))
    worst = []
    for a in range(len(uniq)):
        best = Decimal(0)
        for b in range(len(uniq)):
            if a != b:
                sep = sum((cents[a][j] - cents[b][j]) ** 2 for j in range(d)).sqrt()
                best = max(best, (spread[a] + spread[b]) / sep if sep else Decimal("Infinity"))
        worst.append(best)
    return float(sum(worst) / len(worst))


def exact_calinski_harabasz(X, labels):
    """Calinski-Harabasz in exact rational arithmetic (1.0 when the clusters have no spread,
    as scikit-learn)."""
    uniq = sorted(set(labels.tolist()))
    rows = [[Fraction(float(v)) for v in r] for r in X]
    n, d = X.shape
    mean = [sum(r[j] for r in rows) / n for j in range(d)]
    extra = intra = Fraction(0)
    for c in uniq:
        idx = np.nonzero(labels == c)[0]
        cen = [sum(rows[i][j] for i in idx) / len(idx) for j in range(d)]
        extra += len(idx) * sum((cen[j] - mean[j]) ** 2 for j in range(d))
        intra += sum((rows[i][j] - cen[j]) ** 2 for i in idx for j in range(d))
    if intra == 0:
        return 1.0
    return float(extra * (n - len(uniq)) / (intra * (len(uniq) - 1)))


def yj_stable(x, lam):
    """psi(x, lam) by expm1 / log1p (accurate for values near 0, unlike the pow form)."""
    pos = x >= 0
    y = np.empty_like(x)
    y[pos] = np.log1p(x[pos]) if abs(lam) < np.spacing(1.0) else \
        np.expm1(lam * np.log1p(x[pos])) / lam
    y[~pos] = -np.log1p(-x[~pos]) if abs(lam - 2) <= np.spacing(1.0) else \
        -np.expm1((2 - lam) * np.log1p(-x[~pos])) / (2 - lam)
    return y


def yj_loglik(x, lam):
    """PowerTransformer's Yeo-Johnson profile log-likelihood of lam on column x, computed
    with the accurate psi (yj_stable)."""
    var = yj_stable(x, lam).var()
    return -len(x) / 2 * np.log(var) + (lam - 1) * (np.sign(x) * np.log1p(np.abs(x))).sum()


def yj_loglik_exact(x, lam):
    """yj_loglik in 50-digit decimals from the exact binary values of x and lam."""
    getcontext().prec = 50
    lam_d, one, two = Decimal(float(lam)), Decimal(1), Decimal(2)
    ys, jac = [], Decimal(0)
    for v in x:
        v = Decimal(float(v))
        if v >= 0:
            ys.append((one + v).ln() if lam_d == 0 else
                      (((one + v).ln() * lam_d).exp() - one) / lam_d)
            jac += (one + v).ln()
        else:
            ys.append(-(one - v).ln() if lam_d == two else
                      -((((one - v).ln() * (two - lam_d)).exp() - one) / (two - lam_d)))
            jac -= (one - v).ln()
    mean = sum(ys) / len(ys)
    var = sum((y - mean) ** 2 for y in ys) / len(ys)
    if var == 0:
        return -math.inf
    return float(-Decimal(len(ys)) / 2 * var.ln() + (lam_d - one) * jac)


def gmm_n_parameters(cov, k, d):
    """scikit-learn's GaussianMixture._n_parameters."""
    cov_p = {"full": k * d * (d + 1) / 2, "diag": k * d, "tied": d * (d + 1) / 2,
             "spherical": k}[cov]
    return int(cov_p + k * d + k - 1)


class Run:
    """Counts checks, keeps every disagreement and the distributions to report."""

    def __init__(self):
        self.checks = collections.Counter()
        self.fails = collections.Counter()
        self.notes = collections.Counter()
        self.details = []
        self.kmeans_ratios = []
        self.kmeans_median_ratios = []
        self.gmm_worse = []
        self.gmm_median_worse = []
        self.errors = collections.Counter()

    def check(self, area, ok, what):
        """One comparison; a disagreement is printed and kept."""
        self.checks[area] += 1
        if not ok:
            self.fails[area] += 1
            self.details.append(f"{area}: {what}")
            print(f"  DISAGREE {area}: {what}", flush=True)

    def note(self, area, what):
        """A documented difference, counted and printed, not a failure."""
        self.notes[area] += 1
        print(f"  note {area}: {what}", flush=True)


def load(cur, X):
    """Replaces table t with the rows of X (id from 1, x float8[])."""
    cur.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, x float8[])")
    buf = io.StringIO()
    for i, row in enumerate(X):
        buf.write(f"{i + 1}\t{{{','.join(repr(float(v)) for v in row)}}}\n")
    buf.seek(0)
    cur.copy_expert("COPY t FROM STDIN", buf)


def sql(run, conn, area, query, args=None, expect=None):
    """Runs a query; returns its rows or None on error (recorded; XX000 is a failure)."""
    try:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()
    except psycopg2.OperationalError as e:
        run.check(area, False, f"connection lost: {e}".strip())
        raise
    except psycopg2.Error as e:
        msg = (e.pgerror or str(e)).strip().splitlines()[0]
        run.errors[(area, e.pgcode, msg[:120])] += 1
        if expect is None or e.pgcode not in expect:
            run.check(area, e.pgcode not in ("XX000", None) and expect is not None,
                      f"SQLSTATE {e.pgcode}: {msg}")
        return None


def model_json(run, conn, area, fit, expect=None):
    """Fits a model by the aggregate expression fit over t; (json, model text) or None."""
    rows = sql(run, conn, area, f"SELECT m::text FROM (SELECT {fit} AS m FROM t) s", expect=expect)
    if rows is None or rows[0][0] is None:
        return None
    return json.loads(rows[0][0]), rows[0][0]


def labels_of(run, conn, area, model_text):
    """seg_assign of every training row, in id order."""
    rows = sql(run, conn, area, "SELECT seg_assign(%s::segmodel, x) FROM t ORDER BY id",
               (model_text,))
    return None if rows is None else np.array([r[0] if r[0] is not None else -2 for r in rows])


def check_scaler(run, conn, X):
    """scaler_fit and seg_scale against StandardScaler; returns our scaled rows."""
    ref = StandardScaler().fit(X)
    rows = sql(run, conn, "scaler", "SELECT scaler_fit(x)::text FROM t")
    if rows:
        s = json.loads(rows[0][0])
        for j in range(X.shape[1]):
            ok = (rel(s["center"][j], ref.mean_[j]) <= 1e-12 or
                  abs(s["center"][j] - ref.mean_[j]) <= 1e-12 * ref.scale_[j])
            run.check("scaler", ok and rel(s["scale"][j], ref.scale_[j]) <= 1e-12,
                      f"feature {j}: center {s['center'][j]!r} scale {s['scale'][j]!r} vs "
                      f"sklearn {ref.mean_[j]!r} {ref.scale_[j]!r}")
    rows = sql(run, conn, "scaler", "SELECT seg_scale(s, x) FROM t, (SELECT scaler_fit(x) s "
               "FROM t) f ORDER BY id")
    if rows is None:
        return ref.transform(X)
    Xs = np.array([r[0] for r in rows], dtype=float)
    # rounding of x - center: relative to |x| / scale, not to the scaled value
    bound = 1e-12 * (1 + np.abs(X) / ref.scale_)
    worst = float(np.max(np.abs(Xs - ref.transform(X)) / bound)) * 1e-12
    run.check("scaler", worst <= 1e-12,
              f"seg_scale rows differ from StandardScaler.transform by {worst:.2e} "
              f"(of 1 + |x|/scale)")
    return Xs


def check_kmeans(run, conn, Xs, k):
    """kmeans_fit against KMeans(n_init=10); returns our labels (or None)."""
    got = model_json(run, conn, "kmeans", f"kmeans_fit(x, {k})")
    if got is None:
        return None, None
    m, text = got
    ref = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Xs)
    total = float(((Xs - Xs.mean(axis=0)) ** 2).sum())
    ratio = m["inertia"] / ref.inertia_ if ref.inertia_ > 1e-12 * (1 + total) else 1.0
    if ref.inertia_ <= 1e-12 * (1 + total):
        ok = m["inertia"] <= 1e-9 * (1 + total)
    else:
        ok = ratio <= 1.001
        run.kmeans_ratios.append(ratio)
    if not ok and ref.inertia_ > 1e-12 * (1 + total):
        # one seed against one random_state is luck: compare the medians over 5 of each
        ours5 = [m["inertia"]] + [sql(run, conn, "kmeans", f"SELECT (kmeans_fit(x, {k}, "
                                      f"'{{\"seed\": {s}}}')::jsonb->>'inertia')::float8 FROM t")
                                  [0][0] for s in range(1, 5)]
        ref5 = [ref.inertia_] + [KMeans(n_clusters=k, n_init=10, random_state=s).fit(Xs).inertia_
                                 for s in range(1, 5)]
        mratio = float(np.median(ours5) / np.median(ref5))
        run.kmeans_median_ratios.append(mratio)
        ok = mratio <= 1.001
        if ok:
            run.note("kmeans", f"seed 0 inertia {m['inertia']!r} vs random_state 0 "
                               f"{ref.inertia_!r} (ratio {ratio:.6f}); medians over 5 seeds "
                               f"ratio {mratio:.6f}")
        else:
            # still behind: is one start of ours (plain Lloyd, as scikit-learn) less likely
            # to reach the best basin than one of scikit-learn's? 100 starts each.
            rows = sql(run, conn, "kmeans", f"SELECT (kmeans_fit(x, {k}, ('{{\"n_init\": 1, "
                       f"\"refine\": \"none\", \"seed\": ' || s || '}}')::jsonb)::jsonb->>"
                       f"'inertia')::float8 FROM t, generate_series(0, 99) s GROUP BY s")
            ours1 = np.array([r[0] for r in rows or []])
            ref1 = np.array([KMeans(n_clusters=k, n_init=1, random_state=s).fit(Xs).inertia_
                             for s in range(100)])
            best = min(ours1.min() if len(ours1) else np.inf, ref1.min())
            po, pr = float(np.mean(ours1 <= 1.001 * best)), float(np.mean(ref1 <= 1.001 * best))
            p = (po + pr) / 2
            ok = po >= pr - 3 * math.sqrt(max(p * (1 - p), 1e-4) * 2 / 100)
            what = (f"seed 0 inertia {m['inertia']!r} vs random_state 0 {ref.inertia_!r} (ratio "
                    f"{ratio:.6f}), medians over 5 seeds {mratio:.6f}; one start reaches "
                    f"1.001 x the best: ours {po:.2f}, sklearn {pr:.2f} of 100")
            if ok:
                run.note("kmeans", what + " (same odds: luck of the seeds)")
    run.check("kmeans", ok, f"inertia {m['inertia']!r} vs sklearn {ref.inertia_!r} "
                            f"(ratio {ratio:.6f}; medians over 5 seeds and the odds of one "
                            f"start behind too)")
    labels = labels_of(run, conn, "kmeans", text)
    if labels is None:
        return None, text
    run.check("kmeans", list(np.bincount(labels[labels >= 0], minlength=k)) == m["sizes"],
              f"seg_assign counts {np.bincount(labels[labels >= 0], minlength=k).tolist()} "
              f"vs sizes {m['sizes']}")
    C = np.array(m["centroids"])
    inertia = float(((Xs - C[labels]) ** 2).sum())
    run.check("kmeans", abs(inertia - m["inertia"]) <= 1e-9 * (abs(inertia) + 1e-12 * total),
              f"inertia of seg_assign labels {inertia!r} vs model {m['inertia']!r}")
    run.check("kmeans", numbering_ok(labels, Xs, k), f"numbering rule: sizes {m['sizes']}")
    return labels, text


def check_hclust(run, conn, Xs, k):
    """hclust_fit, every linkage, against scipy's linkage and fcluster."""
    for method in ("ward", "complete", "average", "single"):
        got = model_json(run, conn, "hclust",
                         f"hclust_fit(x, {k}, '{{\"linkage\": \"{method}\"}}')")
        if got is None:
            continue
        m, text = got
        # scipy on the model's leaves: the scaled rows in its canonical order (lexicographic
        # on the original values, -0 before +0): with tied distances complete linkage
        # depends on the row order (README). Row oi[j] is leaf ol[j].
        leaves = np.array(m["leaves"], dtype=float).reshape(-1, Xs.shape[1])
        oi, ol = np.lexsort(Xs.T[::-1]), np.lexsort(leaves.T[::-1])
        if not np.array_equal(Xs[oi], leaves[ol]):
            run.check("hclust", False, f"{method}: the leaves are not the scaled rows")
            continue
        order = np.empty(len(Xs), dtype=int)
        order[ol] = oi                     # leaf j is row order[j]
        Z = linkage(leaves, method) if len(Xs) > 1 else np.zeros((0, 4))
        rows = sql(run, conn, "hclust", "SELECT height, left_node, right_node FROM "
                   "seg_dendrogram(%s::segmodel) ORDER BY step", (text,))
        if rows is None:
            continue
        h = np.array([r[0] for r in rows], dtype=float)
        pairs = np.array([r[1:] for r in rows], dtype=float).reshape(-1, 2)
        run.check("hclust", len(h) == len(Z), f"{method}: {len(h)} merges vs scipy {len(Z)}")
        if len(h) == len(Z) and len(h):
            top = max(float(Z[:, 2].max()), 1e-300)
            err = np.abs(h - Z[:, 2]) / np.maximum(np.abs(Z[:, 2]), 1e-9 * top)
            worst = int(np.argmax(err))
            split = np.nonzero(np.any(pairs != Z[:, :2], axis=1))[0]
            first_bad = int(np.argmax(err > 1e-9))
            if err[worst] > 1e-9 and method == "ward" and len(split) and split[0] < first_bad:
                # README: Ward's heights come from centroids, scipy's from Lance-Williams;
                # an exact tie between two merges may go either way, and the trees differ
                # after it
                run.note("hclust", f"ward: tied merges at step {split[0]} (height "
                                   f"{h[split[0]]!r}) taken in another order than scipy; "
                                   f"heights differ after it (step {worst}: {h[worst]!r} vs "
                                   f"{Z[worst, 2]!r})")
            else:
                run.check("hclust", err[worst] <= 1e-9,
                          f"{method}: height {worst} {h[worst]!r} vs scipy {Z[worst, 2]!r} "
                          f"(rel {err[worst]:.2e})")
        labels = labels_of(run, conn, "hclust", text)
        if labels is None:
            continue
        ref = np.ones(len(Xs), dtype=int)
        if len(Xs) > 1:
            ref[order] = fcluster(Z, k, "maxclust")
        kk = m["k"]
        run.check("hclust", list(np.bincount(labels, minlength=kk)) == m["sizes"],
                  f"{method}: seg_assign counts {np.bincount(labels, minlength=kk).tolist()} "
                  f"vs sizes {m['sizes']}")
        if not same_partition(labels, ref):
            own = np.zeros(len(Xs), dtype=int)
            own[order] = maxclust_cut(Z, len(Xs), k)
            if same_partition(labels, own) and not same_partition(ref, own):
                run.note("hclust", f"{method}: cut at k={k} of {len(Xs)} rows: ours "
                                   f"{len(set(labels))} clusters = maxclust by definition "
                                   f"(equal rows together), scipy 1.10 fcluster "
                                   f"{len(set(ref))} (gh-12651)")
            else:
                tied = len(Z) and np.any(np.abs(np.diff(Z[:, 2])) <= 1e-12 * max(1, Z[:, 2].max()))
                run.check("hclust", False,
                          f"{method}: cut at k={k} differs from fcluster ({len(set(labels))} vs "
                          f"{len(set(ref))} clusters; tied heights: {bool(tied)})")
        else:
            run.check("hclust", True, "")
        run.check("hclust", numbering_ok(labels, Xs, kk), f"{method}: numbering, sizes "
                                                           f"{m['sizes']}")


def check_dbscan(run, conn, Xs, rng, eps=None, options=""):
    """dbscan_fit against sklearn's DBSCAN on the same scaled rows (Xs: the raw rows with
    options '"scale": "none"')."""
    n = len(Xs)
    ms = int(rng.integers(1, min(10, n) + 1))
    D = cdist(Xs, Xs)
    if eps is None:
        kd = np.sort(np.sort(D, axis=1)[:, ms - 1])
        cand = np.unique(D[np.triu_indices(n, 1)])
        cand = cand[cand > 0]
        # distances equal but for rounding (lattice rows) count as one: eps must not fall
        # between them, where either answer is right
        cand = cand[np.concatenate([[True], np.diff(cand) > 1e-9 * cand[1:]])] if len(cand) \
            else cand
        if len(cand) < 2:
            return
        q = float(np.quantile(kd, rng.uniform(0.2, 0.95)))
        i = min(int(np.searchsorted(cand, q)), len(cand) - 2)
        eps = float((cand[i] + cand[i + 1]) / 2)   # halfway between two distances: no tie
    ref = DBSCAN(eps=eps, min_samples=ms).fit(Xs)
    all_noise = bool(np.all(ref.labels_ == -1))
    got = model_json(run, conn, "dbscan", f"dbscan_fit(x, {eps!r}, {ms}{options})",
                     expect=("22000",) if all_noise else None)
    if all_noise:
        # README: no cluster, no model: dbscan_fit refuses (22000) where sklearn labels all -1
        run.check("dbscan", got is None, f"eps={eps!r} min_samples={ms}: sklearn finds only "
                                         f"noise, ours a model")
        return
    if got is None:
        return
    m, text = got
    labels = labels_of(run, conn, "dbscan", text)
    if labels is None:
        return
    rl = ref.labels_
    run.check("dbscan", np.array_equal(labels == -1, rl == -1),
              f"eps={eps!r} min_samples={ms}: noise rows {int((labels == -1).sum())} vs "
              f"sklearn {int((rl == -1).sum())}")
    core = np.zeros(n, bool)
    core[ref.core_sample_indices_] = True
    ours_core = np.array(sorted(map(tuple, np.array(m["core_points"]).reshape(-1, Xs.shape[1]))))
    ref_core = np.array(sorted(map(tuple, Xs[core])))
    run.check("dbscan", ours_core.shape == ref_core.shape and
              (len(ref_core) == 0 or np.max(np.abs(ours_core - ref_core)) <= 1e-12),
              f"eps={eps!r} min_samples={ms}: {len(ours_core)} core points vs sklearn "
              f"{len(ref_core)}")
    run.check("dbscan", same_partition(labels[core], rl[core]),
              f"eps={eps!r} min_samples={ms}: core rows partitioned differently")
    run.check("dbscan", list(np.bincount(labels[labels >= 0], minlength=m["k"])) == m["sizes"]
              and int(m["n_noise"]) == int((labels == -1).sum()),
              f"seg_assign counts vs sizes {m['sizes']} / n_noise {m['n_noise']}")
    border = (~core) & (rl != -1) & (labels != -1)
    if border.any() and same_partition(labels[core], rl[core]):
        mapping = dict(zip(rl[core].tolist(), labels[core].tolist()))
        moved = int(sum(mapping.get(r) != l for r, l in zip(rl[border], labels[border])))
        if moved:
            run.note("dbscan", f"{moved} border rows in another cluster than sklearn's "
                               f"(nearest core row vs first reached; README)")
        # ours: the cluster of the nearest core row (of one of them, on a tie)
        dc = np.where(core[None, :], D[border], np.inf)
        nearest = dc <= dc.min(axis=1, keepdims=True)
        ok = [labels[b] in set(labels[nearest[i]].tolist())
              for i, b in enumerate(np.nonzero(border)[0])]
        run.check("dbscan", all(ok), f"{ok.count(False)} border rows not labelled by their "
                                     f"nearest core row")


def check_gmm(run, conn, Xs, k):
    """gmm_fit, every covariance type, against GaussianMixture."""
    n, d = Xs.shape
    for cov in ("full", "tied", "diag", "spherical"):
        got = model_json(run, conn, "gmm", f"gmm_fit(x, {k}, '{{\"covariance\": \"{cov}\"}}')")
        if got is None:
            continue
        m, text = got
        ll = m["log_likelihood"]
        g = GaussianMixture(k, covariance_type=cov)
        g.weights_ = np.array(m["weights"])
        g.means_ = np.array(m["centroids"])
        shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[cov]
        g.covariances_ = np.array(m["covariances"]).reshape(shape)
        try:
            g.precisions_cholesky_ = _compute_precision_cholesky(g.covariances_, cov)
            own = float(g.score(Xs))
        except Exception as e:   # our covariances not positive definite for numpy
            own = float("nan")
            run.check("gmm", False, f"{cov}: our covariances refused by sklearn: {e}")
        run.check("gmm", rel(own, ll) <= 1e-6 or abs(own - ll) <= 1e-9,
                  f"{cov} k={k}: log_likelihood {ll!r} vs score() of our parameters {own!r}")
        p = gmm_n_parameters(cov, k, d)
        bic, aic = -2 * ll * n + p * math.log(n), -2 * ll * n + 2 * p
        run.check("gmm", rel(bic, m["bic"]) <= 1e-9 and rel(aic, m["aic"]) <= 1e-9,
                  f"{cov}: bic {m['bic']!r} aic {m['aic']!r} vs formulas {bic!r} {aic!r}")
        try:
            theirs = float(GaussianMixture(k, covariance_type=cov, random_state=0).fit(Xs)
                           .score(Xs))
        except Exception as e:
            run.note("gmm", f"{cov} k={k}: sklearn refused: {str(e)[:100]}")
            theirs = None
        if theirs is not None:
            worse = (theirs - ll) / max(abs(theirs), 1e-12)
            run.gmm_worse.append((cov, worse))
            if worse > 1e-3:
                # EM from one start is luck: compare the medians over 5 seeds of each
                ours5 = [ll] + [(sql(run, conn, "gmm", f"SELECT (gmm_fit(x, {k}, '{{\"covariance\""
                                     f": \"{cov}\", \"seed\": {s}}}')::jsonb->>"
                                     f"'log_likelihood')::float8 FROM t") or [[np.nan]])[0][0]
                                for s in range(1, 5)]
                ref5 = [theirs] + [float(GaussianMixture(k, covariance_type=cov, random_state=s)
                                         .fit(Xs).score(Xs)) for s in range(1, 5)]
                mworse = (np.median(ref5) - np.median(ours5)) / max(abs(np.median(ref5)), 1e-12)
                if mworse > 1e-3:   # still behind: 10 seeds each
                    ours5 += [(sql(run, conn, "gmm", f"SELECT (gmm_fit(x, {k}, '{{\"covariance"
                                   f"\": \"{cov}\", \"seed\": {s}}}')::jsonb->>"
                                   f"'log_likelihood')::float8 FROM t") or [[np.nan]])[0][0]
                              for s in range(5, 10)]
                    ref5 += [float(GaussianMixture(k, covariance_type=cov, random_state=s)
                                   .fit(Xs).score(Xs)) for s in range(5, 10)]
                    mworse = (np.median(ref5) - np.median(ours5)) / max(abs(np.median(ref5)),
                                                                          1e-12)
                run.gmm_median_worse.append((cov, mworse))
                if mworse <= 1e-3:
                    run.note("gmm", f"{cov} k={k}: seed 0 {ll:.6f} vs random_state 0 "
                                    f"{theirs:.6f} ({worse:.2e} worse); medians over "
                                    f"{len(ours5)} seeds "
                                    f"{np.median(ours5):.6f} vs {np.median(ref5):.6f}")
                run.check("gmm", mworse <= 1e-3,
                          f"{cov} k={k}: mean log-likelihood {ll:.6f} vs sklearn {theirs:.6f} "
                          f"({worse:.2e} relative worse); medians over {len(ours5)} seeds "
                          f"{np.median(ours5):.6f} vs {np.median(ref5):.6f}")
            else:
                run.check("gmm", True, "")
        labels = labels_of(run, conn, "gmm", text)
        if labels is not None:
            run.check("gmm", list(np.bincount(labels, minlength=k)) == m["sizes"],
                      f"{cov}: seg_assign counts vs sizes {m['sizes']}")


def check_scores(run, conn, X, Xs, labels, model_text):
    """The three scores, plain and (silhouette) model forms, against sklearn.metrics; where
    they differ, a computation without |a|^2+|b|^2-2ab cancellation (cdist, exact rationals,
    40-digit decimals) says which one is right."""
    L = len(set(labels.tolist()))
    valid = 2 <= L <= len(X) - 1
    conn.cursor().execute("DROP TABLE IF EXISTS lab; CREATE TABLE lab AS SELECT id, x, "
                          "seg_assign(%s::segmodel, x) AS l FROM t", (model_text,))
    exact_of = {"silhouette": exact_silhouette, "davies_bouldin": exact_davies_bouldin,
                "calinski_harabasz": exact_calinski_harabasz}
    forms = [(name, f"SELECT {name}(x, l) FROM lab", None, X, fn)
             for name, fn in (("silhouette", silhouette_score),
                              ("davies_bouldin", davies_bouldin_score),
                              ("calinski_harabasz", calinski_harabasz_score))]
    forms.append(("silhouette", "SELECT silhouette(%s::segmodel, x) FROM t", (model_text,), Xs,
                  silhouette_score))
    for i, (name, query, args, data, fn) in enumerate(forms):
        form = "model form" if i == 3 else "plain"
        rows = sql(run, conn, "scores", query, args, expect=None if valid else ("22023",))
        if not valid:
            run.check("scores", rows is None, f"{name} {form} with {L} labels did not refuse")
            continue
        if rows is None:
            continue
        ours = rows[0][0]
        ref = float(fn(data, labels))

        def close(a, b):
            return rel(a, b) <= 1e-9 or abs(a - b) <= 1e-12

        if close(ours, ref):
            run.check("scores", True, "")
            continue
        exact = exact_of[name](data, labels)
        if close(ours, exact):
            run.note("scores", f"{name} {form}: ours {ours!r} = exact {exact!r}, sklearn "
                               f"{ref!r} (rel {rel(ref, exact):.1e} from exact)")
            continue
        run.check("scores", False, f"{name} {form}: {ours!r} vs sklearn {ref!r}, exact "
                                   f"{exact!r} (ours rel {rel(ours, exact):.1e}, sklearn rel "
                                   f"{rel(ref, exact):.1e} from exact)")


def check_project(run, conn, Xs, model_text):
    """seg_project against PCA(n_components=2, svd_solver="full") up to sign."""
    n, d = Xs.shape
    rows = sql(run, conn, "project", "SELECT seg_project(%s::segmodel, x) FROM t ORDER BY id",
               (model_text,))
    if rows is None:
        return
    ours = np.array([r[0] for r in rows], dtype=float)
    axes = min(2, d, n)
    pca = PCA(n_components=axes, svd_solver="full").fit(Xs)
    ref = pca.transform(Xs)
    ev = np.linalg.eigvalsh(np.cov(Xs.T, bias=False).reshape(d, d))[::-1] if n > 1 else \
        np.zeros(d)
    top = max(float(ev[0]), 1e-300) if d else 1.0
    for a in range(axes):
        gaps = [abs(ev[a] - ev[b]) for b in (a - 1, a + 1) if 0 <= b < d]
        if gaps and min(gaps) <= 1e-6 * top:
            run.note("project", f"axis {a + 1}: variance tied with a neighbour "
                                f"({ev[a]:.3e}), axis ill-defined, skipped")
            continue
        if ev[a] <= 1e-12 * top:
            run.check("project", np.max(np.abs(ours[:, a])) <= 1e-9,
                      f"axis {a + 1}: zero variance but coordinates up to "
                      f"{np.max(np.abs(ours[:, a])):.2e}")
            continue
        sign = 1.0 if np.dot(ours[:, a], ref[:, a]) >= 0 else -1.0
        err = float(np.max(np.abs(sign * ours[:, a] - ref[:, a]) / (1 + np.abs(ref[:, a]))))
        run.check("project", err <= 1e-9, f"axis {a + 1}: differs by {err:.2e}")
    if d == 1:
        run.check("project", np.all(ours[:, 1] == 0), "d=1: second axis not zero")


def check_yeojohnson(run, conn, X):
    """Yeo-Johnson lambdas against PowerTransformer(standardize=False)."""
    d = X.shape[1]
    opts = json.dumps({"transform": ["yeo-johnson"] * d})
    got = model_json(run, conn, "yeojohnson", f"kmeans_fit(x, 1, '{opts}')",
                     expect=("22000", "22003", "22023"))
    try:
        ref = PowerTransformer(method="yeo-johnson", standardize=False).fit(X).lambdas_
    except Exception as e:
        ref = None
        run.note("yeojohnson", f"sklearn refused: {str(e)[:100]}")
    if got is None:
        if ref is not None:
            run.note("yeojohnson", "ours refused a fit sklearn makes (error above)")
        return
    lam = got[0]["lambdas"]
    if ref is None:
        return
    for j in range(d):
        if abs(lam[j] - ref[j]) <= 1e-6 * max(1, abs(ref[j])):
            run.check("yeojohnson", True, "")
            continue
        with np.errstate(all="ignore"):
            lo, lr = yj_loglik(X[:, j], lam[j]), yj_loglik(X[:, j], ref[j])
        if not np.isfinite(lo) and not np.isfinite(lr):
            run.note("yeojohnson", f"feature {j}: no finite likelihood (constant column): "
                                   f"lambda {lam[j]!r} vs sklearn {ref[j]!r}, both arbitrary")
            continue
        with np.errstate(all="ignore"):
            spread = min(np.std(yj_stable(X[:, j], lam_j)) / np.mean(np.abs(yj_stable(X[:, j],
                                                                                lam_j)))
                         for lam_j in (lam[j], ref[j]))
        if not spread >= 1e-7:
            run.note("yeojohnson", f"feature {j}: ill-conditioned (transformed values agree to "
                                   f"{-math.log10(max(spread, 1e-300)):.0f} digits): lambda "
                                   f"{lam[j]!r} vs sklearn {ref[j]!r}")
            continue
        better = np.isfinite(lo) and (not np.isfinite(lr) or lo >= lr - 1e-9 * abs(lr))
        if not better:
            # the double-precision likelihood may be noise here: 50 digits decide, unless
            # the gap is within the double evaluation's own error (no double code can tell)
            eo, er = yj_loglik_exact(X[:, j], lam[j]), yj_loglik_exact(X[:, j], ref[j])
            noise = max(abs(eo - lo), abs(er - lr))
            if eo < er - 1e-12 * abs(er) and er - eo <= 2 * noise:
                run.note("yeojohnson", f"feature {j}: lambda {lam[j]!r} vs sklearn {ref[j]!r}: "
                                       f"exact log-likelihoods {eo!r} vs {er!r} differ by less "
                                       f"than the double evaluation's error {noise:.1e}")
                continue
            if eo < er and er - eo <= 1e-8 * abs(er):
                run.note("yeojohnson", f"feature {j}: flat likelihood: lambda {lam[j]!r} vs "
                                       f"sklearn {ref[j]!r}, exact log-likelihoods {eo!r} vs "
                                       f"{er!r} (under 1e-8 relative apart)")
                continue
            lo, lr = eo, er
            better = lo >= lr - 1e-12 * abs(lr)
        if better:
            run.note("yeojohnson", f"feature {j}: lambda {lam[j]!r} vs sklearn {ref[j]!r}, "
                                   f"log-likelihood ours {lo!r} >= sklearn's {lr!r}")
        run.check("yeojohnson", better,
                  f"feature {j}: lambda {lam[j]!r} vs sklearn {ref[j]!r}; log-likelihood "
                  f"ours {lo!r} sklearn's {lr!r}")


def one_set(run, conn, rng, shape, index):
    """Generates one data set and runs every comparison on it."""
    X, k, desc = make_data(rng, shape)
    print(f"[{index}] {desc}", flush=True)
    with conn.cursor() as cur:
        load(cur, X)
    Xs = check_scaler(run, conn, X)
    labels, text = check_kmeans(run, conn, Xs, k)
    check_hclust(run, conn, Xs, k)
    check_dbscan(run, conn, Xs, rng)
    if np.all(X == np.round(X)) and np.abs(X).max() < 1e6:
        # integer rows, unscaled: eps = sqrt(an integer squared distance that occurs), so
        # rows exactly eps apart (ties at eps, as a user's eps = 1 or 2 on integer data)
        D2 = np.round(cdist(X, X, "sqeuclidean"))
        cand = np.unique(D2[D2 > 0])
        if len(cand):
            m2 = float(cand[min(len(cand) - 1, int(rng.integers(0, max(1, len(cand) // 4))))])
            check_dbscan(run, conn, X, rng, eps=math.sqrt(m2),
                         options=", '{\"scale\": \"none\"}'")
    check_gmm(run, conn, Xs, k)
    if labels is not None:
        check_scores(run, conn, X, Xs, labels, text)
        check_project(run, conn, Xs, text)
    check_yeojohnson(run, conn, X)


def main():
    sets = int(os.environ.get("DIFFCHECK_SETS", "120"))
    seed = int(os.environ.get("DIFFCHECK_SEED", "20261207"))
    only = os.environ.get("DIFFCHECK_ONLY")       # e.g. "17" to rerun one data set
    run = Run()
    with fresh_database("diffcheck", load=()) as db:
        conn = connect(db)
        conn.cursor().execute("SET client_min_messages = warning")
        for index in range(sets):
            rng = np.random.default_rng([seed, index])
            shape = SHAPES[index % len(SHAPES)]
            if only is not None and str(index) not in only.split(","):
                continue
            try:
                one_set(run, conn, rng, shape, index)
            except psycopg2.OperationalError:
                conn = connect(db)
            except Exception:
                run.check("harness", False, f"set {index}: {traceback.format_exc()}")
        conn.close()
    print("\n== summary (seed %d, %d data sets)" % (seed, sets))
    for area in sorted(run.checks):
        print(f"{area:11s} {run.checks[area]:6d} checks, {run.fails[area]:4d} disagree, "
              f"{run.notes[area]:4d} documented differences")
    total, bad = sum(run.checks.values()), sum(run.fails.values())
    if run.kmeans_ratios:
        r = np.array(run.kmeans_ratios)
        print("kmeans inertia ours/sklearn over %d fits: min %.6f, median %.6f, p90 %.6f, "
              "max %.6f; below 1: %d, above 1.000001: %d" % (
                  len(r), r.min(), np.median(r), np.quantile(r, 0.9), r.max(),
                  int((r < 1 - 1e-9).sum()), int((r > 1 + 1e-6).sum())))
    if run.kmeans_median_ratios:
        print("kmeans fits above 1.001 at seed 0: %d; their median-over-5-seeds ratios: %s" % (
            len(run.kmeans_median_ratios),
            ", ".join("%.6f" % r for r in sorted(run.kmeans_median_ratios))))
    if run.gmm_median_worse:
        print("gmm fits worse by > 1e-3 at seed 0: %d; median over 5 (or 10) seeds "
              "(sklearn - ours)/"
              "|sklearn|: %s" % (len(run.gmm_median_worse), ", ".join(
                  "%s %.1e" % (c, w) for c, w in sorted(run.gmm_median_worse))))
    for cov in ("full", "tied", "diag", "spherical"):
        w = np.array([x for c, x in run.gmm_worse if c == cov])
        if len(w):
            print("gmm %-9s mean log-likelihood, (sklearn - ours)/|sklearn| over %d fits: "
                  "median %.2e, max %.2e; ours better in %d, worse by > 1e-3 in %d" % (
                      cov, len(w), np.median(w), w.max(), int((w < -1e-9).sum()),
                      int((w > 1e-3).sum())))
    if run.errors:
        print("SQL errors seen (area, SQLSTATE, message: count):")
        for (area, code, msg), c in sorted(run.errors.items()):
            print(f"  {area} {code} {msg}: {c}")
    print(f"{total} checks, {bad} disagree")
    for line in run.details:
        print("  " + line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
